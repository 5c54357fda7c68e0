import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

// Stdout belongs to dispatch (src/output/stdio.ts): whatever a module prints goes to stderr,
// redacted like every other line, so `--json` always parses and a printed credential never leaks.
const SECRET = 'verysecret-4f1c9a';
let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  box.write('modules/noisy/module.json', { name: 'noisy', version: '1.0.0', entry: 'index.mjs' });
  fs.writeFileSync(
    path.join(box.cwd, 'modules/noisy/index.mjs'),
    `import { defineModule, defineAction, z } from 'dispatchkit';
console.log('noisy module loading');
export default defineModule({
  name: 'noisy',
  version: '1.0.0',
  actions: {
    talk: defineAction({
      description: 'prints its credential in every way it can',
      schema: z.object({}),
      credentialSchema: z.object({ k: z.string() }),
      handler: async (ctx) => {
        console.log('key', ctx.credential.k);
        console.error('err key ' + ctx.credential.k);
        process.stdout.write('raw ' + ctx.credential.k + '\\n');
        process.stdout.write(Buffer.from('buffer ' + ctx.credential.k + '\\n'));
        return { response: { ok: true } };
      },
    }),
  },
});
`,
  );
  box.write('jobs/x.job.case.json', job([{ id: 't', action: 'noisy.talk', credential: 'c', payload: {} }], { credentials: { c: { fromEnv: { k: 'NOISY_SECRET' } } } }));
});
afterEach(() => box.cleanup());

describe('output written by a module', () => {
  it('never reaches stdout under --json, and is redacted on stderr', async () => {
    const r = await box.run(['job', 'run', '--case', 'jobs/x.job.case.json', '--json'], { env: { NOISY_SECRET: SECRET } });
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout); // the whole of stdout is one document
    expect(env).toMatchObject({ command: 'job run', status: 'SUCCESS' });
    expect(r.stderr).toContain('noisy module loading');
    expect(r.stderr).toContain('key [REDACTED]');
    expect(r.stderr).toContain('err key [REDACTED]');
    expect(r.stderr).toContain('raw [REDACTED]');
    expect(r.stderr).toContain('buffer [REDACTED]');
    expect(r.stdout + r.stderr).not.toContain(SECRET);

    const v = await box.run(['job', 'validate', '--case', 'jobs/x.job.case.json', '--json'], { env: { NOISY_SECRET: SECRET } });
    expect(JSON.parse(v.stdout)).toMatchObject({ command: 'job validate', status: 'SUCCESS' });
    expect(v.stderr).toContain('noisy module loading');
  });

  it('goes to stderr in human mode too, leaving stdout to the report', async () => {
    const r = await box.run(['job', 'run', '--case', 'jobs/x.job.case.json'], { env: { NOISY_SECRET: SECRET } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('noisy module loading');
    expect(r.stdout).toMatch(/✓ t/);
    expect(r.stderr).toContain('key [REDACTED]');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('leaves --help on stdout', async () => {
    const r = await box.run(['job', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: dispatch job');
  });
});
