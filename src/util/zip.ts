import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import { checkEntryPath } from './zip-read.js';

export { createZip } from './zip-write.js';
// In its own file so that listing a folder does not load the zip codec (and zlib, crypto).
export { listFilesRecursive } from './list-files.js';
export { readZipSafe, checkEntryPath, crc32 } from './zip-read.js';
export type { ZipEntry } from './zip-read.js';

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

const suffix = () => randomBytes(6).toString('hex');

/**
 * Writes `entries` into `destDir` all-or-nothing: everything goes into a temporary sibling folder
 * (`<parent>/.tmp-<basename>-<random>`) which is then renamed into place. An existing `destDir` is
 * refused (ALREADY_EXISTS) unless `overwrite`, in which case it is moved aside, replaced, then removed.
 * On failure the temporary folder is removed and any existing `destDir` is left as it was.
 */
export async function writeTreeAtomically(destDir: string, entries: Array<{ path: string; data: Uint8Array }>, opts: { overwrite?: boolean } = {}): Promise<void> {
  const dest = path.resolve(destDir);
  const parent = path.dirname(dest);
  const base = path.basename(dest);
  const alreadyExists = () =>
    usageError('ALREADY_EXISTS', `${dest} already exists; nothing was written.`, {
      hint: 'Choose another destination, remove the existing folder, or pass the overwrite option (e.g. --force).',
      details: { path: dest },
    });
  if (!opts.overwrite && (await exists(dest))) throw alreadyExists();

  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${base}-${suffix()}`);
  await mkdir(tmp);
  try {
    for (const entry of entries) {
      const checked = checkEntryPath(entry.path);
      const target = checked.ok ? path.resolve(tmp, ...checked.path.split('/')) : '';
      const rel = checked.ok ? path.relative(tmp, target) : '';
      if (!checked.ok || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
        throw usageError('ZIP_UNSAFE', `Refused to write entry ${JSON.stringify(entry.path)}: ${checked.ok ? 'it resolves outside the destination' : checked.reason}. Nothing was written.`, {
          details: { entry: entry.path },
        });
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, entry.data, { flag: 'wx' });
    }

    if (await exists(dest)) {
      if (!opts.overwrite) throw alreadyExists();
      const old = path.join(parent, `.old-${base}-${suffix()}`);
      await rename(dest, old);
      try {
        await rename(tmp, dest);
      } catch (err) {
        await rename(old, dest);
        throw err;
      }
      await rm(old, { recursive: true, force: true }).catch(() => undefined);
    } else {
      try {
        await rename(tmp, dest);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTEMPTY') throw alreadyExists();
        throw err;
      }
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}
