import type { z } from 'zod';
import type { ActionDefinition, ModuleDefinition } from './types.js';

/** Declares an action; returns its input so types flow from the zod schema into the handler. */
export function defineAction<S extends z.ZodType>(action: ActionDefinition<S>): ActionDefinition<S> {
  return action;
}

/** Declares a module: the default export of a module's entry file. */
export function defineModule<M extends ModuleDefinition>(mod: M): M {
  return mod;
}
