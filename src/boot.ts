/**
 * Loads the bundled core (dist/core.cjs) once per process, with a V8 code cache.
 *
 * Why: a `dispatch` run is a short process, and compiling ~1 MB of bundled JavaScript (zod,
 * commander, our own code) was the largest cost we control (docs/performance.md). Node 20 has no
 * compile cache for ES modules, so the core is a CommonJS bundle compiled through `vm.Script`
 * with `cachedData` from an earlier run. The same technique as Node 22's `module.enableCompileCache`,
 * but available on every supported Node.
 *
 * Safety: the cache file is named after a hash of the core's content (set at build time), the
 * size, mtime and inode of the file read, the Node version and the CPU architecture, and V8 itself rejects data from another V8 version or
 * flag set, so stale bytecode is never used. It lives in a folder of the OS temp dir that only
 * the current user may write; a folder owned by someone else, or open to others, is ignored.
 * Any failure of the cache only costs speed: it is never an error. `DISPATCH_CODE_CACHE=0` turns it off.
 *
 * Every entry (bin.js, index.js, zod.js) goes through `loadCore`, so the CLI and the modules it
 * imports share one instance of the core, zod included.
 */
import fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type * as CoreExports from './core.js';

declare const __CORE_HASH__: string;

export type Core = typeof CoreExports;

const coreFile = fileURLToPath(new URL('./core.cjs', import.meta.url));
const KEEP_CACHE_FILES = 4; // other dispatchkit builds or Node versions on the same machine

interface NodeModule {
  exports: unknown;
  filename: string;
  loaded: boolean;
  paths: string[];
}
const ModuleCtor = Module as unknown as {
  new (id: string, parent?: unknown): NodeModule;
  _nodeModulePaths(dir: string): string[];
  wrap(source: string): string;
};

export function loadCore(): Core {
  const require = createRequire(coreFile);
  const existing = require.cache[coreFile] as NodeModule | undefined;
  if (existing?.loaded) return existing.exports as Core;

  // The cache key also carries the identity of the file actually read, so bytecode can never be
  // paired with other source, even if the package is replaced between loading boot.js and here.
  const fd = fs.openSync(coreFile, 'r');
  let source: string;
  let identity: string;
  try {
    const st = fs.fstatSync(fd);
    identity = `${st.size.toString(36)}.${Math.trunc(st.mtimeMs).toString(36)}.${st.ino.toString(36)}`;
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const cacheFile = codeCacheFile(identity);
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      /* first run with this build: compiled from source, cached at exit */
    }
  }
  const script = new vm.Script(ModuleCtor.wrap(source), { filename: coreFile, cachedData });
  const mod = new ModuleCtor(coreFile);
  mod.filename = coreFile;
  mod.paths = ModuleCtor._nodeModulePaths(path.dirname(coreFile));
  require.cache[coreFile] = mod as unknown as NodeJS.Module;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, require, mod, coreFile, path.dirname(coreFile));
  } catch (err) {
    delete require.cache[coreFile];
    throw err;
  }
  mod.loaded = true;
  const core = mod.exports as Core;
  // Code compiled by vm.Script cannot use import() itself: module entries are imported from here.
  core.setModuleImporter((url) => import(url));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit, the cache also holds every function this run compiled, not only the top level.
    process.once('exit', () => saveCodeCache(script, cacheFile));
  }
  return core;
}

/** The cache file for this build, or undefined when caching is off or its folder is not safe. */
function codeCacheFile(identity: string): string | undefined {
  if (process.env.DISPATCH_CODE_CACHE === '0') return undefined;
  try {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const dir = path.join(os.tmpdir(), `dispatchkit-code-cache${uid === undefined ? '' : `-${uid}`}`);
    try {
      fs.mkdirSync(dir, { mode: 0o700 }); // not recursive: a missing temp dir is not created
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    return path.join(dir, `core-${__CORE_HASH__}-${identity}-${process.version}-${process.arch}.v8`);
  } catch {
    return undefined;
  }
}

function saveCodeCache(script: vm.Script, file: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, file);
    pruneOldCaches(path.dirname(file), path.basename(file));
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do: the cache is only an optimisation */
    }
  }
}

function pruneOldCaches(dir: string, keep: string): void {
  const others = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('core-') && n.endsWith('.v8') && n !== keep)
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of others.slice(KEEP_CACHE_FILES - 1)) fs.rmSync(path.join(dir, n), { force: true });
}
