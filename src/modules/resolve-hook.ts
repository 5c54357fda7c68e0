/**
 * Module resolution hook (registered with node:module `register`) so that modules living outside
 * a dispatchkit install can `import ... from 'dispatchkit'`: the specifier resolves to the running
 * CLI. `zod` resolves to the module's own copy when it has one, else to the CLI's (same instance
 * as the `z` that dispatchkit exports).
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

export async function resolve(
  specifier: string,
  context: { parentURL?: string; conditions?: string[] },
  nextResolve: NextResolve,
): Promise<{ url: string; shortCircuit?: boolean; format?: string }> {
  if (data && specifier === 'dispatchkit') return { url: data.dispatchkitUrl, shortCircuit: true, format: 'module' };
  if (data && specifier === 'zod') {
    try {
      return await nextResolve(specifier, context);
    } catch {
      return { url: data.zodUrl, shortCircuit: true, format: 'module' };
    }
  }
  return nextResolve(specifier, context);
}
