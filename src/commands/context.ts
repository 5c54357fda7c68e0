import path from 'node:path';
import { dispatchHome, runOutputRoot } from '../state/paths.js';
import { findProjectRoot } from '../state/project-root.js';
import type { EnvVars } from '../util/io-types.js';

/** Plain options every handler receives: where it runs and which environment it reads. */
export interface BaseOptions {
  cwd: string;
  /** The project root found from cwd (src/state/project-root.ts): repo layer, jobs/, run-output/. */
  root: string;
  env: Record<string, string | undefined>;
}

/** `opts.env` is how programs (the SDK) hand a handler its environment; the CLI never sets it. */
export function resolveBase(opts: { cwd?: string; env?: EnvVars }, env: EnvVars = opts.env ?? process.env): BaseOptions {
  // No prototype: a job naming ${env.constructor} or fromEnv "__proto__" must find nothing, not Object's members.
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  return { cwd, root: findProjectRoot(cwd).root, env: Object.assign(Object.create(null) as Record<string, string | undefined>, env) };
}

export const homeOf = (b: BaseOptions) => dispatchHome(b.env as EnvVars);
export const outputRootOf = (b: BaseOptions) => runOutputRoot(b.cwd, b.env as EnvVars, b.root);
