// Synchronous reads: a few small files per command, where each awaited call was a thread-pool
// round trip on the start-up path (and loaded fs/promises) (docs/performance.md).
import { accessSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { statePaths } from '../state/paths.js';
import { readRuntimeOverrides } from '../state/runtime-overrides.js';
import { builtinModules } from './builtin/index.js';
import { ensureResolveHook } from './hook.js';
import { importModuleUrl } from './esm-import.js';
import { readManifest } from './manifest.js';
import { Registry, type LoadedModule, type ModuleLoadError } from './registry.js';
import type { ModuleDefinition, ModuleLayer } from './types.js';
import { byString } from '../util/compare.js';

interface LoadOptions {
  cwd: string;
  home: string;
  /** Only import modules with these names (cheap manifests are still read); all when absent. */
  only?: Set<string>;
}

/** Builds the action registry: builtin, repo (./modules), user ($DISPATCH_HOME/modules), overrides. */
export async function loadRegistry(opts: LoadOptions): Promise<Registry> {
  const registry = new Registry();
  for (const mod of builtinModules) {
    registry.addModule({ name: mod.name, version: mod.version, description: mod.description, layer: 'builtin', dir: `builtin:${mod.name}`, definition: mod });
  }
  await loadLayer(registry, 'repo', path.join(opts.cwd, 'modules'), opts.only);
  await loadLayer(registry, 'user', statePaths(opts.home).modules, opts.only);
  await loadOverrides(registry, opts.home, opts.only);
  return registry;
}

/** Folders of one layer that hold a module.json, sorted by name for a stable order. */
export async function listModuleDirs(layerDir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(layerDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(layerDir, e.name))
    .sort();
}

async function loadLayer(registry: Registry, layer: ModuleLayer, layerDir: string, only?: Set<string>): Promise<void> {
  const dirs = await listModuleDirs(layerDir);
  const results = await Promise.all(
    dirs.map(async (dir): Promise<{ dir: string; mod?: LoadedModule; error?: ModuleLoadError }> => {
      try {
        accessSync(path.join(dir, 'module.json'));
      } catch {
        return { dir }; // not a module folder (e.g. a stray directory); nothing to report
      }
      try {
        return { dir, mod: await loadModuleFromDir(dir, layer, only) };
      } catch (err) {
        const name = (err as { moduleName?: string }).moduleName ?? path.basename(dir);
        return { dir, error: { layer, path: dir, module: name, reason: (err as Error).message } };
      }
    }),
  );
  // Added in folder order, not import-completion order, so resolution never depends on timing.
  const seen = new Map<string, string>();
  for (const r of results) {
    if (r.error) registry.errors.push(r.error);
    if (!r.mod) continue;
    const first = seen.get(r.mod.name);
    if (first) {
      registry.errors.push({ layer, path: r.dir, module: r.mod.name, reason: `module "${r.mod.name}" is already defined in the ${layer} layer by ${first}; rename one of them` });
      continue;
    }
    seen.set(r.mod.name, r.dir);
    registry.addModule(r.mod);
  }
  registry.modules.sort((a, b) => layerRank(a.layer) - layerRank(b.layer) || byString(a.name, b.name));
}

async function loadOverrides(registry: Registry, home: string, only?: Set<string>): Promise<void> {
  const overrides = await readRuntimeOverrides(home);
  for (const o of overrides) {
    if (only && !only.has(o.module)) continue;
    try {
      const mod = await loadModuleFromDir(o.path, 'override');
      if (!mod) continue;
      if (!mod.definition.actions[o.action]) {
        throw new Error(`module at ${o.path} has no action "${o.action}"`);
      }
      // An override serves one action under the overridden module's name.
      registry.addModule({ ...mod, name: o.module }, new Set([`${o.module}.${o.action}`]));
    } catch (err) {
      registry.errors.push({ layer: 'override', path: o.path, module: o.module, action: o.action, reason: (err as Error).message });
    }
  }
}

/** Loads one module folder; returns undefined when `only` excludes it. */
export async function loadModuleFromDir(dir: string, layer: ModuleLayer, only?: Set<string>): Promise<LoadedModule | undefined> {
  const read = await readManifest(dir, only);
  if (!read || (only && !only.has(read.manifest.name))) return undefined;
  const { manifest, entryPath } = read;
  try {
    const definition = await importModuleEntry(entryPath);
    if (definition.name !== manifest.name) {
      throw new Error(`entry exports module "${definition.name}" but module.json names "${manifest.name}"`);
    }
    return { name: manifest.name, version: manifest.version, description: manifest.description ?? definition.description, layer, dir, definition };
  } catch (err) {
    // The manifest was readable, so the failure can be reported under the module's real name.
    Object.assign(err as object, { moduleName: manifest.name });
    throw err;
  }
}

async function importModuleEntry(entryPath: string): Promise<ModuleDefinition> {
  return checkModuleShape(await importEntryDefault(entryPath), entryPath);
}

/** Imports an entry file and returns its default export, unchecked (module validate inspects it). */
export async function importEntryDefault(entryPath: string): Promise<unknown> {
  try {
    accessSync(entryPath);
  } catch {
    throw new Error(`entry file ${entryPath} does not exist`);
  }
  ensureResolveHook(entryPath);
  // A module whose top level awaits forever must not hang every command: it counts as failing
  // to load once the timeout passes (DISPATCH_IMPORT_TIMEOUT_MS, default 10 s).
  const timeoutMs = Number(process.env.DISPATCH_IMPORT_TIMEOUT_MS) || 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`importing ${entryPath} did not finish within ${timeoutMs} ms (a top-level await that never settles?)`)), timeoutMs);
  });
  try {
    const mod = (await Promise.race([importModuleUrl(pathToFileURL(entryPath).href), timeout])) as { default?: unknown };
    return mod.default;
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith('importing ') ? message : `failed to import ${entryPath}: ${message}`);
  } finally {
    clearTimeout(timer);
  }
}

function checkModuleShape(value: unknown, entryPath: string): ModuleDefinition {
  const mod = value as Partial<ModuleDefinition> | undefined;
  if (!mod || typeof mod !== 'object' || typeof mod.name !== 'string' || !mod.actions || typeof mod.actions !== 'object') {
    throw new Error(`${entryPath} must default-export defineModule({ name, version, actions })`);
  }
  for (const [name, action] of Object.entries(mod.actions)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) throw new Error(`action name "${name}" must use letters, digits, "_" and "-"`);
    if (!action || typeof action.handler !== 'function') throw new Error(`action "${name}" has no handler function`);
    if (!action.schema || typeof (action.schema as { safeParse?: unknown }).safeParse !== 'function') {
      throw new Error(`action "${name}" needs a zod schema`);
    }
  }
  return mod as ModuleDefinition;
}

function layerRank(layer: ModuleLayer): number {
  return ['builtin', 'repo', 'user', 'override'].indexOf(layer);
}
