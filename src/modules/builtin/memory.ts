import { z } from 'zod';
import { notFoundError } from '../../errors.js';
import { defineAction, defineModule } from '../define.js';

const namespace = z.string().min(1).describe('Memory namespace: letters, digits, ".", "_" and "-"');
const key = z.string().min(1).describe('Dotted path inside the namespace, e.g. users.user-1');

const store = defineAction({
  description: 'Store a value by key in a namespace (seed jobs only)',
  schema: z.strictObject({ namespace, key, value: z.unknown() }),
  async handler(ctx, p) {
    await ctx.memory.set(p.namespace, p.key, p.value ?? null);
    return { response: { stored: true, namespace: p.namespace, key: p.key } };
  },
});

const recall = defineAction({
  description: 'Recall a value by key from a namespace',
  schema: z.strictObject({ namespace, key, default: z.unknown().optional() }),
  async handler(ctx, p) {
    const got = await ctx.memory.get(p.namespace, p.key);
    if (got.found) return { response: got.value, exports: { found: true } };
    if (p.default !== undefined) return { response: p.default, exports: { found: false } };
    throw notFoundError('MEMORY_KEY_NOT_FOUND', `Memory key "${p.key}" is not in namespace "${p.namespace}".`, {
      hint: 'Run the seed job that stores it, give the step a "default", or declare it under dependencies.memory with a fill job.',
      next: [{ command: 'dispatch memory list', description: 'the namespaces that exist and how many keys each holds' }],
      details: { namespace: p.namespace, key: p.key },
    });
  },
});

const forget = defineAction({
  description: 'Forget one key, or clear the whole namespace when no key is given (seed jobs only)',
  schema: z.strictObject({ namespace, key: key.optional() }),
  async handler(ctx, p) {
    const { removed } = await ctx.memory.delete(p.namespace, p.key);
    return { response: { removed, namespace: p.namespace, ...(p.key ? { key: p.key } : {}) } };
  },
});

export const memoryModule = defineModule({
  name: 'memory',
  version: '1.0.0',
  description: 'Namespaced durable state between runs',
  actions: { store, recall, forget },
});

/** Actions that write memory: refused in *.job.case.json files. */
export const MEMORY_WRITE_ACTIONS = new Set(['memory.store', 'memory.forget']);
