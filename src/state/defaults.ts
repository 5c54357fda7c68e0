import { statePaths } from './paths.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';
import { isPlainObject } from '../util/merge.js';

/** Per-action default payloads (`dispatch defaults set`), deep-merged beneath step payloads. */
export type ActionDefaults = Record<string, Record<string, unknown>>;

export async function readActionDefaults(home: string): Promise<ActionDefaults> {
  const raw = await readJsonFile<unknown>(statePaths(home).actionDefaults, {});
  if (!isPlainObject(raw)) return {};
  const out: ActionDefaults = {};
  for (const [action, value] of Object.entries(raw)) if (isPlainObject(value)) out[action] = value;
  return out;
}

export async function writeActionDefaults(home: string, defaults: ActionDefaults): Promise<void> {
  await writeJsonFileAtomic(statePaths(home).actionDefaults, defaults);
}
