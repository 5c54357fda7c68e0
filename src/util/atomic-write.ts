import fs from 'node:fs/promises';
import path from 'node:path';

let counter = 0;

/**
 * Writes a file so no reader ever sees half of it: a temp file in the same folder (created if
 * missing), then a rename over the target. On failure the temp file is removed and the error is
 * rethrown for the caller to turn into its own DispatchError.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  // pid + counter keep concurrent writers (processes or async calls) apart; no need for crypto.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
