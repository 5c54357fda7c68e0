import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './manifest.js';

// Static relative specifiers: import/export ... from './x', import('./x'), require('./x').
const RELATIVE_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
const EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.json', '/index.js', '/index.mjs'];

/**
 * Files the entry reaches through relative imports, followed transitively. A root-level entry
 * (index.mjs next to lib/) would otherwise be packed alone and fail to load once installed.
 * Only files inside the module folder are followed; bare package imports are the host's.
 */
export async function relativeImportClosure(dir: string, entryRel: string): Promise<string[]> {
  const root = path.resolve(dir);
  const seen = new Set<string>();
  const queue = [path.join(root, entryRel)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(m|c)?js$/.test(file)) continue;
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    for (const m of text.matchAll(RELATIVE_SPECIFIER)) {
      const target = await resolveFile(path.resolve(path.dirname(file), m[2]));
      if (target && isInside(root, target) && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen].map((abs) => path.relative(root, abs).split(path.sep).join('/'));
}

async function resolveFile(base: string): Promise<string | undefined> {
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    const stat = await fs.lstat(candidate).catch(() => undefined);
    if (stat?.isFile()) return candidate;
  }
  return undefined;
}
