/** Exit codes of the output contract: 0 ok, 1 internal, 2 usage/input, 3 transient, 4 not found. */
export type ExitCode = 0 | 1 | 2 | 3 | 4;

export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  TRANSIENT: 3,
  NOT_FOUND: 4,
} as const satisfies Record<string, ExitCode>;

export interface NextHint {
  command: string;
  description: string;
}

interface DispatchErrorInit {
  code: string;
  exitCode: ExitCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  next?: NextHint[];
  cause?: unknown;
}

/**
 * The one error type users see. The message lives on the error (never only in a log line) so the
 * JSON envelope and the human renderer show the same thing.
 */
export class DispatchError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  readonly next: NextHint[];

  constructor(init: DispatchErrorInit) {
    super(oneLine(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DispatchError';
    this.code = init.code;
    this.exitCode = init.exitCode;
    this.hint = init.hint;
    this.details = init.details;
    this.next = init.next ?? [];
  }

  toJSON(): { code: string; message: string; hint?: string; details?: Record<string, unknown> } {
    const out: { code: string; message: string; hint?: string; details?: Record<string, unknown> } = {
      code: this.code,
      message: this.message,
    };
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

/** Messages stay one line: line breaks and control characters that came from input are shown escaped. */
export function oneLine(message: string): string {
  return message.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export function isDispatchError(err: unknown): err is DispatchError {
  return (
    err instanceof DispatchError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'DispatchError' && typeof (err as { exitCode?: unknown }).exitCode === 'number')
  );
}

type Extra = Omit<DispatchErrorInit, 'code' | 'exitCode' | 'message'>;

export const usageError = (code: string, message: string, extra: Extra = {}) => new DispatchError({ code, exitCode: EXIT.USAGE, message, ...extra });
export const notFoundError = (code: string, message: string, extra: Extra = {}) => new DispatchError({ code, exitCode: EXIT.NOT_FOUND, message, ...extra });
export const transientError = (code: string, message: string, extra: Extra = {}) => new DispatchError({ code, exitCode: EXIT.TRANSIENT, message, ...extra });

/** Exit class for an HTTP status an action refused to accept (section 3 of the design). */
export function exitCodeForHttpStatus(status: number): ExitCode {
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 408 || status === 425 || status === 429 || status >= 500) return EXIT.TRANSIENT;
  if (status >= 400) return EXIT.USAGE;
  return EXIT.OK;
}

/** Turns anything thrown into a DispatchError; unknown throwables become internal errors. */
export function toDispatchError(err: unknown): DispatchError {
  if (err instanceof DispatchError) return err;
  if (isDispatchError(err)) {
    const e = err as DispatchError;
    return new DispatchError({ code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint, details: e.details, next: e.next });
  }
  const fsError = filesystemError(err);
  if (fsError) return fsError;
  const message = err instanceof Error ? err.message : String(err);
  return new DispatchError({
    code: 'INTERNAL',
    exitCode: EXIT.INTERNAL,
    message: message || 'internal error',
    hint:
      process.env.DISPATCH_DEBUG === '1'
        ? 'This is a bug in dispatch or a module; the stack trace is on stderr, and in error.details.stack under --json.'
        : 'This is a bug in dispatch or a module. Re-run with DISPATCH_DEBUG=1 for a stack trace.',
    // Only on request: stacks name local paths and are noise for agents.
    ...(process.env.DISPATCH_DEBUG === '1' && err instanceof Error && err.stack ? { details: { stack: err.stack } } : {}),
    cause: err,
  });
}

// A folder that is read-only, full, or a file where a folder should be is the environment's
// doing, not a bug in dispatch: exit 2 with the path, whichever code path met it first.
const FS_INPUT_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EFBIG', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG', 'ELOOP']);

function filesystemError(err: unknown): DispatchError | undefined {
  const e = err as { code?: unknown; syscall?: unknown; path?: unknown } | null;
  if (typeof e !== 'object' || e === null || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  // ENOENT while creating something means a parent folder is missing or vanished (e.g. a home
  // under a read-only mount): the environment again, not a bug.
  const creating = e.code === 'ENOENT' && ['mkdir', 'mkdtemp', 'rename', 'copyfile', 'link', 'symlink'].includes(e.syscall);
  if (!FS_INPUT_CODES.has(e.code) && !creating) return undefined;
  const where = typeof e.path === 'string' ? ` ${e.path}` : '';
  return new DispatchError({
    code: 'FILESYSTEM',
    exitCode: EXIT.USAGE,
    message: `Cannot ${e.syscall}${where}: ${e.code}${e.code === 'ENOSPC' ? ' (the disk is full)' : ''}.`,
    hint: 'Check that the folder exists, is a folder (not a file), is writable and has free space: DISPATCH_HOME for state, DISPATCH_RUN_OUTPUT for runs, or the path you passed.',
    details: { errno: e.code, syscall: e.syscall, ...(where ? { path: e.path } : {}) },
    cause: err,
  });
}
