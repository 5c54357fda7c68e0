import { createRequire, register } from 'node:module';
import path from 'node:path';

let registered = false;

/**
 * Makes `import ... from 'dispatchkit'` (and 'zod') work for a module at `entryPath`. When both
 * already resolve from the module's folder (a project that installed dispatchkit, or a module
 * inside this package) nothing is needed; otherwise (a global install, the user layer) a resolve
 * hook maps them to the running CLI. The hook runs on its own thread and slows every later
 * import, so it is registered only when a module actually needs it.
 */
export function ensureResolveHook(entryPath: string): void {
  if (registered || resolvesNaturally(entryPath)) return;
  registered = true;
  // The bundled core (dist/core.cjs), the public entry and the hook all sit in dist/.
  const dist = new URL('./', import.meta.url);
  register(new URL('resolve-hook.js', dist), {
    parentURL: import.meta.url,
    data: { dispatchkitUrl: new URL('index.js', dist).href, zodUrl: new URL('zod.js', dist).href },
  });
}

// Per module folder, once per process: a long-lived process (MCP, run-many) loads the same
// modules for every run, and each check is a dozen file lookups. Only success is kept: after a
// failure the hook is registered and nothing is asked again.
const resolvedFrom = new Set<string>();

function resolvesNaturally(entryPath: string): boolean {
  const dir = path.dirname(entryPath);
  if (resolvedFrom.has(dir)) return true;
  // Both, whatever the entry itself imports: a helper file of the module may import zod, and a
  // decision taken from the entry alone made such a module load or fail depending on which other
  // modules happened to register the hook first.
  try {
    const require = createRequire(entryPath);
    require.resolve('dispatchkit');
    require.resolve('zod');
    resolvedFrom.add(dir);
    return true;
  } catch {
    return false;
  }
}
