import { statSync } from 'node:fs';
import path from 'node:path';
import { notFoundError, usageError } from '../../errors.js';
import { listModuleDirs } from '../../modules/loader.js';
import { readManifest } from '../../modules/manifest.js';
import type { ModuleLayer } from '../../modules/types.js';
import { statePaths } from '../../state/paths.js';

/** A fill job found on disk: which file, from which module layer. */
export interface FillJobFile {
  module: string;
  job: string;
  path: string;
  layer: ModuleLayer;
  kind: 'seed' | 'case';
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SUFFIXES = ['.job.seed.json', '.job.case.json'] as const;

/** `seed-user-1` or `seed-user-1.job.seed.json` → `seed-user-1`; anything path-like is refused. */
function fillJobId(job: string): string {
  const id = SUFFIXES.reduce((j, s) => (j.endsWith(s) ? j.slice(0, -s.length) : j), job);
  if (!JOB_ID.test(id) || id.includes('..')) {
    throw usageError('FILL_JOB_INVALID', `Fill job "${job}" is not a job id.`, {
      hint: 'Name the job as it sits in the module\'s jobs/ folder without its suffix, e.g. "seed-user-1-reference".',
    });
  }
  return id;
}

/**
 * Finds `<job>.job.seed.json` (else `.job.case.json`) in a module's `jobs/` folder. Layers are
 * searched last-wins like actions: the user layer ($DISPATCH_HOME/modules) before the repo layer
 * (./modules); inside one layer a seed job beats a case job. Modules are matched by the name in
 * their module.json, not by folder name.
 */
export async function findFillJob(cwd: string, home: string, module: string, job: string): Promise<{ found?: FillJobFile; searched: string[] }> {
  const id = fillJobId(job);
  const layers: Array<[ModuleLayer, string]> = [
    ['user', statePaths(home).modules],
    ['repo', path.join(cwd, 'modules')],
  ];
  const searched: string[] = [];
  for (const [layer, layerDir] of layers) {
    for (const dir of await moduleDirsNamed(layerDir, module)) {
      for (const suffix of SUFFIXES) {
        const file = path.join(dir, 'jobs', id + suffix);
        searched.push(file);
        if (await isFile(file)) return { found: { module, job: id, path: file, layer, kind: suffix === SUFFIXES[0] ? 'seed' : 'case' }, searched };
      }
    }
  }
  return { searched };
}

export function fillNotFound(module: string, job: string, searched: string[]) {
  return notFoundError('FILL_JOB_NOT_FOUND', `Fill job "${job}" of module "${module}" was not found.`, {
    hint: searched.length
      ? `Looked for ${searched.map((s) => path.basename(s)).join(' and ')} in the jobs/ folder of module "${module}" (user and repo layers).`
      : `No module named "${module}" in ./modules or $DISPATCH_HOME/modules; install it or fix dependencies.memory[].fill.module.`,
    details: { module, job, searched },
    next: [
      { command: `dispatch module inspect ${module}`, description: 'list the jobs the module ships' },
      { command: 'dispatch job cases', description: 'list every job file dispatch can find' },
    ],
  });
}

async function moduleDirsNamed(layerDir: string, module: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await listModuleDirs(layerDir)) {
    try {
      if ((await readManifest(dir)).manifest.name === module) out.push(dir);
    } catch {
      // A broken module folder cannot ship a usable fill job; module list reports it.
    }
  }
  return out;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
