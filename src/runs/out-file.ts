import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isRunId } from './run-id.js';

/** A folder an `--out` file may not be written into, and how to name it in the refusal. */
export interface ProtectedDir {
  dir: string;
  what: string;
}

export interface OutFileOptions {
  /** Error code when the write itself fails or the path is a folder, e.g. DUMP_UNWRITABLE. */
  unwritableCode: string;
  /** What is written, for messages: "the dump", "the report". */
  what: string;
  /** The records the command reads: an --out inside them would change what it just read. */
  protect: ProtectedDir[];
}

/**
 * Writes the `--out` file of `job dump`, `job export` and `job report`. The rename replaces
 * whatever is at the path, so the path is checked first: it must not lie inside a record being
 * read, and what is there must be a regular file (a device, pipe, socket or link would be
 * swapped for a file). Written through a temp file and a rename, so no reader sees half of it.
 */
export async function writeOutFile(file: string, data: string | Uint8Array, o: OutFileOptions): Promise<number> {
  await refuseInside(file, o.protect);
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
    throw usageError(o.unwritableCode, `Cannot write ${o.what} to ${file}: ${(err as Error).message}.`, { hint: 'Pass --out a file path in a writable folder (not a directory).', details: { out: file } });
  }
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

async function refuseInside(file: string, protect: ProtectedDir[]): Promise<void> {
  const real = await realPathOf(file);
  refuseOtherRecords(file, real, protect);
  for (const p of protect) {
    // Both as written and with links resolved: a linked parent folder must not lead into a record.
    const realDir = await fs.realpath(p.dir).catch(() => path.resolve(p.dir));
    if (isInside(path.resolve(p.dir), path.resolve(file)) || isInside(realDir, real)) {
      throw usageError('OUT_INSIDE_RUN', `--out ${file} lies inside ${p.what} ${p.dir}; nothing was written.`, {
        hint: 'Write the file somewhere else: a recorded run (and the batches folder) is never changed after it is written.',
        details: { out: file, protected: p.dir },
      });
    }
  }
}

/**
 * Every record beside the one being read is protected too: a protected run folder or batches
 * folder names its run output root, and no --out may land inside any run (or run being written,
 * or the batches folder) under that root. Writing a dump over another run's summary.json would
 * corrupt that run just as surely.
 */
function refuseOtherRecords(file: string, real: string, protect: ProtectedDir[]): void {
  const roots = new Set(protect.filter((p) => isRunId(path.basename(p.dir)) || path.basename(p.dir) === 'batches').map((p) => path.dirname(path.resolve(p.dir))));
  for (const root of roots) {
    for (const candidate of [path.resolve(file), real]) {
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
