import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

// Timing is measured by `npm run bench` (validate rows); this only proves a large job is handled
// whole: every step checked, a late mistake still found.
describe('validation of a large job', () => {
  it('validates 20,000 chained steps, and finds a bad reference in the last one', { timeout: 120_000 }, async () => {
    const n = 20_000;
    const steps = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, action: 'flow.sleep', payload: { duration: i ? `\${step.s${i - 1}.response.sleptMs}` : 0 } }));
    fs.writeFileSync(path.join(box.cwd, 'big.job.case.json'), JSON.stringify({ schemaVersion: 1, jobType: 'big', scenario: { steps } }));
    const ok = await box.json(['job', 'validate', '--case', 'big.job.case.json']);
    expect(ok.code).toBe(0);
    expect(ok.json.steps).toHaveLength(n);

    steps[n - 1].payload.duration = `\${step.s${n - 1}.response.sleptMs}`; // refers to itself
    fs.writeFileSync(path.join(box.cwd, 'big.job.case.json'), JSON.stringify({ schemaVersion: 1, jobType: 'big', scenario: { steps } }));
    const bad = await box.json(['job', 'validate', '--case', 'big.job.case.json']);
    expect(bad.code).toBe(2);
    expect(bad.json.errors.map((e: { path: string }) => e.path)).toEqual([`$.scenario.steps[${n - 1}].payload.duration`]);
  });
});
