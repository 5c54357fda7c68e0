import { register } from 'node:module';

let registered = false;

/**
 * Registers the resolve hook once, just before the first module outside the package is imported
 * (the hook thread costs a few ms, so built-in-only runs never pay for it).
 */
export function ensureResolveHook(): void {
  if (registered) return;
  registered = true;
  // Bundled code lives in dist/chunks/; the public entry and the hook sit in dist/.
  const dist = new URL(import.meta.url.includes('/chunks/') ? '../' : './', import.meta.url);
  const dispatchkitUrl = new URL('index.js', dist).href;
  register(new URL('resolve-hook.js', dist), {
    parentURL: import.meta.url,
    data: { dispatchkitUrl, parentUrl: import.meta.url },
  });
}
