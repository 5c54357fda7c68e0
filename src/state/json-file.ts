import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { usageError } from '../errors.js';

/** Reads a JSON state file; a missing file gives `fallback`, a corrupt one a clear exit-2 error. */
export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw usageError('STATE_UNREADABLE', `Cannot read ${file}: ${(err as Error).message}.`, {
      hint: 'Check that DISPATCH_HOME (default ~/.dispatch) is a readable folder, not a file.',
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw usageError('STATE_CORRUPT', `${file} is not valid JSON (${(err as Error).message}).`, {
      hint: 'Fix or delete the file by hand; dispatch will not overwrite it.',
    });
  }
}

/** Writes JSON atomically: temp file in the same folder, then rename. */
export async function writeJsonFileAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw usageError('STATE_UNWRITABLE', `Cannot write ${file}: ${(err as Error).message}.`, {
      hint: 'Check that DISPATCH_HOME (default ~/.dispatch) is writable.',
    });
  }
}
