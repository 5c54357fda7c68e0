import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-modauthor-', { inProcess: true });
});
afterEach(() => box.cleanup());

const fixture = (name: string, dest: string) => fs.cpSync(path.join(repoRoot, 'test/fixtures/modules', name), dest, { recursive: true });

describe('module init', () => {
  it('generates a module.json and index.mjs that validate and run as generated', async () => {
    const r = await box.json(['module', 'init', '--name', 'payments', '--out', 'modules/payments']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ status: 'SUCCESS', path: 'modules/payments', files: ['module.json', 'index.mjs'], actions: ['payments.echo'], discovered: true });
    expect(fs.readdirSync(path.join(box.cwd, 'modules/payments')).sort()).toEqual(['index.mjs', 'module.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(box.cwd, 'modules/payments/module.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'payments', version: '0.1.0', entry: 'index.mjs' });
    expect(fs.readFileSync(path.join(box.cwd, 'modules/payments/index.mjs'), 'utf8')).toContain("from 'dispatchkit'");

    const v = await box.json(['module', 'validate', '--path', 'modules/payments']);
    expect(v.code).toBe(0);
    expect(v.json).toMatchObject({ valid: true, actions: ['payments.echo'], errors: [] });

    box.write(
      'pay.job.case.json',
      job([{ id: 'hello', action: 'payments.echo', payload: { message: 'hello' }, capture: { len: 'exports.length' } }], { dependencies: { modules: [{ name: 'payments', version: '^0.1.0' }] } }),
    );
    const run = await box.json(['job', 'run', '--case', 'pay.job.case.json']);
    expect(run.code).toBe(0);
    expect(run.json.run.len).toBe(5);
    const steps = fs
      .readFileSync(path.join(run.json.runDir, 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(steps[0].response).toEqual({ ok: true, received: { message: 'hello' } });
  });

  it('refuses a bad name (2) and a non-empty destination (2) without writing', async () => {
    const bad = await box.json(['module', 'init', '--name', 'bad/name', '--out', 'modules/x']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('MODULE_NAME_INVALID');
    expect(fs.existsSync(path.join(box.cwd, 'modules/x'))).toBe(false);

    box.write('modules/taken/keep.txt', 'mine');
    const taken = await box.json(['module', 'init', '--name', 'taken', '--out', 'modules/taken']);
    expect(taken.code).toBe(2);
    expect(taken.json.error.code).toBe('ALREADY_EXISTS');
    expect(fs.readdirSync(path.join(box.cwd, 'modules/taken'))).toEqual(['keep.txt']);
  });

  it('warns in human mode when the folder is outside the module layers', async () => {
    const r = await box.run(['module', 'init', '--name', 'elsewhere', '--out', 'scratch/elsewhere']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('not under ./modules');
    expect(r.stdout).toContain('dispatch module pack --path scratch/elsewhere');
  });
});

describe('module validate', () => {
  it('accepts a sound module and validates every shipped job', async () => {
    fixture('shipping', path.join(box.cwd, 'mods/shipping'));
    const r = await box.json(['module', 'validate', '--path', 'mods/shipping']);
    expect(r.code).toBe(0);
    expect(r.json.module).toEqual({ name: 'shipping', version: '1.4.0', entry: 'build/index.mjs' });
    expect(r.json.jobs).toEqual([
      { file: 'jobs/prime-rates.job.seed.json', kind: 'seed', valid: true },
      { file: 'jobs/quote-parcel.job.case.json', kind: 'case', valid: true },
    ]);
    expect(r.json.next[0].command).toBe('dispatch module pack --path mods/shipping --out shipping.dpmod.zip');
  });

  it('reports manifest/definition mismatches, bad action names, missing descriptions, non-zod schemas and job errors at once', async () => {
    fixture('sloppy', path.join(box.cwd, 'mods/sloppy'));
    const r = await box.json(['module', 'validate', '--path', 'mods/sloppy']);
    expect(r.code).toBe(2);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error.code).toBe('MODULE_INVALID');
    const found = r.json.errors.map((e: any) => `${e.file}|${e.path ?? ''}|${e.code}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'index.mjs|version|MODULE_VERSION_MISMATCH',
        'index.mjs|actions.Bad Name|ACTION_NAME',
        'index.mjs|actions.no-description.description|ACTION_DESCRIPTION',
        'index.mjs|actions.no-schema.schema|ACTION_SCHEMA',
        'jobs/uses-fine.job.case.json|$.scenario.steps[0].payload.n|SCHEMA',
      ]),
    );
    expect(r.json.warnings.map((w: any) => w.file)).toContain('jobs/notes.txt');
    expect(r.json.jobs).toEqual([{ file: 'jobs/uses-fine.job.case.json', kind: 'case', valid: false }]);
  });

  it('reports an invalid manifest, an import failure, and a missing folder with their exit classes', async () => {
    box.write('mods/m1/module.json', { name: 'm1', version: 'one', entry: 'index.mjs', extra: true });
    const m1 = await box.json(['module', 'validate', '--path', 'mods/m1']);
    expect(m1.code).toBe(2);
    expect(m1.json.errors[0]).toMatchObject({ file: 'module.json', code: 'MODULE_MANIFEST_INVALID' });
    expect(m1.json.errors[0].message).toMatch(/version[\s\S]*extra|extra[\s\S]*version/);

    fixture('broken', path.join(box.cwd, 'mods/broken'));
    const broken = await box.json(['module', 'validate', '--path', 'mods/broken']);
    expect(broken.code).toBe(2);
    expect(broken.json.errors[0]).toMatchObject({ file: 'index.mjs', code: 'MODULE_IMPORT_FAILED' });

    const missing = await box.json(['module', 'validate', '--path', 'mods/nothing-here']);
    expect(missing.code).toBe(4);
    expect(missing.json.error.code).toBe('MODULE_PATH_NOT_FOUND');

    const human = await box.run(['module', 'validate', '--path', 'mods/broken']);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('invalid mods/broken');
    expect(human.stderr).toContain('broken on purpose');
  });

  it('judges module versions with semver itself: 01.2.3 and v1.2.3 are refused, build metadata is accepted', async () => {
    const write = (dir: string, version: string) => {
      box.write(`${dir}/module.json`, { name: 'ver', version, entry: 'index.mjs' });
      box.write(
        `${dir}/index.mjs`,
        `import { defineAction, defineModule, z } from 'dispatchkit';\nexport default defineModule({ name: 'ver', version: ${JSON.stringify(version)}, actions: { ping: defineAction({ description: 'answers pong', schema: z.strictObject({}), async handler() { return { response: 'pong' }; } }) } });\n`,
      );
    };
    for (const bad of ['01.2.3', 'v1.2.3', '1.2']) {
      write(`mods/bad-${bad}`, bad);
      const r = await box.json(['module', 'validate', '--path', `mods/bad-${bad}`]);
      expect(r.code, bad).toBe(2);
      expect(r.json.errors[0], bad).toMatchObject({ file: 'module.json', code: 'MODULE_MANIFEST_INVALID' });
      expect(r.json.errors[0].message, bad).toContain('version must be semver');
    }
    write('mods/good', '1.2.3-beta+exp.1');
    const good = await box.json(['module', 'validate', '--path', 'mods/good']);
    expect(good.code).toBe(0);
    expect(good.json.module.version).toBe('1.2.3-beta+exp.1');
  });
});
