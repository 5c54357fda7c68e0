/**
 * Module resolution hook (registered with node:module `register`) so that modules living outside
 * a dispatchkit install can `import ... from 'dispatchkit'`: the specifier resolves to the running
 * CLI. `zod` (and `zod/v4`) resolve to the module's own copy when it has one, else to the CLI's
 * (same instance as the `z` that dispatchkit exports).
 */
interface HookData {
  dispatchkitUrl: string;
  zodUrl: string;
}

type NextResolve = (specifier: string, context: { parentURL?: string; conditions?: string[] }) => Promise<{ url: string }>;

let data: HookData | undefined;

export async function initialize(init: HookData): Promise<void> {
  data = init;
}

export async function resolve(specifier: string, context: { parentURL?: string; conditions?: string[] }, nextResolve: NextResolve): Promise<{ url: string; shortCircuit?: boolean; format?: string }> {
  if (data && specifier === 'dispatchkit') return { url: data.dispatchkitUrl, shortCircuit: true, format: 'module' };
  if (data && (specifier === 'zod' || specifier.startsWith('zod/'))) {
    try {
      return await nextResolve(specifier, context);
    } catch (err) {
      // The CLI carries zod 4's classic API, which both 'zod' and 'zod/v4' name.
      if (specifier === 'zod' || specifier === 'zod/v4') return { url: data.zodUrl, shortCircuit: true, format: 'module' };
      throw new Error(`Cannot import '${specifier}': dispatch provides 'zod' and 'zod/v4' to modules; install zod next to the module to use '${specifier}'.`, { cause: err });
    }
  }
  return nextResolve(specifier, context);
}
