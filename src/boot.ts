/**
 * Loads the bundled core (dist/core.cjs) once per process, with a V8 code cache.
 *
 * Why: a `dispatch` run is a short process, and compiling ~1 MB of bundled JavaScript (zod,
 * commander, our own code) was the largest cost we control (docs/performance.md). Node 20 has no
 * compile cache for ES modules, so the core is a CommonJS bundle compiled through `vm.Script`
 * with `cachedData` from an earlier run. The same technique as Node 22's `module.enableCompileCache`,
 * but available on every supported Node.
 *
 * Safety: the cache file is named after the content hash the build writes into the core's first
 * line, the core's path, the Node version and the CPU architecture; its data carries a checksum; and V8 itself
 * rejects data from another V8 version or flag set. So stale or damaged bytecode is never used.
 * It lives in a folder of the OS temp dir that only the current user may write; a folder owned by
 * someone else, or open to others, is ignored. Any failure of the cache only costs speed: it is
 * never an error. `DISPATCH_CODE_CACHE=0` turns it off.
 *
 * Every entry (bin.cjs, index.js, zod.js) goes through `loadCore`, so the CLI and the modules it
 * imports share one instance of the core, zod included.
 */
import fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';
import type * as CoreExports from './core.js';

type Core = typeof CoreExports;

// Built as CommonJS (dist/boot.cjs), next to the core.
const coreFile = path.join(__dirname, 'core.cjs');
const KEEP_CACHE_FILES = 6; // other installs, dispatchkit versions or Node versions on the machine

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

// One core per process, whichever install loads it first: a module whose folder resolves another
// copy of dispatchkit (a project install under a global CLI) still gets the running CLI's API, so
// `instanceof DispatchError`, zod's `z` and the registry of schemas are the ones the CLI uses.
const SHARED_CORE = Symbol.for('dispatchkit.core');
type GlobalWithCore = typeof globalThis & { [SHARED_CORE]?: Core };

/**
 * The core, loaded once per process. `command` names the CLI command about to run (`job-run`):
 * each command keeps its own code cache of the core, holding exactly the functions it compiled.
 * One cache shared by every command held whatever the first command after a build compiled, so
 * the others compiled the rest again at every start (a 20-step run measured 9 ms slower with the
 * cache `job validate` wrote than with its own). Programs and modules importing dispatchkit use `api`.
 */
export function loadCore(command = 'api'): Core {
  const g = globalThis as GlobalWithCore;
  if (g[SHARED_CORE]) return g[SHARED_CORE];
  // Libraries some commands use (dist/vendor/*.cjs, see scripts/build.mjs) get the same cache.
  (globalThis as GlobalWithVendor)[VENDOR_LOADER] ??= (name) => runCached(path.join(path.dirname(coreFile), 'vendor', `${name}.cjs`), `vendor-${name}`);
  const core = runCached(coreFile, 'core', command) as Core;
  g[SHARED_CORE] = core;
  // Code compiled by vm.Script cannot use import() itself: module entries are imported from here.
  core.setModuleImporter((url) => import(url));
  return core;
}

const VENDOR_LOADER = Symbol.for('dispatchkit.vendorLoader');
type GlobalWithVendor = typeof globalThis & { [VENDOR_LOADER]?: (name: string) => unknown };

/**
 * Runs one bundled CommonJS file as a module, compiled with a code cache named `<kind>-<hash>-...`.
 * The build writes the content hash of the rest of the file on its first line; taking it from the
 * file actually read means bytecode is only ever paired with the source it was made from.
 */
function runCached(file: string, kind: string, variant?: string): unknown {
  const require = createRequire(file);
  // The build writes bundles in ASCII (other characters escaped), so latin1 reads them without
  // the cost of UTF-8 decoding and gives the same string.
  const source = fs.readFileSync(file, 'latin1');
  const hash = /^\/\/ dispatchkit-[\w-]+ ([0-9a-f]{16})\n/.exec(source.slice(0, 96))?.[1];
  const cacheFile = hash ? codeCacheFile(kind, hash, file, variant) : undefined;
  const cachedData = cacheFile ? readCodeCache(cacheFile) : undefined;
  const script = new vm.Script(ModuleCtor.wrap(source), { filename: file, cachedData });
  const mod = new ModuleCtor(file);
  mod.filename = file;
  mod.paths = ModuleCtor._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod as unknown as NodeJS.Module;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit, the cache also holds every function this run compiled, not only the top level.
    // Not after a usage error (exit 2 before anything ran, or a mistyped command): a cache per
    // command name must not grow one file per typo.
    process.once('exit', (code) => code !== 2 && saveCodeCache(script, cacheFile, kind));
  }
  return mod.exports;
}

// Cache files carry a checksum of V8's data: V8 checks only a header, and a damaged body makes it
// crash the process (a fatal check, not an exception), so damaged data never reaches V8.
const MAGIC = Buffer.from('DKC1');
const HEADER = 8; // magic + crc32 of the payload

function readCodeCache(file: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined; // first run with this build: compiled from source, cached at exit
  }
  if (data.length > HEADER && data.subarray(0, 4).equals(MAGIC) && data.readUInt32LE(4) === zlib.crc32(data.subarray(HEADER))) {
    return data.subarray(HEADER);
  }
  try {
    fs.rmSync(file, { force: true });
  } catch {
    /* rewritten at exit anyway */
  }
  return undefined;
}

/** The cache file for this build of a bundle, or undefined when caching is off or its folder is not safe. */
function codeCacheFile(kind: string, hash: string, file: string, variant?: string): string | undefined {
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
    // The cached code carries the script's file name into stack traces, so each install keeps its
    // own file: a copy at another path with the same content must not report that path.
    const where = zlib.crc32(file).toString(16).padStart(8, '0');
    return path.join(dir, `${kind}-${hash}-${where}-${variant ? `${variant}-` : ''}${process.version}-${process.arch}.v8`);
  } catch {
    return undefined;
  }
}

function saveCodeCache(script: vm.Script, file: string, kind: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header);
    header.writeUInt32LE(zlib.crc32(data), 4);
    fs.writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
    pruneOldCaches(path.dirname(file), path.basename(file), kind);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do: the cache is only an optimisation */
    }
  }
}

function pruneOldCaches(dir: string, keep: string, kind: string): void {
  // Per bundle: a hash is 16 hex digits, so `core-` never matches `vendor-...` files or the reverse.
  // Every cache of this build and install (one per command) stays; of other builds, installs or
  // Node versions only the newest few.
  const ours = new RegExp(`^${kind}-[0-9a-f]{16}-`);
  const build = keep.slice(0, kind.length + 1 + 16 + 1 + 8); // <kind>-<hash>-<where>
  const others = fs
    .readdirSync(dir)
    .filter((n) => ours.test(n) && n.endsWith('.v8') && !n.startsWith(`${build}-`))
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of others.slice(KEEP_CACHE_FILES - 1)) fs.rmSync(path.join(dir, n), { force: true });
}
