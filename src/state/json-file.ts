import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Reads a JSON state file; a missing file gives `fallback`, a corrupt one a clear exit-2 error. */
export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
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
  try {
    await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
  } catch (err) {
    throw usageError('STATE_UNWRITABLE', `Cannot write ${file}: ${(err as Error).message}.`, {
      hint: 'Check that DISPATCH_HOME (default ~/.dispatch) is writable.',
    });
  }
}
