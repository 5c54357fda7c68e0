import type { Sandbox } from './cli.js';

/**
 * A repo-layer module written into the sandbox (outside this package, so `dispatchkit` must be
 * resolved by the CLI's hook). Actions: echo (returns its payload), tick (a counter per process),
 * fail (throws the requested error class), shape (returns a fixed nested document).
 */
export function writeTestModule(box: Sandbox, name = 'testkit'): void {
  box.write(`modules/${name}/module.json`, { name, version: '1.2.3', entry: 'index.mjs', description: 'fixture module for e2e tests' });
  box.write(
    `modules/${name}/index.mjs`,
    `import { defineAction, defineModule, z, DispatchError } from 'dispatchkit';
let ticks = 0;
export default defineModule({
  name: '${name}',
  version: '1.2.3',
  actions: {
    echo: defineAction({
      description: 'returns its payload',
      schema: z.object({}).passthrough(),
      handler: async (_ctx, payload) => ({ response: payload, exports: { echoed: true } }),
    }),
    tick: defineAction({
      description: 'counts calls in this process',
      schema: z.object({ failUntil: z.number().optional() }),
      handler: async (_ctx, p) => {
        ticks += 1;
        if (p.failUntil && ticks <= p.failUntil) throw new DispatchError({ code: 'FLAKY', exitCode: 3, message: 'not yet' });
        return { response: { count: ticks, state: ticks >= 3 ? 'ready' : 'pending' } };
      },
    }),
    fail: defineAction({
      description: 'fails with the requested exit class',
      schema: z.object({ exitCode: z.number().int().optional(), plain: z.boolean().optional(), message: z.string().optional() }),
      handler: async (_ctx, p) => {
        if (p.plain) throw new TypeError('boom from handler');
        throw new DispatchError({ code: 'TEST_FAIL', exitCode: p.exitCode ?? 2, message: p.message ?? 'asked to fail', hint: 'this is a test' });
      },
    }),
    shape: defineAction({
      description: 'returns a nested document',
      schema: z.object({}),
      exports: z.object({ generatedId: z.string() }),
      handler: async () => ({
        response: { id: 7, ready: true, items: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], nested: { deep: { value: 'x' } } },
        exports: { generatedId: 'gen-42' },
      }),
    }),
  },
});
`,
  );
}
