import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isRunId } from './run-id.js';

interface OutFileOptions {
  /** Error code when the write itself fails or the path is a folder, e.g. DUMP_UNWRITABLE. */
  unwritableCode: string;
  /** What is written, for messages: "the dump", "the report". */
  what: string;
  /** The run output root the command reads from: no --out may land in a record under it. */
  outputRoot: string;
}

/**
 * Writes the `--out` file of `job dump`, `job export` and `job report`. The rename replaces
 * whatever is at the path, so the path is checked first: it must not lie inside any record (a
 * run folder, a run being written or the batches folder), and what is there must be a regular file (a device, pipe, socket or link would be
 * swapped for a file). Written through a temp file and a rename, so no reader sees half of it.
 */
export async function writeOutFile(file: string, data: string | Uint8Array, o: OutFileOptions): Promise<number> {
  await refuseInsideRecords(file, o.outputRoot);
  const stat = await fs.lstat(file).catch(() => undefined);
  if (stat?.isDirectory()) {
    throw usageError(o.unwritableCode, `Cannot write ${o.what} to ${file}: it is a directory.`, { hint: 'Pass --out a file path in a writable folder (not a directory).', details: { out: file } });
  }
  if (stat && !stat.isFile()) {
    throw usageError('OUT_NOT_A_FILE', `--out ${file} is ${kindOf(stat)}, not a regular file; nothing was written.`, {
      hint: 'Pass --out the path of a regular file (it is replaced) or of a file that does not exist yet.',
      details: { out: file },
    });
  }
  try {
    await writeFileAtomic(file, data);
  } catch (err) {
    throw usageError(o.unwritableCode, `Cannot write ${o.what} to ${file}: ${(err as Error).message}.`, {
      hint: 'Pass --out a file path in a writable folder (not a directory).',
      details: { out: file },
    });
  }
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/**
 * Records are never changed after they are written: an --out inside any run folder, a run being
 * written (`.tmp-*`) or the batches folder of the output root is refused, as written and with
 * links resolved (a linked folder must not lead into a record either).
 */
async function refuseInsideRecords(file: string, outputRoot: string): Promise<void> {
  const candidates = [path.resolve(file), await realPathOf(file)];
  const roots = [path.resolve(outputRoot), await fs.realpath(outputRoot).catch(() => path.resolve(outputRoot))];
  for (const root of roots) {
    for (const candidate of candidates) {
      if (!isInside(root, candidate) || candidate === root) continue;
      const first = path.relative(root, candidate).split(path.sep)[0];
      if (isRunId(first) || first === 'batches' || first.startsWith('.tmp-')) {
        throw usageError('OUT_INSIDE_RUN', `--out ${file} lies inside the recorded ${first === 'batches' ? 'batches folder' : `run ${first}`} under ${root}; nothing was written.`, {
          hint: 'Write the file somewhere else: a recorded run (and the batches folder) is never changed after it is written.',
          details: { out: file, protected: path.join(root, first) },
        });
      }
    }
  }
}

const isInside = (dir: string, file: string) => {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/** The path with its nearest existing ancestor's links resolved (the file itself may not exist yet). */
async function realPathOf(file: string): Promise<string> {
  const rest: string[] = [];
  let cur = path.resolve(file);
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return path.resolve(file);
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

function kindOf(s: Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  return 'a special file';
}
