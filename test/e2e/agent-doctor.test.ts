import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
let noDirenv: string;
beforeEach(() => {
  box = sandbox(undefined, { inProcess: true });
  noDirenv = path.join(box.root, 'empty-bin');
  fs.mkdirSync(noDirenv);
});
afterEach(() => box.cleanup());

const check = (json: any, name: string) => json.checks.find((c: { name: string }) => c.name === name);
const commands = (json: any): string[] => json.next.map((n: { command: string }) => n.command);

describe('dispatch doctor', () => {
  it('passes on a clean folder without creating the state home or run output', async () => {
    const r = await box.json(['doctor'], { env: { PATH: noDirenv } });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'doctor', status: 'SUCCESS', exitCode: 0 });
    expect(r.json.checks.map((c: { name: string }) => c.name)).toEqual([
      'node',
      'state home',
      'run output',
      'run output leftovers',
      'project root',
      'modules (builtin)',
      'modules (repo)',
      'modules (user)',
      'modules (override)',
      'job files',
      'env vars',
      'direnv',
    ]);
    expect(check(r.json, 'node').status).toBe('ok');
    expect(check(r.json, 'modules (builtin)').details.loaded).toEqual(['flow@1.0.0', 'http@1.0.0', 'memory@1.0.0', 'tmux@1.0.0']);
    expect(check(r.json, 'state home')).toMatchObject({ status: 'ok', details: { path: box.home, exists: false } });
    expect(fs.existsSync(box.home)).toBe(false);
    expect(fs.existsSync(box.output)).toBe(false);
    // direnv missing is a warning with an install command, not a failure
    expect(check(r.json, 'direnv').status).toBe('warn');
    expect(commands(r.json)).toContain('dispatch self-check');
  });

  it('probes an existing folder and leaves nothing behind', async () => {
    fs.mkdirSync(box.output, { recursive: true });
    const r = await box.json(['doctor'], { env: { PATH: noDirenv } });
    expect(check(r.json, 'run output')).toMatchObject({ status: 'ok', details: { exists: true } });
    expect(fs.readdirSync(box.output)).toEqual([]);
  });

  it('fails with exit 2 when the run output is not a folder', async () => {
    fs.writeFileSync(path.join(box.root, 'a-file'), 'x');
    const r = await box.json(['doctor'], { env: { DISPATCH_RUN_OUTPUT: path.join(box.root, 'a-file'), PATH: noDirenv } });
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 2, error: { code: 'DOCTOR_FAILED' } });
    expect(check(r.json, 'run output').status).toBe('fail');
    expect(r.json.counts.fail).toBe(1);
    expect(commands(r.json)[0]).toMatch(/^mv /);
  });

  it('fails when the run output would have to be created under a file', async () => {
    fs.writeFileSync(path.join(box.root, 'a-file'), 'x');
    const r = await box.json(['doctor'], { env: { DISPATCH_RUN_OUTPUT: path.join(box.root, 'a-file', 'sub'), PATH: noDirenv } });
    expect(r.code).toBe(2);
    expect(check(r.json, 'run output')).toMatchObject({ status: 'fail' });
    expect(check(r.json, 'run output').message).toMatch(/is a file, not a folder/);
  });

  it('names a module that fails to load, with its path and reason, and still loads the others', async () => {
    box.write('modules/broken/module.json', { name: 'broken', version: '1.0.0', entry: 'index.mjs' });
    box.write('modules/broken/index.mjs', 'export default { nope: true };\n');
    box.write('modules/fine/module.json', { name: 'fine', version: '0.1.0', entry: 'index.mjs' });
    box.write(
      'modules/fine/index.mjs',
      "import { defineModule, defineAction, z } from 'dispatchkit';\nexport default defineModule({ name: 'fine', version: '0.1.0', actions: { ping: defineAction({ description: 'ping', schema: z.object({}), handler: async () => ({ response: { ok: true } }) }) } });\n",
    );
    const r = await box.json(['doctor'], { env: { PATH: noDirenv } });
    expect(r.code).toBe(2);
    const repo = check(r.json, 'modules (repo)');
    expect(repo.status).toBe('fail');
    expect(repo.details.loaded).toEqual(['fine@0.1.0']);
    expect(repo.details.errors[0]).toMatchObject({ module: 'broken', path: path.join(box.cwd, 'modules/broken') });
    expect(repo.message).toContain('defineModule');
    expect(commands(r.json)).toContain(`dispatch module validate --path ${path.join(box.cwd, 'modules/broken')}`);
  });

  it('warns about env vars the repo jobs need that are unset, and only those', async () => {
    box.write(
      'jobs/a.job.case.json',
      job([{ id: 's', action: 'flow.sleep', payload: { duration: '${env.DOC_SLEEP}', note: '${env.DOC_WITH_DEFAULT:-1}' } }], { credentials: { api: { fromEnv: { token: 'DOC_TOKEN' } } } }),
    );
    box.write('modules/m/jobs/b.job.seed.json', job([{ id: 's', action: 'flow.sleep', payload: { duration: 1 } }], { http: { baseUrl: '${env.DOC_BASE_URL}' } }));
    box.write('jobs/bad.job.case.json', '{ not json');
    const r = await box.json(['doctor'], { env: { PATH: noDirenv, DOC_BASE_URL: 'http://127.0.0.1:1' } });
    expect(r.code).toBe(0);
    const env = check(r.json, 'env vars');
    expect(env.status).toBe('warn');
    expect(Object.keys(env.details.missing)).toEqual(['DOC_SLEEP', 'DOC_TOKEN']);
    expect(env.details.missing.DOC_SLEEP).toEqual(['jobs/a.job.case.json']);
    expect(commands(r.json)).toContain('export DOC_SLEEP=<value> DOC_TOKEN=<value>');
    const files = check(r.json, 'job files');
    expect(files.status).toBe('warn');
    expect(commands(r.json)).toContain('dispatch job validate --case jobs/bad.job.case.json');

    // an empty credential value is as good as missing (job validate refuses it too)
    const empty = await box.json(['doctor'], { env: { PATH: noDirenv, DOC_SLEEP: '', DOC_TOKEN: '', DOC_BASE_URL: 'x' } });
    expect(Object.keys(check(empty.json, 'env vars').details.missing)).toEqual(['DOC_TOKEN']);
    const set = await box.json(['doctor'], { env: { PATH: noDirenv, DOC_SLEEP: '1', DOC_TOKEN: 't', DOC_BASE_URL: 'x' } });
    expect(check(set.json, 'env vars').status).toBe('ok');
  });

  it('finds direnv on PATH and suggests copying .envrc.example', async () => {
    const bin = path.join(box.root, 'bin');
    box.write(path.join(bin, 'direnv'), '#!/bin/sh\nexit 0\n');
    fs.chmodSync(path.join(bin, 'direnv'), 0o755);
    box.write('.envrc.example', 'export DOC_TOKEN=changeme\n');
    const r = await box.json(['doctor'], { env: { PATH: bin } });
    const d = check(r.json, 'direnv');
    expect(d).toMatchObject({ status: 'warn', details: { path: path.join(bin, 'direnv'), envrcExample: true, envrc: false } });
    expect(commands(r.json)).toContain('cp .envrc.example .envrc');
    box.write('.envrc', 'export DOC_TOKEN=1\n');
    const again = await box.json(['doctor'], { env: { PATH: bin } });
    expect(check(again.json, 'direnv').status).toBe('ok');
  });

  it('prints one line per check in human mode', async () => {
    const r = await box.run(['doctor'], { env: { PATH: noDirenv } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ node/);
    expect(r.stdout).toMatch(/! direnv/);
  });
});
