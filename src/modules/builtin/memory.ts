import { z } from 'zod';
import { notFoundError } from '../../errors.js';
import { defineModule } from '../define.js';
import { lazyAction } from './lazy-action.js';

// Schemas are built on first use (lazyAction): most runs use no memory action.
const namespace = () => z.string().min(1).describe('Memory namespace: letters, digits, ".", "_" and "-"');
const key = () => z.string().min(1).describe('Dotted path inside the namespace, e.g. users.user-1');
const storeSchema = () => z.strictObject({ namespace: namespace(), key: key(), value: z.unknown() });
const recallSchema = () => z.strictObject({ namespace: namespace(), key: key(), default: z.unknown().optional() });
const forgetSchema = () => z.strictObject({ namespace: namespace(), key: key().optional() });

const store = lazyAction(
  {
    description: 'Store a value by key in a namespace (seed jobs only)',
    async handler(ctx, p: z.infer<ReturnType<typeof storeSchema>>) {
      await ctx.memory.set(p.namespace, p.key, p.value ?? null);
      return { response: { stored: true, namespace: p.namespace, key: p.key } };
    },
  },
  storeSchema,
);

const recall = lazyAction(
  {
    description: 'Recall a value by key from a namespace',
    async handler(ctx, p: z.infer<ReturnType<typeof recallSchema>>) {
      const got = await ctx.memory.get(p.namespace, p.key);
      if (got.found) return { response: got.value, exports: { found: true } };
      if (p.default !== undefined) return { response: p.default, exports: { found: false } };
      throw notFoundError('MEMORY_KEY_NOT_FOUND', `Memory key "${p.key}" is not in namespace "${p.namespace}".`, {
        hint: 'Run the seed job that stores it, give the step a "default", or declare it under dependencies.memory with a fill job.',
        next: [{ command: 'dispatch memory list', description: 'the namespaces that exist and how many keys each holds' }],
        details: { namespace: p.namespace, key: p.key },
      });
    },
  },
  recallSchema,
);

const forget = lazyAction(
  {
    description: 'Forget one key, or clear the whole namespace when no key is given (seed jobs only)',
    async handler(ctx, p: z.infer<ReturnType<typeof forgetSchema>>) {
      const { removed } = await ctx.memory.delete(p.namespace, p.key);
      return { response: { removed, namespace: p.namespace, ...(p.key ? { key: p.key } : {}) } };
    },
  },
  forgetSchema,
);

export const memoryModule = defineModule({
  name: 'memory',
  version: '1.0.0',
  description: 'Namespaced durable state between runs',
  actions: { store, recall, forget },
});

/** Actions that write memory: refused in *.job.case.json files. */
export const MEMORY_WRITE_ACTIONS = new Set(['memory.store', 'memory.forget']);
