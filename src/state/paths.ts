import os from 'node:os';
import path from 'node:path';
import type { EnvVars } from '../util/io-types.js';

/** State home: ~/.dispatch unless DISPATCH_HOME says otherwise. */
export function dispatchHome(env: EnvVars = process.env): string {
  const fromEnv = env.DISPATCH_HOME;
  return fromEnv && fromEnv.trim() ? path.resolve(fromEnv) : path.join(os.homedir(), '.dispatch');
}

/** Run output root: run-output/ in the project root unless DISPATCH_RUN_OUTPUT (relative to the working folder) says otherwise. */
export function runOutputRoot(cwd: string, env: EnvVars = process.env, root = cwd): string {
  const fromEnv = env.DISPATCH_RUN_OUTPUT;
  return fromEnv && fromEnv.trim() ? path.resolve(cwd, fromEnv) : path.join(root, 'run-output');
}

export const statePaths = (home: string) => ({
  home,
  runtimeOverrides: path.join(home, 'runtime-overrides.json'),
  actionDefaults: path.join(home, 'action-defaults.json'),
  modules: path.join(home, 'modules'),
  memory: path.join(home, 'memory'),
});

export const batchesDir = (outputRoot: string) => path.join(outputRoot, 'batches');
