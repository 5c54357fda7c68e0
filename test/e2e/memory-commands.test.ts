import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-memcmd-', { inProcess: true });
});
afterEach(() => box.cleanup());

const memDir = () => path.join(box.home, 'memory');

async function seed(): Promise<void> {
  box.write(
    'seed.job.seed.json',
    job([
      { id: 'a', action: 'memory.store', payload: { namespace: 'reference-data', key: 'users.user-1', value: { id: 1, name: 'Leanne Graham' } } },
      { id: 'b', action: 'memory.store', payload: { namespace: 'reference-data', key: 'users.user-2.id', value: 2 } },
      { id: 'c', action: 'memory.store', payload: { namespace: 'tokens', key: 'last', value: 'abc' } },
    ]),
  );
  const r = await box.json(['job', 'run', '--case', 'seed.job.seed.json']);
  expect(r.code).toBe(0);
}

describe('memory list', () => {
  it('is empty before anything is stored (JSON and human)', async () => {
    const r = await box.json(['memory', 'list']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'memory list', status: 'SUCCESS', count: 0, namespaces: [], memoryDir: memDir() });
    const h = await box.run(['memory', 'list']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('no memory namespaces yet');
  });

  it('lists namespaces with key counts and sizes', async () => {
    await seed();
    const r = await box.json(['memory', 'list']);
    expect(r.code).toBe(0);
    expect(r.json.count).toBe(2);
    const byName = Object.fromEntries(r.json.namespaces.map((n: { namespace: string }) => [n.namespace, n]));
    expect(byName['reference-data']).toMatchObject({ keyCount: 3, sizeBytes: fs.statSync(path.join(memDir(), 'reference-data.json')).size });
    expect(byName.tokens).toMatchObject({ keyCount: 1, sizeBytes: fs.statSync(path.join(memDir(), 'tokens.json')).size });
    expect(r.json.next[0].command).toBe('dispatch memory inspect --namespace reference-data');

    const h = await box.run(['memory', 'list']);
    expect(h.code).toBe(0);
    const line = h.stdout.split('\n').find((l) => l.startsWith('reference-data'));
    expect(line?.split(/\s+/)[1]).toBe('3');
    expect(h.stdout).toContain('2 namespace(s)');
  });

  it('marks a corrupt namespace file instead of failing', async () => {
    fs.mkdirSync(memDir(), { recursive: true });
    fs.writeFileSync(path.join(memDir(), 'broken.json'), '{not json');
    const r = await box.json(['memory', 'list']);
    expect(r.code).toBe(0);
    expect(r.json.namespaces).toEqual([expect.objectContaining({ namespace: 'broken', corrupt: true, keyCount: 0 })]);
    const i = await box.json(['memory', 'inspect', '--namespace', 'broken']);
    expect(i.code).toBe(2);
    expect(i.json.error.code).toBe('MEMORY_CORRUPT');
    expect(i.json.error.hint).toContain(path.join(memDir(), 'broken.json'));
  });
});

describe('memory inspect', () => {
  it('shows the namespace contents (JSON and human)', async () => {
    await seed();
    const r = await box.json(['memory', 'inspect', '--namespace', 'reference-data']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ namespace: 'reference-data', keyCount: 3, file: path.join(memDir(), 'reference-data.json') });
    expect(r.json.data).toEqual({ users: { 'user-1': { id: 1, name: 'Leanne Graham' }, 'user-2': { id: 2 } } });

    const h = await box.run(['memory', 'inspect', '--namespace', 'reference-data']);
    expect(h.code).toBe(0);
    expect(h.stdout.split('\n')[0]).toContain('reference-data');
    const body = h.stdout.slice(h.stdout.indexOf('{'), h.stdout.lastIndexOf('}') + 1);
    expect(JSON.parse(body)).toEqual(r.json.data);
  });

  it('a missing namespace exits 4, an unsafe one exits 2, a missing flag exits 2', async () => {
    const missing = await box.json(['memory', 'inspect', '--namespace', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.json.error.code).toBe('MEMORY_NAMESPACE_NOT_FOUND');
    expect(missing.json.next.map((n: { command: string }) => n.command)).toContain('dispatch memory list');
    for (const ns of ['../etc', 'a/b', '/abs', '..']) {
      const bad = await box.json(['memory', 'inspect', '--namespace', ns]);
      expect(bad.code, ns).toBe(2);
      expect(bad.json.error.code, ns).toBe('INVALID_NAMESPACE');
    }
    const noFlag = await box.json(['memory', 'inspect']);
    expect(noFlag.code).toBe(2);
    expect(fs.existsSync(memDir())).toBe(false);
  });
});
