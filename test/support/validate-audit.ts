import { afterEach, beforeEach } from 'vitest';
import { installAuthModule } from './auth-server.js';
import { sandbox, type Sandbox } from './cli.js';
import { writeTestModule } from './fixtures.js';
import { linkDispatchkit, runCli } from './run-cli.js';

/** One validation problem as `job validate --json` lists it. */
export type Found = { path: string; code: string; message: string; hint?: string };

/**
 * A fresh sandbox per test with the testkit and auth modules installed, and `validate(doc)`:
 * writes the job and returns `job validate`'s exit code, errors and warnings (run in-process).
 */
export function validateAuditSandbox() {
  let current: Sandbox | undefined;
  beforeEach(() => {
    current = sandbox();
    linkDispatchkit(current.root);
    writeTestModule(current);
    installAuthModule(current.cwd);
  });
  afterEach(() => current?.cleanup());
  const audit = {
    get box(): Sandbox {
      if (!current) throw new Error('validateAuditSandbox: no sandbox outside a test');
      return current;
    },
    async validate(doc: unknown, opts: { env?: Record<string, string | undefined>; args?: string[] } = {}): Promise<{ code: number; errors: Found[]; warnings: Found[] }> {
      const file = audit.box.write('audit.job.case.json', doc);
      // In-process through the real entry (support/run-cli.ts): these suites are input matrices.
      const box = audit.box;
      const r = await runCli(['job', 'validate', '--case', file, ...(opts.args ?? []), '--json'], { env: { ...box.env, ...opts.env }, cwd: box.cwd });
      if (r.json === undefined) throw new Error(`job validate printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
      return { code: r.code, errors: r.json.errors as Found[], warnings: r.json.warnings as Found[] };
    },
  };
  return audit;
}
