import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-modhuman-', { inProcess: true });
  fs.cpSync(path.join(repoRoot, 'test/fixtures/modules/shipping'), path.join(box.cwd, 'authoring/shipping'), { recursive: true });
});
afterEach(() => box.cleanup());

/** Human mode: exit code, stdout lines that matter, no JSON envelope, no ANSI under NO_COLOR. */
async function human(args: string[], code: number, ...expected: Array<string | RegExp>): Promise<string> {
  const r = await box.run(args);
  expect({ args, code: r.code }).toEqual({ args, code });
  expect(r.stdout).not.toMatch(/"cliVersion"/);
  expect(r.stdout + r.stderr).not.toMatch(/\u001b\[/);
  for (const e of expected) expect(r.stdout + r.stderr).toMatch(e);
  return r.stdout;
}

describe('module system commands in human mode', () => {
  it('walk a module from pack to uninstall with readable output and next steps', async () => {
    await human(['module', 'validate', '--path', 'authoring/shipping'], 0, 'valid shipping 1.4.0', '✓ jobs/quote-parcel.job.case.json', 'next:');
    await human(
      ['module', 'pack', '--path', 'authoring/shipping', '--out', 'shipping.dpmod.zip'],
      0,
      'packed shipping 1.4.0',
      'build/lib/rates.mjs',
      'dispatch module install --bundle shipping.dpmod.zip',
    );
    await human(['module', 'install', '--bundle', 'shipping.dpmod.zip'], 0, 'installed shipping 1.4.0', 'dispatch module inspect shipping');
    await human(['module', 'install', '--bundle', 'shipping.dpmod.zip'], 0, 'replaced 1.4.0');
    await human(['module', 'list'], 0, /shipping 1\.4\.0\s+user/);
    await human(['module', 'inspect', 'shipping'], 0, 'shipping.quote', 'zone*: "domestic"|"europe"|"world"', 'priceCents*: integer');
    await human(['schema', 'action', '--name', 'shipping.quote'], 0, 'shipping.quote', '"priceCents"');
    await human(['module', 'override', 'init', '--from', 'shipping.quote', '--out', 'ov'], 0, 'created override of shipping.quote');
    await human(['module', 'override', 'add', '--module', 'shipping', '--action', 'quote', '--path', 'ov'], 0, 'override shipping.quote', 'was user 1.4.0');
    await human(['runtime', 'show'], 0, '1 override(s)', /shipping\.quote\s+override/);
    await human(['runtime', 'unset', '--action', 'shipping.quote'], 0, 'removed shipping.quote');
    box.write('d.json', { zone: 'europe' });
    await human(['defaults', 'set', '--action', 'shipping.quote', '--file', 'd.json'], 0, 'set defaults of shipping.quote');
    await human(['defaults', 'show', '--action', 'shipping.quote'], 0, '"zone": "europe"');
    await human(['defaults', 'unset', '--action', 'shipping.quote'], 0, 'removed defaults of shipping.quote');
    await human(['module', 'uninstall', '--name', 'shipping'], 0, 'removed shipping 1.4.0');
  });

  it('print errors on stderr with a hint', async () => {
    await human(['module', 'inspect', 'nothing'], 4, 'error [MODULE_NOT_FOUND]', 'hint', 'dispatch module list');
    await human(['module', 'uninstall', '--name', 'nothing'], 4, 'error [MODULE_NOT_INSTALLED]');
    await human(['runtime', 'unset'], 2, 'error [UNSET_TARGET]');
    await human(['defaults', 'unset', '--action', 'flow.sleep'], 4, 'error [DEFAULTS_NOT_FOUND]');
  });
});
