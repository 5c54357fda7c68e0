import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-memconc-');
});
afterEach(() => box.cleanup());

const seedJob = () => job([{ id: 'store', action: 'memory.store', payload: { namespace: 'concurrent', key: 'runs.run-${run.index}', value: { index: '${run.index}' } } }]);

const stored = () => JSON.parse(fs.readFileSync(path.join(box.home, 'memory', 'concurrent.json'), 'utf8'));
const expected = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`run-${i}`, { index: i }]));

describe('concurrent memory writes', () => {
  it('24 seed runs through run-many --concurrency 8 leave all 24 keys', { timeout: 120_000 }, async () => {
    box.write('store.job.seed.json', seedJob());
    const r = await box.json(['job', 'run-many', '--case', 'store.job.seed.json', '--count', '24', '--concurrency', '8']);
    expect(r.code, JSON.stringify(r.json.error)).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
    expect(stored()).toEqual({ runs: expected(24) });
    expect(fs.readdirSync(path.join(box.home, 'memory'))).toEqual(['concurrent.json']);
  });

  it('separate processes writing one namespace at once lose no write', { timeout: 120_000 }, async () => {
    box.write('store.job.seed.json', seedJob());
    const n = 6;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => box.json(['job', 'run', '--case', 'store.job.seed.json', '--set', `index=${i}`])));
    for (const r of results) expect(r.code, JSON.stringify(r.json.error)).toBe(0);
    expect(stored()).toEqual({ runs: expected(n) });
  });
});
