import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-modlayers-', { inProcess: true });
});
afterEach(() => box.cleanup());

const fixture = (name: string, dest: string) => fs.cpSync(path.join(repoRoot, 'test/fixtures/modules', name), dest, { recursive: true });

describe('module list', () => {
  it('lists every layer, reports a module that fails to load with its path and reason, and loads the rest', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    fixture('broken', path.join(box.cwd, 'modules/broken'));
    const r = await box.json(['module', 'list']);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
    const names = r.json.modules.map((m: any) => `${m.name}@${m.layer}`);
    expect(names).toEqual(['flow@builtin', 'http@builtin', 'memory@builtin', 'tmux@builtin', 'shipping@repo']);
    expect(r.json.actions.find((a: any) => a.name === 'shipping.quote')).toMatchObject({ module: 'shipping', version: '1.4.0', layer: 'repo', path: 'modules/shipping' });
    expect(r.json.errors).toHaveLength(1);
    expect(r.json.errors[0]).toMatchObject({ layer: 'repo', module: 'broken', path: 'modules/broken' });
    expect(r.json.errors[0].reason).toContain('broken on purpose');
    expect(r.json.next.map((n: any) => n.command)).toContain('dispatch module validate --path modules/broken');

    const human = await box.run(['module', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('shipping 1.4.0');
    expect(human.stdout).toMatch(/failed to load[\s\S]*broken on purpose/);
  });

  it('resolves per action, last layer wins: a user copy shadows the repo copy', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    const user = path.join(box.home, 'modules/shipping');
    fixture('shipping', user);
    // The user copy is a newer version that only has `quote`.
    const manifest = JSON.parse(fs.readFileSync(path.join(user, 'module.json'), 'utf8'));
    fs.writeFileSync(path.join(user, 'module.json'), JSON.stringify({ ...manifest, version: '1.5.0' }));
    const entry = path.join(user, 'build/index.mjs');
    fs.writeFileSync(
      entry,
      fs
        .readFileSync(entry, 'utf8')
        .replace("version: '1.4.0'", "version: '1.5.0'")
        .replace(/\n {4}label: defineAction\([\s\S]*?\n {4}\}\),/, ''),
    );

    const r = await box.json(['module', 'list']);
    expect(r.json.errors).toEqual([]);
    const byName = Object.fromEntries(r.json.actions.map((a: any) => [a.name, a]));
    expect(byName['shipping.quote']).toMatchObject({ layer: 'user', version: '1.5.0' });
    expect(byName['shipping.label']).toMatchObject({ layer: 'repo', version: '1.4.0' });
    const repoCopy = r.json.modules.find((m: any) => m.name === 'shipping' && m.layer === 'repo');
    expect(repoCopy.shadowed).toEqual(['quote']);

    box.write(
      'q.job.case.json',
      job(
        [
          { id: 'q', action: 'shipping.quote', payload: { weightKg: 1, zone: 'domestic' } },
          { id: 'l', action: 'shipping.label', credential: 'ship', payload: { orderId: 'o-1' } },
        ],
        { credentials: { ship: { fromEnv: { apiKey: 'SHIP_KEY_FOR_TEST' } } } },
      ),
    );
    const run = await box.json(['job', 'run', '--case', 'q.job.case.json'], { env: { SHIP_KEY_FOR_TEST: 'k-12345678' } });
    expect(run.code).toBe(0);
    const resolution = JSON.parse(fs.readFileSync(run.json.moduleResolutionPath, 'utf8'));
    expect(resolution.actions['shipping.quote']).toEqual({ module: 'shipping', version: '1.5.0', layer: 'user', path: user });
    expect(resolution.actions['shipping.label']).toMatchObject({ version: '1.4.0', layer: 'repo', path: path.join(box.cwd, 'modules/shipping') });
  });
});

describe('module inspect', () => {
  it('shows actions with input, exports and credential JSON Schemas and the shipped jobs', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    const r = await box.json(['module', 'inspect', 'shipping']);
    expect(r.code).toBe(0);
    expect(r.json.module).toMatchObject({ name: 'shipping', version: '1.4.0', layer: 'repo', path: 'modules/shipping' });
    const quote = r.json.actions.find((a: any) => a.name === 'shipping.quote');
    expect(quote.description).toBe('Price a parcel by weight and zone');
    expect(quote.schema.input.properties.zone.enum).toEqual(['domestic', 'europe', 'world']);
    expect(quote.schema.input.required).toEqual(['weightKg', 'zone']);
    expect(quote.schema.exports.properties.priceCents.type).toBe('integer');
    expect(quote.schema.credentials).toBeUndefined();
    const label = r.json.actions.find((a: any) => a.name === 'shipping.label');
    expect(label.credentialRequired).toBe(true);
    expect(label.schema.credentials.required).toEqual(['apiKey']);
    expect(r.json.jobs).toEqual([
      { id: 'prime-rates', kind: 'seed', file: 'jobs/prime-rates.job.seed.json', path: 'modules/shipping/jobs/prime-rates.job.seed.json' },
      { id: 'quote-parcel', kind: 'case', file: 'jobs/quote-parcel.job.case.json', path: 'modules/shipping/jobs/quote-parcel.job.case.json' },
    ]);

    const human = await box.run(['module', 'inspect', 'shipping']);
    expect(human.stdout).toContain('weightKg*: number');
    expect(human.stdout).toContain('apiKey*: string');
    expect(human.stdout).toContain('quote-parcel.job.case.json');
  });

  it('describes builtin modules too', async () => {
    const r = await box.json(['module', 'inspect', 'flow']);
    expect(r.code).toBe(0);
    expect(r.json.actions.map((a: any) => a.name)).toEqual(['flow.poll', 'flow.sleep']);
    expect(r.json.actions[0].schema.exports.required).toEqual(expect.arrayContaining(['attempts', 'elapsedMs']));
  });

  it('exits 4 for an unknown module with a suggestion and next[] module list', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    const r = await box.json(['module', 'inspect', 'shiping']);
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ status: 'ERROR', error: { code: 'MODULE_NOT_FOUND' } });
    expect(r.json.error.hint).toContain('shipping');
    expect(r.json.next).toEqual([{ command: 'dispatch module list', description: expect.any(String) }]);
  });

  it('exits 2 for a module that fails to load, naming the reason', async () => {
    fixture('broken', path.join(box.cwd, 'modules/broken'));
    const r = await box.json(['module', 'inspect', 'broken']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('MODULE_LOAD_FAILED');
    expect(r.json.error.message).toContain('broken on purpose');
    expect(r.json.next[0].command).toBe('dispatch module validate --path modules/broken');
  });
});

describe('schema action', () => {
  it('prints input, exports and credential schema as JSON Schema', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    const raw = await box.run(['schema', 'action', '--name', 'shipping.label', '--print']);
    expect(raw.code).toBe(0);
    const doc = JSON.parse(raw.stdout);
    expect(Object.keys(doc).sort()).toEqual(['credentials', 'input']);
    expect(doc.input.required).toEqual(['orderId']);
    expect(doc.credentials.properties.apiKey).toMatchObject({ type: 'string', minLength: 8 });

    const r = await box.json(['schema', 'action', '--name', 'shipping.quote', '--print']);
    expect(r.json.schema.exports.required).toEqual(['priceCents']);
    expect(r.json.servedBy).toMatchObject({ module: 'shipping', layer: 'repo', version: '1.4.0' });
  });

  it('rejects a malformed name (2), an unknown action (2) and an unknown module (4) with a suggestion', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    const bad = await box.json(['schema', 'action', '--name', 'shipping', '--print']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('ACTION_NAME_INVALID');
    // DESIGN §3: an unknown action is an input error (2); a module no layer has is not found (4).
    const unknown = await box.json(['schema', 'action', '--name', 'shipping.qoute', '--print']);
    expect(unknown.code).toBe(2);
    expect(unknown.json.error.code).toBe('UNKNOWN_ACTION');
    expect(unknown.json.error.hint).toContain('shipping.quote');
    expect(unknown.json.next[0].command).toBe('dispatch module inspect shipping');
    const noModule = await box.json(['schema', 'action', '--name', 'shipment.quote', '--print']);
    expect(noModule.code).toBe(4);
    expect(noModule.json.error.code).toBe('MODULE_NOT_FOUND');
    expect(noModule.json.error.hint).toContain('shipping.quote');
  });
});

describe('dependencies.modules', () => {
  const depJob = (version: string) => job([{ id: 'q', action: 'shipping.quote', payload: { weightKg: 1, zone: 'world' } }], { dependencies: { modules: [{ name: 'shipping', version }] } });

  it('a missing module exits 4 before any step, with next[] hints', async () => {
    box.write('dep.job.case.json', depJob('^1.0.0'));
    const r = await box.json(['job', 'run', '--case', 'dep.job.case.json']);
    expect(r.code).toBe(4);
    expect(r.json.error.details.errors.map((e: any) => e.code)).toContain('MODULE_NOT_FOUND');
    const cmds = r.json.next.map((n: any) => n.command);
    expect(cmds).toContain('dispatch module list');
    expect(cmds.some((c: string) => c.startsWith('dispatch module install --bundle'))).toBe(true);
    expect(fs.existsSync(box.output) ? fs.readdirSync(box.output) : []).toEqual([]);
  });

  it('a version outside the range exits 2 before any step; a matching one runs', async () => {
    fixture('shipping', path.join(box.cwd, 'modules/shipping'));
    box.write('dep.job.case.json', depJob('^2.0.0'));
    const r = await box.json(['job', 'run', '--case', 'dep.job.case.json']);
    expect(r.code).toBe(2);
    const problem = r.json.error.details.errors.find((e: any) => e.code === 'MODULE_VERSION');
    expect(problem.message).toContain('1.4.0');
    expect(r.json.next.map((n: any) => n.command)).toContain('dispatch module list');
    expect(fs.existsSync(box.output) ? fs.readdirSync(box.output) : []).toEqual([]);

    box.write('dep.job.case.json', depJob('>=1.4.0 <2'));
    const ok = await box.json(['job', 'run', '--case', 'dep.job.case.json']);
    expect(ok.code).toBe(0);
  });
});
