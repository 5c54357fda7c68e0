import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  box.write('modules/hang/module.json', { name: 'hang', version: '1.0.0', entry: 'index.mjs' });
  box.write(
    'modules/hang/index.mjs',
    `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'hang', version: '1.0.0', actions: {
  forever: defineAction({ description: 'never settles', schema: z.object({}), handler: () => new Promise(() => {}) }),
} });
`,
  );
  box.write('modules/slow/module.json', { name: 'slow', version: '1.0.0', entry: 'index.mjs' });
  box.write('modules/slow/index.mjs', 'await new Promise(() => {});\nexport default {};\n');
});
afterEach(() => box.cleanup());

describe('code that never settles', () => {
  it('a handler whose promise never settles fails its step (exit 1) and the run is still recorded', async () => {
    box.write(
      'h.job.case.json',
      job([
        { id: 'a', action: 'hang.forever', payload: {} },
        { id: 'b', action: 'flow.sleep', payload: { duration: 1 } },
      ]),
    );
    const r = await box.json(['job', 'run', '--case', 'h.job.case.json']);
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('FAILED');
    expect(r.json.error.code).toBe('HANDLER_STALLED');
    expect(r.json.steps.map((s: any) => s.status)).toEqual(['FAILED', 'SKIPPED']);
    expect(fs.existsSync(r.json.summaryPath)).toBe(true);
  });

  it('a module whose import never finishes is reported as failing to load; the others still work', async () => {
    const env = { DISPATCH_IMPORT_TIMEOUT_MS: '300' };
    const list = await box.json(['module', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.json.errors.find((e: any) => e.path.endsWith('slow')).reason).toMatch(/did not finish within 300 ms/);
    box.write('s.job.case.json', job([{ id: 'a', action: 'slow.x', payload: {} }]));
    const v = await box.json(['job', 'validate', '--case', 's.job.case.json'], { env });
    expect(v.code).toBe(2);
    expect(v.json.errors[0].hint).toMatch(/failed to load/);
  });
});
