import { DispatchError, EXIT } from '../errors.js';

/**
 * While a run is in progress, a module must not be able to end the process behind the engine's
 * back: `process.exit` from a handler, an exception thrown in a timer it started, or a promise it
 * forgot to await would otherwise kill the run before its record says what happened. The trap
 * turns each into a DispatchError the engine fails the current step with; the run then ends as
 * usual, with its record and envelope.
 */
interface FaultTrap {
  /** Rejects with the first fault; pending forever when there is none. */
  fault: Promise<never>;
  /** The first fault so far, if any. */
  readonly caught: DispatchError | undefined;
  release(): void;
}

/** The real process.exit, for the one place that must exit at once (a second Ctrl-C). */
export const exitNow: (code?: number) => never = process.exit.bind(process) as (code?: number) => never;

// Runs of a batch overlap in one process; a fault cannot be traced to one of them, so every run
// in progress hears of it (each fails its current step) rather than none.
const listeners = new Set<(e: DispatchError) => void>();

function broadcast(e: DispatchError): void {
  for (const l of listeners) l(e);
}

const onException = (err: unknown): void =>
  broadcast(
    new DispatchError({
      code: 'MODULE_ASYNC_ERROR',
      exitCode: EXIT.INTERNAL,
      message: `A module threw outside the step it ran in (in a timer, a callback or a promise nobody awaited): ${err instanceof Error ? err.message : String(err)}`,
      hint: 'Fix the module: await every promise a handler starts, and catch errors in its callbacks.',
    }),
  );

const trappedExit = ((code?: number | string | null) => {
  const e = new DispatchError({
    code: 'MODULE_CALLED_EXIT',
    exitCode: EXIT.INTERNAL,
    message: `A module called process.exit(${code ?? ''}) during the run; dispatch ended the step instead of the process.`,
    hint: 'A handler returns its result or throws an error; it never exits the process (MODULE_AUTHORING.md).',
  });
  broadcast(e);
  throw e;
}) as typeof process.exit;

export function installFaultTrap(): FaultTrap {
  let reject!: (e: DispatchError) => void;
  let caught: DispatchError | undefined;
  const fault = new Promise<never>((_, r) => (reject = r));
  fault.catch(() => undefined); // observed by whoever races it; never an unhandled rejection itself
  const listener = (e: DispatchError) => {
    caught ??= e;
    reject(caught);
  };
  if (listeners.size === 0) {
    process.exit = trappedExit;
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onException);
  }
  listeners.add(listener);
  return {
    fault,
    get caught() {
      return caught;
    },
    release() {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      process.exit = exitNow;
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onException);
    },
  };
}
