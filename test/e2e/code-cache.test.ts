import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { closeLoopback, listenLoopback } from '../support/loopback.js';

// The core is compiled with a V8 code cache kept in the OS temp dir (src/boot.ts). These tests
// give each run its own TMPDIR and look at what the cache leaves there.
let box: Sandbox;
let tmp: string;
const cacheDirName = `dispatchkit-code-cache${typeof process.getuid === 'function' ? `-${process.getuid()}` : ''}`;
const job = { schemaVersion: 1, jobType: 'cache', scenario: { steps: [{ id: 'a', action: 'flow.sleep', payload: { duration: '1ms' } }] } };

beforeEach(() => {
  box = sandbox();
  tmp = path.join(box.root, 'tmp');
  fs.mkdirSync(tmp);
  box.write('jobs/a.job.case.json', job);
});
afterEach(() => box.cleanup());

const run = (env: Record<string, string> = {}) => box.json(['job', 'run', '--case', 'jobs/a.job.case.json'], { env: { TMPDIR: tmp, ...env } });
const cacheFiles = (dir = path.join(tmp, cacheDirName)) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

describe('code cache of the core', () => {
  it('is written on the first run, private to the user, and used by the next', async () => {
    expect((await run()).json.status).toBe('SUCCESS');
    const dir = path.join(tmp, cacheDirName);
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    // One cache per command: this one is job run's.
    expect(files[0]).toMatch(new RegExp(`^core-[0-9a-f]{16}-[0-9a-f]{8}-job-run-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`));
    if (process.platform !== 'win32') {
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, files[0])).mode & 0o777).toBe(0o600);
    }
    const first = fs.statSync(path.join(dir, files[0]));
    const again = await run();
    expect(again.json.status).toBe('SUCCESS');
    // accepted by V8, so not rewritten
    expect(fs.statSync(path.join(dir, files[0])).mtimeMs).toBe(first.mtimeMs);
  });

  it('keeps one cache per command, and writes none for a mistyped command', async () => {
    expect((await run()).json.status).toBe('SUCCESS');
    const v = await box.json(['job', 'validate', '--case', 'jobs/a.job.case.json'], { env: { TMPDIR: tmp } });
    expect(v.json.status).toBe('SUCCESS');
    const typo = await box.json(['job', 'rnu', '--case', 'jobs/a.job.case.json'], { env: { TMPDIR: tmp } });
    expect(typo.code).toBe(2);
    const names = cacheFiles().map((n) => n.replace(/^core-[0-9a-f]{16}-[0-9a-f]{8}-/, '').replace(/-v\d.*$/, ''));
    expect(names.sort()).toEqual(['job-run', 'job-validate']);
    // each is accepted by the next run of its command, not rewritten
    const stamps = () => cacheFiles().map((n) => fs.statSync(path.join(tmp, cacheDirName, n)).mtimeMs);
    const before = stamps();
    expect((await run()).json.status).toBe('SUCCESS');
    expect((await box.json(['job', 'validate', '--case', 'jobs/a.job.case.json'], { env: { TMPDIR: tmp } })).json.status).toBe('SUCCESS');
    expect(stamps()).toEqual(before);
  });

  it('recovers from a corrupt cache file: the run succeeds and the file is rewritten', async () => {
    await run();
    const file = path.join(tmp, cacheDirName, cacheFiles()[0]);
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
    expect(fs.readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('never hands damaged data to V8: a cache with a zeroed block inside is dropped and rewritten', async () => {
    await run();
    const file = path.join(tmp, cacheDirName, cacheFiles()[0]);
    const good = fs.readFileSync(file);
    // V8 checks only its header: a damaged body used to crash every later run (fatal check, exit 133).
    for (const at of [Math.floor(good.length / 2), good.length - 5000, 200]) {
      const bad = Buffer.from(good);
      bad.fill(0, at, at + 4096);
      fs.writeFileSync(file, bad);
      const r = await run();
      expect(r.code, `zeroed at ${at}`).toBe(0);
      expect(r.json.status).toBe('SUCCESS');
      expect(fs.readFileSync(file).equals(bad)).toBe(false);
    }
  });

  it.skipIf(process.platform === 'win32')('ignores a cache folder that others can write to', async () => {
    const dir = path.join(tmp, cacheDirName);
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    expect((await run()).json.status).toBe('SUCCESS');
    expect(cacheFiles()).toEqual([]);
  });

  it('is off with DISPATCH_CODE_CACHE=0, and never creates a missing temp dir', async () => {
    expect((await run({ DISPATCH_CODE_CACHE: '0' })).json.status).toBe('SUCCESS');
    expect(fs.readdirSync(tmp)).toEqual([]);
    const missing = path.join(box.root, 'no-such-tmp');
    expect((await run({ TMPDIR: missing })).json.status).toBe('SUCCESS');
    expect(fs.existsSync(missing)).toBe(false);
  });

  it("never reports another install's path: stack traces name the core actually running", async () => {
    // An identical copy of the build at another path writes its cache first.
    const copy = path.join(box.root, 'other-install');
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
    fs.cpSync(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
    box.write('modules/boom/module.json', { name: 'boom', version: '1.0.0', entry: 'index.mjs' });
    fs.writeFileSync(
      path.join(box.cwd, 'modules/boom/index.mjs'),
      "import { defineModule, defineAction, z } from 'dispatchkit';\nexport default defineModule({ name: 'boom', version: '1.0.0', actions: { go: defineAction({ description: 'throws', schema: z.object({}), handler: async () => { throw new Error('kaboom'); } }) } });\n",
    );
    box.write('jobs/boom.job.case.json', { schemaVersion: 1, jobType: 'boom', scenario: { steps: [{ id: 'a', action: 'boom.go', payload: {} }] } });
    const env = { ...process.env, ...box.env, TMPDIR: tmp, DISPATCH_DEBUG: '1' };
    spawnSync(process.execPath, [path.join(copy, 'dist/bin.cjs'), 'job', 'run', '--case', 'jobs/boom.job.case.json'], { cwd: box.cwd, env });
    const r = await box.run(['job', 'run', '--case', 'jobs/boom.job.case.json'], { env: { TMPDIR: tmp, DISPATCH_DEBUG: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(path.join(repoRoot, 'dist/core.cjs'));
    expect(r.stderr).not.toContain(copy);
  });

  it('keeps only the newest few caches of other builds', async () => {
    const dir = path.join(tmp, cacheDirName);
    fs.mkdirSync(dir, { mode: 0o700 });
    for (let i = 0; i < 8; i++) {
      const f = path.join(dir, `core-${String(i).repeat(16)}-v0.0.0-x.v8`);
      fs.writeFileSync(f, 'old');
      fs.utimesSync(f, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
    }
    await run();
    await box.json(['job', 'validate', '--case', 'jobs/a.job.case.json'], { env: { TMPDIR: tmp } });
    const left = cacheFiles().sort();
    // this build's two (job run's and job validate's) and the five newest of other builds
    expect(left).toHaveLength(7);
    // the five newest old ones survive, next to this build's
    expect(left.filter((n) => n.includes('v0.0.0')).sort()).toEqual([3, 4, 5, 6, 7].map((i) => `core-${String(i).repeat(16)}-v0.0.0-x.v8`));
  });

  it("compiles a vendor bundle with its own cache when a run needs it (cookies), and keeps the core's", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=1; Path=/' });
      res.end('{}');
    });
    const url = await listenLoopback(server);
    try {
      box.write('jobs/cookie.job.case.json', { schemaVersion: 1, jobType: 'cookie', http: { baseUrl: url }, scenario: { steps: [{ id: 'a', action: 'http.request', payload: { path: '/' } }] } });
      const first = await box.json(['job', 'run', '--case', 'jobs/cookie.job.case.json'], { env: { TMPDIR: tmp } });
      expect(first.json.status).toBe('SUCCESS');
      const files = cacheFiles().sort();
      expect(files.map((n) => n.replace(/-[0-9a-f]{16}-.*$/, ''))).toEqual(['core', 'vendor-cookies']);
      const stamp = (n: string) => fs.statSync(path.join(tmp, cacheDirName, n)).mtimeMs;
      const before = files.map(stamp);
      expect((await box.json(['job', 'run', '--case', 'jobs/cookie.job.case.json'], { env: { TMPDIR: tmp } })).json.status).toBe('SUCCESS');
      expect(cacheFiles().sort().map(stamp)).toEqual(before); // both accepted, neither rewritten
    } finally {
      await closeLoopback(server);
    }
  });
});
