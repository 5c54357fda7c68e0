import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Relative forward-slash paths of the regular files under `dir`, sorted; symlinks are skipped, never followed. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const d of await readdir(abs, { withFileTypes: true })) {
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isSymbolicLink()) continue;
      if (d.isDirectory()) await walk(path.join(abs, d.name), childRel);
      else if (d.isFile()) out.push(childRel);
    }
  };
  await walk(dir, '');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
