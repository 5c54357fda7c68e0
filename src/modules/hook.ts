import { register } from 'node:module';

let registered = false;

/**
 * Registers the resolve hook once, just before the first module outside the package is imported
 * (the hook thread costs a few ms, so built-in-only runs never pay for it).
 */
export function ensureResolveHook(): void {
  if (registered) return;
  registered = true;
  const dispatchkitUrl = new URL('./index.js', import.meta.url).href;
  register(new URL('./resolve-hook.js', import.meta.url), {
    parentURL: import.meta.url,
    data: { dispatchkitUrl, parentUrl: import.meta.url },
  });
}
