import type { MemoryAccess } from '../modules/types.js';
import { statePaths } from './paths.js';

/** Memory access that loads the store only when a step first touches memory. */
export function lazyMemory(home: string): MemoryAccess {
  let store: Promise<MemoryAccess> | undefined;
  const get = () => (store ??= import('./memory-store.js').then((m) => m.createMemoryStore(statePaths(home).memory)));
  return {
    get: (ns, key) => get().then((s) => s.get(ns, key)),
    set: (ns, key, value) => get().then((s) => s.set(ns, key, value)),
    delete: (ns, key) => get().then((s) => s.delete(ns, key)),
  };
}
