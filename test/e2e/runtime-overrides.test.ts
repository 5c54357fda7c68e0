import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-runtime-');
  fs.cpSync(path.join(repoRoot, 'test/fixtures/modules/shipping'), path.join(box.cwd, 'modules/shipping'), { recursive: true });
});
afterEach(() => box.cleanup());

const overridesFile = () => path.join(box.home, 'runtime-overrides.json');
const quoteJob = () => box.write('q.job.case.json', job([{ id: 'q', action: 'shipping.quote', payload: { weightKg: 1, zone: 'europe' } }]));

describe('module override init / add, runtime show / unset', () => {
  it('scaffolds an override that keeps the schema, serves the action once added, and is removed by unset', async () => {
    const init = await box.json(['module', 'override', 'init', '--from', 'shipping.quote', '--out', 'overrides/quote']);
    expect(init.code).toBe(0);
    expect(init.json.from).toMatchObject({ action: 'shipping.quote', module: 'shipping', version: '1.4.0', layer: 'repo' });
    expect(init.json.next[0].command).toBe('dispatch module override add --module shipping --action quote --path overrides/quote');
    const validate = await box.json(['module', 'validate', '--path', 'overrides/quote']);
    expect(validate.code).toBe(0);

    const add = await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'quote', '--path', 'overrides/quote']);
    expect(add.code).toBe(0);
    expect(add.json.previousResolution).toMatchObject({ layer: 'repo', version: '1.4.0' });
    expect(add.json.resolution).toMatchObject({ layer: 'override', module: 'shipping-override', path: path.join(box.cwd, 'overrides/quote') });
    const stored = JSON.parse(fs.readFileSync(overridesFile(), 'utf8'));
    expect(stored.overrides).toEqual([expect.objectContaining({ module: 'shipping', action: 'quote', path: path.join(box.cwd, 'overrides/quote') })]);

    const show = await box.json(['runtime', 'show']);
    expect(show.code).toBe(0);
    expect(show.json.overrides).toEqual([expect.objectContaining({ name: 'shipping.quote', active: true })]);
    expect(show.json.resolution['shipping.quote']).toMatchObject({ layer: 'override', path: 'overrides/quote' });
    expect(show.json.resolution['shipping.label']).toMatchObject({ layer: 'repo' });
    expect(show.json.resolution['flow.sleep']).toMatchObject({ layer: 'builtin' });

    // The override keeps the original input schema: a bad payload still fails validation.
    box.write('bad.job.case.json', job([{ id: 'q', action: 'shipping.quote', payload: { weightKg: 'heavy', zone: 'moon' } }]));
    const bad = await box.json(['job', 'validate', '--case', 'bad.job.case.json']);
    expect(bad.code).toBe(2);

    quoteJob();
    const run = await box.json(['job', 'run', '--case', 'q.job.case.json']);
    expect(run.code).toBe(0);
    const resolution = JSON.parse(fs.readFileSync(run.json.moduleResolutionPath, 'utf8'));
    expect(resolution.actions['shipping.quote']).toMatchObject({ layer: 'override', path: path.join(box.cwd, 'overrides/quote') });
    const steps = fs
      .readFileSync(path.join(run.json.runDir, 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(steps[0].response).toMatchObject({ overridden: true });

    // An override that no longer loads must not silently fall back to the original.
    fs.renameSync(path.join(box.cwd, 'overrides/quote'), path.join(box.cwd, 'overrides/quote-moved'));
    const broken = await box.json(['job', 'run', '--case', 'q.job.case.json']);
    expect(broken.code).toBe(2);
    expect(broken.json.error.details.errors[0]).toMatchObject({ code: 'OVERRIDE_BROKEN', path: '$.scenario.steps[0].action' });
    expect(broken.json.error.details.errors[0].hint).toContain('dispatch runtime unset --action shipping.quote');
    fs.renameSync(path.join(box.cwd, 'overrides/quote-moved'), path.join(box.cwd, 'overrides/quote'));

    const unset = await box.json(['runtime', 'unset', '--action', 'shipping.quote']);
    expect(unset.code).toBe(0);
    expect(unset.json).toMatchObject({ removed: [expect.objectContaining({ name: 'shipping.quote' })], remaining: 0 });
    const after = await box.json(['job', 'run', '--case', 'q.job.case.json']);
    expect(JSON.parse(fs.readFileSync(after.json.moduleResolutionPath, 'utf8')).actions['shipping.quote'].layer).toBe('repo');
  });

  it('accepts --action as module.action and --path defaulting to the working directory; replaces an earlier override', async () => {
    await box.json(['module', 'override', 'init', '--from', 'shipping.label', '--out', 'ov1']);
    await box.json(['module', 'override', 'init', '--from', 'shipping.label', '--out', 'ov2']);
    const first = await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'shipping.label', '--path', 'ov1']);
    expect(first.code).toBe(0);
    // No --path: the working directory is the override folder.
    const second = await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'label'], { cwd: path.join(box.cwd, 'ov2') });
    expect(second.code).toBe(0);
    expect(second.json.replaced).toEqual({ path: path.join(box.cwd, 'ov1') });
    const notAModule = await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'label']);
    expect(notAModule.code).toBe(4);
    expect(notAModule.json.error.code).toBe('OVERRIDE_INVALID');
    expect(JSON.parse(fs.readFileSync(overridesFile(), 'utf8')).overrides.map((o: any) => o.path)).toEqual([path.join(box.cwd, 'ov2')]);
  });

  it('refuses unknown actions (2), folders without the action (2), and shows a broken override', async () => {
    const unknown = await box.json(['module', 'override', 'init', '--from', 'shipping.nope', '--out', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.json.next[0].command).toBe('dispatch module inspect shipping');
    expect(fs.existsSync(path.join(box.cwd, 'x'))).toBe(false);

    await box.json(['module', 'override', 'init', '--from', 'shipping.quote', '--out', 'ovq']);
    const wrong = await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'label', '--path', 'ovq']);
    expect(wrong.code).toBe(2);
    expect(wrong.json.error.code).toBe('OVERRIDE_ACTION_MISSING');

    await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'quote', '--path', 'ovq']);
    fs.writeFileSync(path.join(box.cwd, 'ovq/index.mjs'), "throw new Error('override exploded');");
    const show = await box.json(['runtime', 'show']);
    expect(show.code).toBe(0);
    expect(show.json.overrides[0]).toMatchObject({ name: 'shipping.quote', active: false });
    expect(show.json.overrides[0].error).toContain('override exploded');
    expect(show.json.resolution['shipping.quote'].layer).toBe('repo');
    expect(show.json.next[0].command).toBe('dispatch runtime unset --action shipping.quote');
  });

  it('runtime unset needs --action or --all; --all clears everything; a missing override exits 4', async () => {
    const none = await box.json(['runtime', 'unset']);
    expect(none.code).toBe(2);
    expect(none.json.error.code).toBe('UNSET_TARGET');
    const missing = await box.json(['runtime', 'unset', '--action', 'shipping.quote']);
    expect(missing.code).toBe(4);
    expect(missing.json.next[0].command).toBe('dispatch runtime show');

    await box.json(['module', 'override', 'init', '--from', 'shipping.quote', '--out', 'a']);
    await box.json(['module', 'override', 'init', '--from', 'flow.sleep', '--out', 'b']);
    await box.json(['module', 'override', 'add', '--module', 'shipping', '--action', 'quote', '--path', 'a']);
    const b = await box.json(['module', 'override', 'add', '--module', 'flow', '--action', 'sleep', '--path', 'b']);
    expect(b.code).toBe(0);
    const all = await box.json(['runtime', 'unset', '--all']);
    expect(all.code).toBe(0);
    expect(all.json.removed.map((o: any) => o.name).sort()).toEqual(['flow.sleep', 'shipping.quote']);
    const show = await box.run(['runtime', 'show']);
    expect(show.stdout).toContain('no runtime overrides');
    expect(show.stdout).toMatch(/flow\.sleep\s+builtin/);
  });
});
