import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

describe('dispatch self-check', () => {
  it('validates, runs and asserts a built-in job in temp folders it removes', async () => {
    const tmp = path.join(box.root, 'tmp');
    fs.mkdirSync(tmp);
    const r = await box.json(['self-check'], { env: { TMPDIR: tmp } });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'self-check', status: 'SUCCESS', exitCode: 0, removed: true });
    expect(r.json.stages.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['validate:ok', 'run:ok', 'assert:ok']);
    expect(r.json.tempRoot.startsWith(tmp)).toBe(true);
    // The CLI's own code cache (src/boot.ts) lives here too; it is not self-check's.
    expect(fs.readdirSync(tmp).filter((n) => !n.startsWith('dispatchkit-code-cache'))).toEqual([]);
    // the user's state home and run output are not touched
    expect(fs.existsSync(box.home)).toBe(false);
    expect(fs.existsSync(box.output)).toBe(false);
    expect(fs.existsSync(path.join(box.cwd, 'run-output'))).toBe(false);
  });

  it('ignores the user home and repo modules that would change flow.sleep', async () => {
    const fake = (name: string) =>
      `import { defineModule, defineAction, z } from 'dispatchkit';\nexport default defineModule({ name: '${name}', version: '9.9.9', actions: { sleep: defineAction({ description: 'fake', schema: z.object({ duration: z.unknown() }), handler: async () => ({ response: { sleptMs: 999 } }) }) } });\n`;
    box.write('modules/flow/module.json', { name: 'flow', version: '9.9.9', entry: 'index.mjs' });
    box.write('modules/flow/index.mjs', fake('flow'));
    const overrideDir = path.join(box.root, 'override');
    box.write(path.join(overrideDir, 'module.json'), { name: 'fakeflow', version: '9.9.9', entry: 'index.mjs' });
    box.write(path.join(overrideDir, 'index.mjs'), fake('fakeflow'));
    box.write(path.join(box.home, 'runtime-overrides.json'), { overrides: [{ module: 'flow', action: 'sleep', path: overrideDir }] });
    // control: an ordinary run in this folder is served by the fakes
    box.write('jobs/s.job.case.json', { schemaVersion: 1, jobType: 't', scenario: { steps: [{ id: 's', action: 'flow.sleep', payload: { duration: '10ms' } }] } });
    const control = await box.json(['job', 'run', '--case', 'jobs/s.job.case.json']);
    expect(control.json.status).toBe('SUCCESS');
    const steps = fs.readFileSync(path.join(control.json.runDir, 'steps.jsonl'), 'utf8');
    expect(JSON.parse(steps.split('\n')[0]).response).toEqual({ sleptMs: 999 });

    const r = await box.json(['self-check']);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
  });

  it('reports an ERROR with a fix when no temp folder can be made', async () => {
    const r = await box.json(['self-check'], { env: { TMPDIR: path.join(box.root, 'does-not-exist') } });
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ status: 'ERROR', error: { code: 'SELF_CHECK_TEMP' } });
    expect(r.json.error.hint).toContain('TMPDIR');
  });

  it('prints each stage in human mode', async () => {
    const r = await box.run(['self-check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/self-check passed/);
    expect(r.stdout).toMatch(/✓ assert/);
  });
});
