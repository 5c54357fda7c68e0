import { createRequire } from 'node:module';
import type * as Semver from 'semver';

let lib: typeof Semver | undefined;

/**
 * The semver library, loaded on first use: running its ~70 KB of module code cost every command
 * that reads a job ~1.5 ms at start-up, while versions are checked only by module manifests,
 * version ranges and doctor (docs/performance.md).
 */
export function semver(): typeof Semver {
  // In dist/core.cjs esbuild bundles this `require` as a lazy initialiser; under the test runner
  // (ES modules, no `require`) the package is resolved from this file instead.
  lib ??= typeof require === 'function' ? (require('semver') as typeof Semver) : (createRequire(import.meta.url)('semver') as typeof Semver);
  return lib;
}
