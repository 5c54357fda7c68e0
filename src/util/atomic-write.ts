import { closeSync, promises, openSync, renameSync, rmSync, writeSync } from 'node:fs';

// `promises` is read when an async write happens (esbuild keeps the property access at the call),
// so commands that never write state do not load fs/promises.
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
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  // pid + counter keep concurrent writers (processes or async calls) apart; no need for crypto.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let handle: promises.FileHandle | undefined;
  try {
    await promises.mkdir(path.dirname(file), { recursive: true });
    handle = await promises.open(tmp, 'wx', opts.mode ?? 0o666);
    await handle.writeFile(data);
    if (opts.durable) await handle.sync();
    await handle.close();
    handle = undefined;
    await promises.rename(tmp, file);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (opts.durable) await syncFolder(path.dirname(file));
}

/** Best effort: persist the rename itself. Not supported everywhere (Windows); the rename is still atomic. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const dh = await promises.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* see above */
  }
}

/**
 * writeFileAtomic for a file in a folder that exists, done synchronously: a run's record ends with
 * two of these, and each awaited step of the async form is a round trip through libuv's thread
 * pool, which cost a warm run more than the writes themselves (docs/performance.md).
 */
export function writeFileAtomicSync(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    const bytes = Buffer.from(data);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
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
}
