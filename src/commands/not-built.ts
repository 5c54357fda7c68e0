import { DispatchError } from '../errors.js';
import type { Handler } from '../cli/types.js';

/** Handler for a registered command that does not work yet: says so, never pretends. */
export function notBuilt(command: string): Handler {
  return async () => {
    throw new DispatchError({
      code: 'NOT_IMPLEMENTED',
      exitCode: 2,
      message: `dispatch ${command} is not built yet in this version.`,
      hint: 'See README.md for the commands that work today.',
    });
  };
}
