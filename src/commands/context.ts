import path from 'node:path';
import { dispatchHome, runOutputRoot } from '../state/paths.js';

/** Plain options every handler receives: where it runs and which environment it reads. */
export interface BaseOptions {
  cwd: string;
  env: Record<string, string | undefined>;
}

export function resolveBase(opts: { cwd?: string }, env: NodeJS.ProcessEnv = process.env): BaseOptions {
  return { cwd: path.resolve(opts.cwd ?? process.cwd()), env: { ...env } };
}

export const homeOf = (b: BaseOptions) => dispatchHome(b.env as NodeJS.ProcessEnv);
export const outputRootOf = (b: BaseOptions) => runOutputRoot(b.cwd, b.env as NodeJS.ProcessEnv);
