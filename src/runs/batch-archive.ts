import fs from 'node:fs/promises';
import path from 'node:path';
import { isDispatchError, notFoundError, usageError } from '../errors.js';
import { batchesDir } from '../state/paths.js';
import { createZip, listFilesRecursive, readZipSafe, type ZipEntry } from '../util/zip.js';
import { readArchive } from './archive.js';
import { checkBatchRecord, type BatchRecord } from './batch.js';
import { writeOutFile } from './out-file.js';
import { isRunId } from './run-id.js';

/*
 * A batch archive holds what a run output folder holds for one batch: `batches/<batchId>.json` and
 * a `<runId>/` folder per run, so unzipping it into a run output folder gives that folder. CI
 * shards export one each, and job merge reads them (or the shards' run output folders) back.
 */

// A batch of thousands of runs is far bigger than one run.
const MAX_BATCH_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024;

/** Zips a batch record and every run it names; a run folder that is gone is refused, not left out. */
export async function exportBatch(outputRoot: string, batchPath: string, record: BatchRecord, out: string): Promise<{ runs: number; files: number; bytes: number }> {
  const entries: ZipEntry[] = [{ path: `batches/${record.batchId}.json`, data: new Uint8Array(await fs.readFile(batchPath)) }];
  const missing: string[] = [];
  for (const runId of record.runIds) {
    const runDir = path.join(outputRoot, runId);
    const files = await listFilesRecursive(runDir).catch(() => undefined);
    if (!files) {
      missing.push(runId);
      continue;
    }
    for (const f of files) entries.push({ path: `${runId}/${f}`, data: new Uint8Array(await fs.readFile(path.join(runDir, ...f.split('/')))) });
  }
  if (missing.length) {
    throw notFoundError(
      'BATCH_INCOMPLETE',
      `Batch ${record.batchId} names ${missing.length} run(s) that are not recorded under ${outputRoot}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}. Nothing was written.`,
      {
        hint: 'Restore the run folders (or import their archives) first; an archive without them could not be reported on.',
        details: { missing },
      },
    );
  }
  const bytes = await writeOutFile(out, createZip(entries), { unwritableCode: 'EXPORT_UNWRITABLE', what: 'the batch archive', outputRoot });
  return { runs: record.runIds.length, files: entries.length, bytes };
}

/** Where job merge reads shards from: a run output folder or a batch archive. */
export interface MergeSource {
  path: string;
  kind: 'folder' | 'archive';
  batches: BatchRecord[];
  /** The files of a run folder of this source, or undefined when it does not hold that run. */
  runFiles(runId: string): Promise<ZipEntry[] | undefined>;
}

export async function openMergeSource(given: string, cwd: string): Promise<MergeSource> {
  const abs = path.resolve(cwd, given);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat) throw notFoundError('MERGE_SOURCE_NOT_FOUND', `${given} does not exist.`, { hint: 'Pass run output folders or archives written by dispatch job export --batch-id.' });
  const source = stat.isDirectory() ? await folderSource(abs) : await archiveSource(abs);
  if (source.batches.length === 0) {
    throw usageError('MERGE_NO_BATCH', `${given} holds no batch record (batches/<id>.json).`, {
      hint: 'Pass the run output folder of a job test or run-many shard, or an archive from dispatch job export --batch-id.',
    });
  }
  return source;
}

async function folderSource(dir: string): Promise<MergeSource> {
  const names = await fs.readdir(batchesDir(dir)).catch(() => [] as string[]);
  const batches: BatchRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(batchesDir(dir), name);
    batches.push(checkBatchRecord(await readJsonFile(file), file));
  }
  return {
    path: dir,
    kind: 'folder',
    batches,
    async runFiles(runId) {
      const runDir = path.join(dir, runId);
      const files = await listFilesRecursive(runDir).catch(() => undefined);
      if (!files) return undefined;
      return Promise.all(files.map(async (f) => ({ path: f, data: new Uint8Array(await fs.readFile(path.join(runDir, ...f.split('/')))) })));
    },
  };
}

async function archiveSource(file: string): Promise<MergeSource> {
  const entries = readZipSafe(await readArchive(file, MAX_BATCH_ARCHIVE_BYTES), { what: 'batch archive', maxTotalBytes: MAX_BATCH_ARCHIVE_BYTES });
  const batches = entries.filter((e) => /^batches\/[^/]+\.json$/.test(e.path)).map((e) => checkBatchRecord(parseJson(e.data, `${file}:${e.path}`), `${file}:${e.path}`));
  const byRun = new Map<string, ZipEntry[]>();
  for (const e of entries) {
    const slash = e.path.indexOf('/');
    const top = e.path.slice(0, slash);
    if (slash < 0 || !isRunId(top)) continue;
    byRun.set(top, [...(byRun.get(top) ?? []), { path: e.path.slice(slash + 1), data: e.data }]);
  }
  return { path: file, kind: 'archive', batches, runFiles: async (runId) => byRun.get(runId) };
}

async function readJsonFile(file: string): Promise<unknown> {
  return parseJson(new Uint8Array(await fs.readFile(file)), file);
}

function parseJson(data: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (err) {
    if (isDispatchError(err)) throw err;
    throw usageError('BATCH_RECORD_CORRUPT', `${where} is not valid JSON.`, { hint: 'The file was edited or cut short; export the batch again.' });
  }
}
