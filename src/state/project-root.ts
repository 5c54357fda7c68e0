import { statSync } from 'node:fs';
import path from 'node:path';

/** What a search for the project root found, and every folder it looked at on the way. */
export interface ProjectRoot {
  root: string;
  /** Folders looked at, from the working folder up; the last is the root, or the filesystem root. */
  looked: string[];
  /** False when no folder up to the filesystem root had a marker: the working folder stands in. */
  found: boolean;
}

const kind = (p: string): 'dir' | 'file' | undefined => {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The project a command works in: the nearest folder, from `cwd` up, that has `modules/`,
 * `jobs/` or `package.json`. Its `modules/` is the repo layer, its `jobs/` the repo's job files
 * and its `run-output/` the default run output, so a command run from a subfolder (say `jobs/`)
 * finds the same project as one run at its top. A module's own folder (it has `module.json`) is
 * skipped: its `jobs/` belongs to the module, not to a project.
 */
export function findProjectRoot(cwd: string): ProjectRoot {
  const looked: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    looked.push(dir);
    const isModule = kind(path.join(dir, 'module.json')) === 'file';
    if (!isModule && (kind(path.join(dir, 'modules')) === 'dir' || kind(path.join(dir, 'jobs')) === 'dir' || kind(path.join(dir, 'package.json')) === 'file')) {
      return { root: dir, looked, found: true };
    }
    if (path.dirname(dir) === dir) return { root: path.resolve(cwd), looked, found: false };
  }
}
