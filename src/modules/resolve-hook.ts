/**
 * Module resolution hook (registered with node:module `register`) so that modules living outside
 * this package can `import ... from 'dispatchkit'` without installing it: the specifier resolves
 * to the running CLI. `zod` falls back to the CLI's copy when the module has none of its own.
 */
interface HookData {
  dispatchkitUrl: string;
  parentUrl: string;
}

type NextResolve = (specifier: string, context: { parentURL?: string; conditions?: string[] }) => Promise<{ url: string }>;

let data: HookData | undefined;

export async function initialize(init: HookData): Promise<void> {
  data = init;
}

export async function resolve(
  specifier: string,
  context: { parentURL?: string; conditions?: string[] },
  nextResolve: NextResolve,
): Promise<{ url: string; shortCircuit?: boolean; format?: string }> {
  if (data && specifier === 'dispatchkit') return { url: data.dispatchkitUrl, shortCircuit: true, format: 'module' };
  if (data && (specifier === 'zod' || specifier.startsWith('zod/'))) {
    try {
      return await nextResolve(specifier, context);
    } catch {
      return nextResolve(specifier, { ...context, parentURL: data.parentUrl });
    }
  }
  return nextResolve(specifier, context);
}
