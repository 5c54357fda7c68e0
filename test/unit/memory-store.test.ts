import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMemoryStore } from '../../src/state/memory-store.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmpDirs: string[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-memory-'));
  tmpDirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<{ code: string; exitCode: number; message: string; hint?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; exitCode: number; message: string; hint?: string };
  }
  throw new Error('expected a rejection');
}

function leftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.includes('.lock'));
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid as number;
}

describe('memory store: basic operations', () => {
  it('sets and gets nested dotted keys and writes plain nested pretty JSON', async () => {
    const dir = path.join(tempDir(), 'memory');
    const store = createMemoryStore(dir);
    await store.set('crm', 'users.user-1', { name: 'Ada', tags: ['a', 'b'] });
    await store.set('crm', 'users.user-2.name', 'Bob');
    await store.set('crm', 'count', 2);

    const file = path.join(dir, 'crm.json');
    const text = fs.readFileSync(file, 'utf8');
    const expected = { users: { 'user-1': { name: 'Ada', tags: ['a', 'b'] }, 'user-2': { name: 'Bob' } }, count: 2 };
    expect(text).toBe(`${JSON.stringify(expected, null, 2)}\n`);

    expect(await store.get('crm', 'users.user-1.name')).toEqual({ found: true, value: 'Ada' });
    expect(await store.get('crm', 'users.user-1')).toEqual({ found: true, value: { name: 'Ada', tags: ['a', 'b'] } });
    expect(await store.get('crm', 'users.user-1.tags[1]')).toEqual({ found: true, value: 'b' });
    expect(await store.readNamespace('crm')).toEqual({ found: true, data: expected });
    expect(leftovers(dir)).toEqual([]);
  });

  it('stores null and falsy values as found', async () => {
    const store = createMemoryStore(tempDir());
    await store.set('ns', 'a', null);
    await store.set('ns', 'b', 0);
    await store.set('ns', 'c', false);
    expect(await store.get('ns', 'a')).toEqual({ found: true, value: null });
    expect(await store.get('ns', 'b')).toEqual({ found: true, value: 0 });
    expect(await store.get('ns', 'c')).toEqual({ found: true, value: false });
  });

  it('replaces a non-object intermediate with an object', async () => {
    const dir = tempDir();
    const store = createMemoryStore(dir);
    await store.set('ns', 'a', 'scalar');
    await store.set('ns', 'a.b.c', 1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ns.json'), 'utf8'))).toEqual({ a: { b: { c: 1 } } });
  });

  it('reports missing namespaces and keys as not found', async () => {
    const dir = path.join(tempDir(), 'does-not-exist');
    const store = createMemoryStore(dir);
    expect(await store.get('nope', 'a.b')).toEqual({ found: false });
    expect(await store.readNamespace('nope')).toEqual({ found: false, data: {} });
    expect(await store.listNamespaces()).toEqual([]);
    await store.set('ns', 'a.b', 1);
    expect(await store.get('ns', 'a.c')).toEqual({ found: false });
    expect(await store.get('ns', 'a.b.c')).toEqual({ found: false });
  });

  it('deletes one key and clears a namespace', async () => {
    const dir = tempDir();
    const store = createMemoryStore(dir);
    await store.set('ns', 'users.u1', 1);
    await store.set('ns', 'users.u2', 2);
    expect(await store.delete('ns', 'users.u1')).toEqual({ removed: true });
    expect(await store.delete('ns', 'users.u1')).toEqual({ removed: false });
    expect(await store.get('ns', 'users.u1')).toEqual({ found: false });
    expect(await store.get('ns', 'users.u2')).toEqual({ found: true, value: 2 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ns.json'), 'utf8'))).toEqual({ users: { u2: 2 } });

    expect(await store.delete('ns')).toEqual({ removed: true });
    expect(fs.existsSync(path.join(dir, 'ns.json'))).toBe(false);
    expect(await store.delete('ns')).toEqual({ removed: false });
    expect(await store.delete('ns', 'users.u2')).toEqual({ removed: false });
    expect(fs.existsSync(path.join(dir, 'ns.json'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it('lists namespaces with leaf counts, sizes and timestamps', async () => {
    const dir = tempDir();
    const store = createMemoryStore(dir);
    await store.set('alpha', 'users.u1.name', 'A');
    await store.set('alpha', 'users.u1.tags', ['x', 'y', 'z']);
    await store.set('alpha', 'users.u2', { name: 'B', age: 3, nested: { deep: null } });
    await store.set('beta', 'k', 'v');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');

    const list = await store.listNamespaces();
    expect(list.map((n) => [n.namespace, n.keyCount])).toEqual([
      ['alpha', 5],
      ['beta', 1],
    ]);
    const alpha = list[0];
    expect(alpha.sizeBytes).toBe(fs.statSync(path.join(dir, 'alpha.json')).size);
    expect(Number.isNaN(Date.parse(alpha.updatedAt))).toBe(false);
  });
});

describe('memory store: validation', () => {
  const badNamespaces = ['..', 'a/b', '/abs', '', '.hidden', 'a\\b', 'a..b', '-x', 'x'.repeat(129), '../escape'];

  for (const ns of badNamespaces) {
    it(`refuses namespace ${JSON.stringify(ns.length > 20 ? `${ns.slice(0, 20)}…` : ns)} with exit 2 and writes nothing`, async () => {
      const dir = path.join(tempDir(), 'memory');
      const store = createMemoryStore(dir);
      for (const op of [() => store.set(ns, 'a', 1), () => store.get(ns, 'a'), () => store.delete(ns), () => store.delete(ns, 'a'), () => store.readNamespace(ns)]) {
        const err = await rejection(op());
        expect(err.exitCode).toBe(2);
        expect(err.code).toBe('INVALID_NAMESPACE');
        expect(err.hint).toBeTruthy();
      }
      expect(fs.existsSync(dir)).toBe(false);
    });
  }

  it('accepts a 128-character namespace and dotted names', async () => {
    const store = createMemoryStore(tempDir());
    await store.set('x'.repeat(128), 'a', 1);
    await store.set('v1.2_run-x', 'a', 1);
    expect((await store.listNamespaces()).length).toBe(2);
  });

  for (const key of ['__proto__.x', 'a..b', 'constructor', 'a.prototype.b', '', '.a']) {
    it(`refuses key ${JSON.stringify(key)} with exit 2 and writes nothing`, async () => {
      const dir = path.join(tempDir(), 'memory');
      const store = createMemoryStore(dir);
      const err = await rejection(store.set('ns', key, 1));
      expect(err.exitCode).toBe(2);
      expect(fs.existsSync(dir)).toBe(false);
      expect((await rejection(store.get('ns', key))).exitCode).toBe(2);
      expect((await rejection(store.delete('ns', key))).exitCode).toBe(2);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });
  }

  it('refuses values that are not JSON', async () => {
    const dir = path.join(tempDir(), 'memory');
    const store = createMemoryStore(dir);
    expect((await rejection(store.set('ns', 'a', undefined))).exitCode).toBe(2);
    expect((await rejection(store.set('ns', 'a', 10n))).exitCode).toBe(2);
    expect((await rejection(store.set('ns', 'a', JSON.parse('{"__proto__":{"polluted":1}}')))).exitCode).toBe(2);
    expect(fs.existsSync(dir)).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('memory store: corrupt files', () => {
  for (const [label, body] of [
    ['invalid JSON', '{"a": 1,'],
    ['an array', '[1,2]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['a __proto__ key', '{"a":{"__proto__":{"polluted":true}}}'],
  ] as const) {
    it(`refuses a file holding ${label} and leaves it intact`, async () => {
      const dir = tempDir();
      const file = path.join(dir, 'bad.json');
      fs.writeFileSync(file, body);
      const store = createMemoryStore(dir);
      for (const op of [() => store.get('bad', 'a'), () => store.set('bad', 'a', 2), () => store.delete('bad', 'a'), () => store.readNamespace('bad')]) {
        const err = await rejection(op());
        expect(err.exitCode).toBe(2);
        expect(err.code).toBe('MEMORY_CORRUPT');
        expect(err.message).toContain(file);
        expect(err.hint).toContain('dispatch memory inspect');
      }
      expect(fs.readFileSync(file, 'utf8')).toBe(body);
      expect(leftovers(dir)).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      const list = await store.listNamespaces();
      expect(list).toEqual([expect.objectContaining({ namespace: 'bad', keyCount: 0, corrupt: true })]);
    });
  }
});

describe('memory store: locking', () => {
  it('breaks a stale lock whose owner pid is dead', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'ns.json.lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: deadPid(), host: os.hostname(), createdAt: new Date().toISOString() }));
    const store = createMemoryStore(dir);
    const started = Date.now();
    await store.set('ns', 'a', 1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await store.get('ns', 'a')).toEqual({ found: true, value: 1 });
    expect(leftovers(dir)).toEqual([]);
  });

  it('breaks a lock older than the stale limit even if its pid is alive', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'ns.json.lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: process.pid, createdAt: new Date(Date.now() - 60_000).toISOString() }));
    await createMemoryStore(dir).set('ns', 'a', 1);
    expect(leftovers(dir)).toEqual([]);
  });

  it('gives up on a live lock with a transient MEMORY_LOCK_TIMEOUT (exit 3)', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'ns.json.lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: process.pid, host: os.hostname(), createdAt: new Date().toISOString() }));
    const store = createMemoryStore(dir, { lockTimeoutMs: 300 });
    const err = await rejection(store.set('ns', 'a', 1));
    expect(err.exitCode).toBe(3);
    expect(err.code).toBe('MEMORY_LOCK_TIMEOUT');
    expect(fs.existsSync(lock)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'ns.json'))).toBe(false);
  });

  it('serialises concurrent writers in one process', async () => {
    const dir = tempDir();
    const store = createMemoryStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('ns', `k.k${i}`, i)));
    const { data } = await store.readNamespace('ns');
    expect(Object.keys(data.k as object).length).toBe(20);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('memory store: concurrency across processes', () => {
  let work: string;
  let storeModule: string;

  beforeAll(() => {
    work = tempDir();
    storeModule = path.join(work, 'store.mjs');
    execFileSync('npx', ['esbuild', 'src/state/memory-store.ts', '--bundle', '--platform=node', '--format=esm', `--outfile=${storeModule}`, '--log-level=warning'], { cwd: repoRoot, stdio: 'pipe' });
    fs.writeFileSync(
      path.join(work, 'worker.mjs'),
      [
        "import { createMemoryStore } from './store.mjs';",
        'const [dir, id] = process.argv.slice(2);',
        'const store = createMemoryStore(dir);',
        'await Promise.all([0, 1, 2].map((k) => store.set("shared", `workers.w${id}.k${k}`, { id: Number(id), k })));',
        '',
      ].join('\n'),
    );
  });

  it('8 processes each setting 3 keys into one namespace lose no write', async () => {
    const dir = path.join(work, 'memory');
    const codes = await Promise.all(
      Array.from(
        { length: 8 },
        (_, id) =>
          new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
            const child = spawn(process.execPath, [path.join(work, 'worker.mjs'), dir, String(id)], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (c) => (stderr += String(c)));
            child.on('error', reject);
            child.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const c of codes) expect(c).toEqual({ code: 0, stderr: '' });

    const store = createMemoryStore(dir);
    for (let id = 0; id < 8; id++) {
      for (let k = 0; k < 3; k++) {
        expect(await store.get('shared', `workers.w${id}.k${k}`)).toEqual({ found: true, value: { id, k } });
      }
    }
    const [info] = await store.listNamespaces();
    expect(info).toMatchObject({ namespace: 'shared', keyCount: 48 });
    expect(fs.readdirSync(dir)).toEqual(['shared.json']);
  });
});
