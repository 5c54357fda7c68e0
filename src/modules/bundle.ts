import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError, usageError } from '../errors.js';
import { checkEntryPath, listFilesRecursive, readZipSafe, type ZipEntry } from '../util/zip.js';
import type { ModuleManifest } from './manifest.js';
import { relativeImportClosure } from './pack-imports.js';

/** One file that goes into a bundle: its path inside the bundle and on disk. */
interface PackFile {
  path: string;
  abs: string;
}

// Never shipped from a walked folder: VCS data, dependencies and OS litter. pack.include can
// still name a file inside them explicitly.
const SKIP_SEGMENTS = new Set(['node_modules', '.git']);
const skipped = (rel: string) => rel.split('/').some((s) => SKIP_SEGMENTS.has(s) || s.startsWith('.'));

/**
 * What `module pack` ships: module.json, the entry (its whole folder when it is not at the module
 * root, e.g. dist/) and every file it imports relatively, jobs/, README.md and every pack.include path. Authoring files (src/, tsconfig,
 * bundler configs) stay out unless they are the entry's folder or listed in pack.include.
 */
export async function collectPackFiles(dir: string, manifest: ModuleManifest, exclude: string[] = []): Promise<PackFile[]> {
  const files = new Map<string, string>();
  const add = (rel: string) => files.set(rel, path.join(dir, ...rel.split('/')));
  const addTree = async (relDir: string) => {
    for (const f of await listFilesRecursive(path.join(dir, ...relDir.split('/')))) {
      const rel = `${relDir}/${f}`;
      if (!skipped(f)) add(rel);
    }
  };
  add('module.json');
  const entry = normalise(manifest.entry, 'entry');
  const entryDir = path.posix.dirname(entry);
  if (entryDir === '.') add(entry);
  else await addTree(entryDir);
  // Whatever the entry imports relatively (lib/ beside a root-level index.mjs, shared files).
  for (const rel of await relativeImportClosure(dir, entry)) if (!skipped(rel)) add(rel);
  if ((await kind(path.join(dir, 'jobs'))) === 'dir') await addTree('jobs');
  if ((await kind(path.join(dir, 'README.md'))) === 'file') add('README.md');
  for (const item of manifest.pack?.include ?? []) {
    const rel = normalise(item.replace(/\/\*\*?$/, ''), 'pack.include');
    const k = await kind(path.join(dir, ...rel.split('/')));
    if (k === 'missing')
      throw usageError('PACK_INCLUDE_MISSING', `pack.include names "${item}", which does not exist in ${dir}.`, { hint: 'List files or folders relative to the module folder, or remove the entry.' });
    if (k === 'link') throw usageError('PACK_LINK', `pack.include names "${item}", which is a symbolic link; bundles hold regular files only.`, { hint: 'Include the real file instead.' });
    if (k === 'dir') await addTree(rel);
    else add(rel);
  }
  if ((await kind(path.join(dir, ...entry.split('/')))) !== 'file') {
    throw usageError('PACK_ENTRY_MISSING', `The entry file ${entry} does not exist in ${dir}.`, { hint: 'Build the module first; module.json "entry" names the runtime file.' });
  }
  const excluded = new Set(exclude.map((p) => path.resolve(p)));
  return [...files]
    .filter(([, abs]) => !excluded.has(path.resolve(abs)))
    .map(([p, abs]) => ({ path: p, abs }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function normalise(rel: string, what: string): string {
  const checked = checkEntryPath(rel.replace(/^\.\//, ''));
  if (!checked.ok) throw usageError('MODULE_MANIFEST_INVALID', `module.json ${what} "${rel}" ${checked.reason}; paths must stay inside the module folder.`);
  return checked.path;
}

async function kind(p: string): Promise<'file' | 'dir' | 'link' | 'missing' | 'other'> {
  try {
    const s = await fs.lstat(p);
    return s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * Reads a bundle file and returns its entries rooted at the module folder. readZipSafe refuses
 * `..`, absolute paths, links and special files. A bundle zipped with one top folder around the
 * module (payments/module.json) is accepted too.
 */
export async function readBundle(file: string, cwd: string): Promise<ZipEntry[]> {
  const abs = path.resolve(cwd, file);
  let data: Buffer;
  try {
    data = await fs.readFile(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFoundError('BUNDLE_NOT_FOUND', `Bundle ${file} does not exist.`, { hint: 'Create one with `dispatch module pack --path <dir> --out <name>.dpmod.zip`.' });
    throw usageError('BUNDLE_UNREADABLE', `Cannot read bundle ${file} (${code ?? (err as Error).message}).`);
  }
  const entries = readZipSafe(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { what: 'module bundle' });
  if (entries.some((e) => e.path === 'module.json')) return entries;
  const tops = new Set(entries.map((e) => e.path.split('/')[0]));
  const [top] = tops;
  if (tops.size === 1 && entries.some((e) => e.path === `${top}/module.json`)) {
    return entries.map((e) => ({ path: e.path.slice(top.length + 1), data: e.data }));
  }
  throw usageError('BUNDLE_INVALID', `Bundle ${file} has no module.json at its root; nothing was installed.`, {
    hint: 'Bundles are made by `dispatch module pack`; a hand-made zip needs module.json at its top level.',
  });
}
