import { statePaths } from './paths.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

/** One runtime override: `module.action` served by the module folder at `path`. */
interface RuntimeOverride {
  module: string;
  action: string;
  path: string;
  addedAt?: string;
}

interface OverridesFile {
  overrides?: RuntimeOverride[];
}

export async function readRuntimeOverrides(home: string): Promise<RuntimeOverride[]> {
  const file = await readJsonFile<OverridesFile>(statePaths(home).runtimeOverrides, {});
  return Array.isArray(file.overrides) ? file.overrides.filter((o) => o && typeof o.module === 'string' && typeof o.action === 'string' && typeof o.path === 'string') : [];
}

export async function writeRuntimeOverrides(home: string, overrides: RuntimeOverride[]): Promise<void> {
  await writeJsonFileAtomic(statePaths(home).runtimeOverrides, { overrides });
}
