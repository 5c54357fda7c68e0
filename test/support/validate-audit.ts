import { afterEach, beforeEach } from 'vitest';
import { installAuthModule } from './auth-server.js';
import { sandbox, type Sandbox } from './cli.js';
import { writeTestModule } from './fixtures.js';

/** One validation problem as `job validate --json` lists it. */
export type Found = { path: string; code: string; message: string; hint?: string };

/**
 * A fresh sandbox per test with the testkit and auth modules installed, and `validate(doc)`:
 * writes the job and returns `job validate`'s exit code, errors and warnings.
 */
export function validateAuditSandbox() {
  let current: Sandbox | undefined;
  beforeEach(() => {
    current = sandbox();
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
      const r = await audit.box.json(['job', 'validate', '--case', file, ...(opts.args ?? [])], { env: opts.env });
      return { code: r.code, errors: r.json.errors as Found[], warnings: r.json.warnings as Found[] };
    },
  };
  return audit;
}
