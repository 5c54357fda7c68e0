import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

let counter = 0;

interface AtomicWriteOptions {
  /** File mode of a newly written file (e.g. 0o600 for memory, which may hold personal data). */
  mode?: number;
  /**
   * Flush the data and the folder entry to disk before returning. State that other processes
   * read back (memory) asks for this; files a person re-creates by running a command again do not.
   */
  durable?: boolean;
}

/**
 * Writes a file so no reader ever sees half of it: a temp file in the same folder (created if
 * missing), then a rename over the target. On failure the temp file is removed and the error is
 * rethrown for the caller to turn into its own DispatchError.
 *
 * Synchronous: these are small files or files a command waits for anyway, and each awaited step of
 * an async form was a round trip through libuv's thread pool, which cost a warm run more than the
 * writes themselves (docs/performance.md).
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  // pid + counter keep concurrent writers (processes or calls) apart; no need for crypto.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    fd = openSync(tmp, 'wx', opts.mode ?? 0o666);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    if (opts.durable) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* the error below is the one to report */
      }
    }
    rmSync(tmp, { force: true });
    throw err;
  }
  if (opts.durable) syncFolder(path.dirname(file));
}

/** writeFileAtomicSync for callers written against a promise. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  writeFileAtomicSync(file, data, opts);
}

/** Best effort: persist the rename itself. Not supported everywhere (Windows); the rename is still atomic. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* see above */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
