import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

// A project with its own copy of dispatchkit, run by another dispatch (a global install): the
// project's repo module resolves 'dispatchkit' to the project's copy, yet must get the running
// CLI's core (DESIGN: the import resolves to the running CLI), not a second one.
let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

describe('one core per process', () => {
  it("a module resolving another install's dispatchkit gets the running CLI's API", async () => {
    const copy = path.join(box.cwd, 'node_modules/dispatchkit');
    fs.mkdirSync(copy, { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
    fs.cpSync(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
    // zod next to it, as npm lays a project out, so no resolve hook is involved
    fs.symlinkSync(path.join(repoRoot, 'node_modules/zod'), path.join(box.cwd, 'node_modules/zod'), 'dir');
    box.write('modules/probe/module.json', { name: 'probe', version: '1.0.0', entry: 'index.mjs' });
    fs.writeFileSync(
      path.join(box.cwd, 'modules/probe/index.mjs'),
      `import * as dk from 'dispatchkit';
const running = globalThis[Symbol.for('dispatchkit.core')];
export default dk.defineModule({
  name: 'probe',
  version: '1.0.0',
  actions: {
    where: dk.defineAction({
      description: 'which dispatchkit this module got',
      schema: dk.z.object({}),
      handler: async () => ({
        response: {
          resolvedTo: import.meta.resolve('dispatchkit'),
          sameApi: running.api.DispatchError === dk.DispatchError && running.api.z === dk.z,
        },
      }),
    }),
  },
});
`,
    );
    box.write('jobs/w.job.case.json', job([{ id: 'w', action: 'probe.where', payload: {} }]));
    const r = await box.json(['job', 'run', '--case', 'jobs/w.job.case.json']);
    expect(r.code).toBe(0);
    const step = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'steps.jsonl'), 'utf8').split('\n')[0]);
    expect(step.response.resolvedTo).toContain(path.join(box.cwd, 'node_modules/dispatchkit'));
    expect(step.response.sameApi).toBe(true);
  });
});
