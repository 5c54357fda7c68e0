import type { z } from 'zod';
import type { ActionDefinition } from '../types.js';

/**
 * A built-in action whose zod schema is built the first time something reads it: every run
 * registers every built-in, but builds only the schemas of the actions its steps use
 * (docs/performance.md). Reading `schema` always gives the same object.
 */
export function lazyAction<S extends z.ZodType>(def: Omit<ActionDefinition<S>, 'schema'>, schema: () => S): ActionDefinition<S> {
  let built: S | undefined;
  const action = { ...def } as ActionDefinition<S>;
  Object.defineProperty(action, 'schema', { enumerable: true, get: () => (built ??= schema()) });
  return action;
}
