import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from '../support/cli.js';

// dispatch init: the quick start's examples in the user's own folder.

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-init-');
});
afterEach(() => box.cleanup());

describe('dispatch init', () => {
  it('copies the example jobs and module, which then validate, load and run from that folder', async () => {
    const r = await box.json(['init']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.files).toEqual(
      expect.arrayContaining([
        'jobs/flow-sleep.job.case.json',
        'modules/jsonplaceholder/module.json',
        'modules/jsonplaceholder/jobs/jsonplaceholder-kitchen-sink-http.job.case.json',
        '.envrc.example',
      ]),
    );
    for (const f of r.json.files) expect(fs.existsSync(path.join(box.cwd, f)), f).toBe(true);
    expect(r.json.next[0].command).toBe('dispatch job run --case jobs/flow-sleep.job.case.json');

    const run = await box.json(r.json.next[0].command.split(' ').slice(1));
    expect(run.code).toBe(0);
    const mods = await box.json(['module', 'list']);
    expect(mods.json.modules.map((m: { name: string; layer: string }) => `${m.name}@${m.layer}`)).toContain('jsonplaceholder@repo');
    expect(mods.json.errors ?? []).toEqual([]);
  });

  it('never replaces a file: a second init names the clashes and writes nothing', async () => {
    expect((await box.json(['init'])).code).toBe(0);
    const mine = path.join(box.cwd, 'jobs/flow-sleep.job.case.json');
    fs.writeFileSync(mine, '{"mine": true}');
    const again = await box.json(['init']);
    expect(again.code).toBe(2);
    expect(again.json.error.code).toBe('INIT_EXISTS');
    expect(again.json.error.details.clashes).toContain('jobs/flow-sleep.job.case.json');
    expect(fs.readFileSync(mine, 'utf8')).toBe('{"mine": true}');
  });
});
