// Newman, for comparison: installed into a cache folder under the OS temp dir on first use (it is
// not a dependency of dispatchkit), then run on a collection equivalent to chain20. Returns
// undefined, with the reason, when it cannot be installed (no registry access).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const VERSION = '6';

export function newmanBin() {
  const dir = path.join(os.tmpdir(), `dispatch-bench-newman-${VERSION}`);
  const bin = path.join(dir, 'node_modules/newman/bin/newman.js');
  if (!fs.existsSync(bin)) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', '--prefix', dir, `newman@${VERSION}`], { stdio: 'ignore', timeout: 300_000 });
    } catch (err) {
      return { error: `could not install newman@${VERSION}: ${err.message.split('\n')[0]}` };
    }
  }
  return fs.existsSync(bin) ? { bin } : { error: 'newman did not install' };
}

/** A Postman collection of `steps` GETs, each taking its path from the previous JSON answer. */
export function chainCollection(base, steps) {
  return {
    info: { name: 'bench-chain', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
    variable: [{ key: 'next', value: '/item/1' }],
    item: Array.from({ length: steps }, (_, i) => ({
      name: `s${i + 1}`,
      request: { method: 'GET', url: `${base}{{next}}` },
      event: [{ listen: 'test', script: { exec: ["pm.test('ok', () => pm.response.to.have.status(200));", "pm.collectionVariables.set('next', pm.response.json().next);"] } }],
    })),
  };
}
