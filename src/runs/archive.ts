import { firstProblem, SummarySchema } from './artifacts.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError, usageError } from '../errors.js';
import { createZip, listFilesRecursive, readZipSafe, writeTreeAtomically, type ZipEntry } from '../util/zip.js';
import { writeOutFile } from './out-file.js';
import { isRunId } from './run-id.js';

/** Run archives hold one small run folder; anything far bigger is not one of ours. */
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

/**
 * Zips a run folder with every entry under `<runId>/`, so unzipping by hand gives the same
 * folder. Written through the shared --out writer: never into the run folder, never over
 * anything but a regular file, never half written.
 */
export async function exportRun(runId: string, runDir: string, out: string): Promise<{ files: string[]; bytes: number }> {
  const { files, zip } = await packRun(runId, runDir);
  const bytes = await writeOutFile(out, zip, { unwritableCode: 'EXPORT_UNWRITABLE', what: 'the run archive', outputRoot: path.dirname(runDir) });
  return { files, bytes };
}

/** A run folder as the archive job export writes (what a worker sends back to the machine that asked for the run). */
export async function packRun(runId: string, runDir: string): Promise<{ files: string[]; zip: Uint8Array }> {
  const files = await listFilesRecursive(runDir);
  const entries = await Promise.all(files.map(async (f) => ({ path: `${runId}/${f}`, data: new Uint8Array(await fs.readFile(path.join(runDir, ...f.split('/')))) })));
  return { files, zip: createZip(entries) };
}

/**
 * Checks a run archive and unpacks it as `<outputRoot>/<runId>`, all or nothing. Every refusal
 * (unsafe or malformed zip, no summary, bad or foreign run id, entries outside the run folder,
 * an id already recorded) is exit 2 and happens before anything is written.
 */
export async function importRun(file: string, outputRoot: string): Promise<{ runId: string; runDir: string; files: string[]; summary: Record<string, unknown> }> {
  return importRunArchive(await readArchive(file), file, outputRoot);
}

/** importRun for archive bytes already in hand; `label` names them in errors. */
export async function importRunArchive(data: Uint8Array, file: string, outputRoot: string): Promise<{ runId: string; runDir: string; files: string[]; summary: Record<string, unknown> }> {
  const entries = readZipSafe(data, { what: 'run archive', maxTotalBytes: MAX_ARCHIVE_BYTES });
  if (entries.some((e) => e.path.startsWith('batches/'))) {
    throw usageError('RUN_ARCHIVE_INVALID', `${file} holds a batch (written by job export --batch-id), not one run. Nothing was written.`, {
      hint: `dispatch job merge ${file} imports its runs and its batch record.`,
    });
  }
  const { runId, summary, files } = locateRun(entries, file);
  const runDir = await installRun(runId, files, outputRoot);
  return { runId, runDir, files: files.map((f) => f.path), summary };
}

/** Writes one checked run folder as `<outputRoot>/<runId>`, all or nothing; RUN_EXISTS when that id is recorded. */
export async function installRun(runId: string, files: ZipEntry[], outputRoot: string): Promise<string> {
  const runDir = path.join(outputRoot, runId);
  const exists = await fs.lstat(runDir).then(
    () => true,
    () => false,
  );
  if (exists) throw runExists(runId, runDir);
  try {
    await writeTreeAtomically(runDir, files);
  } catch (err) {
    // Another import may have landed the same id between the check and the rename.
    if ((err as { code?: string }).code === 'ALREADY_EXISTS') throw runExists(runId, runDir);
    throw err;
  }
  return runDir;
}

/** Accepts `<runId>/<file>` entries (what export writes) or a flat folder with summary.json at the root. */
export function locateRun(entries: ZipEntry[], file: string): { runId: string; summary: Record<string, unknown>; files: ZipEntry[] } {
  const refuse = (message: string, hint = 'Export runs with `dispatch job export --run-id <id> --out <zip>`; it writes one run folder with its summary.json.') =>
    usageError('RUN_ARCHIVE_INVALID', `${file} is not a run archive: ${message}. Nothing was written.`, { hint });
  const flat = entries.find((e) => e.path === 'summary.json');
  const nested = entries.filter((e) => /^[^/]+\/summary\.json$/.test(e.path));
  if (!flat && nested.length === 0) throw refuse('it has no summary.json');
  if (!flat && nested.length > 1) throw refuse(`it holds ${nested.length} run folders; import takes one run at a time`);
  const summaryEntry = flat ?? nested[0];
  const prefix = flat ? '' : summaryEntry.path.slice(0, -'summary.json'.length);
  let raw: { runId?: unknown } | null;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(summaryEntry.data));
  } catch {
    throw refuse('its summary.json is not valid JSON');
  }
  const runId = raw?.runId;
  if (typeof runId !== 'string' || !isRunId(runId)) throw refuse(`its summary.json names the run id ${JSON.stringify(runId)}, which is not of the form YYYYMMDD-HHMMSS-<command>-<7 hex>`);
  // The same format every reader of the imported run will hold it to (src/runs/artifacts.ts).
  const parsed = SummarySchema.safeParse(raw);
  if (!parsed.success) throw refuse(`its summary.json is not a run summary (${firstProblem(parsed.error)})`);
  const summary = parsed.data;
  if (prefix && prefix !== `${runId}/`) throw refuse(`its folder ${JSON.stringify(prefix.slice(0, -1))} does not match the run id ${runId} in its summary.json`);
  const outside = entries.find((e) => !e.path.startsWith(prefix));
  if (outside) throw refuse(`entry ${JSON.stringify(outside.path)} lies outside the run folder ${runId}/`);
  return { runId, summary, files: entries.map((e) => ({ path: e.path.slice(prefix.length), data: e.data })) };
}

export async function readArchive(file: string, maxBytes = MAX_ARCHIVE_BYTES): Promise<Uint8Array> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw notFoundError('ARCHIVE_NOT_FOUND', `Run archive ${file} does not exist.`, { hint: 'Check the path given to --file.' });
  }
  if (!stat.isFile()) throw usageError('RUN_ARCHIVE_INVALID', `${file} is not a file.`, { hint: 'Pass --file the .zip written by dispatch job export.' });
  if (stat.size > maxBytes) throw usageError('RUN_ARCHIVE_INVALID', `${file} is ${stat.size} bytes, more than the ${maxBytes}-byte limit for this archive.`);
  return new Uint8Array(await fs.readFile(file));
}

function runExists(runId: string, runDir: string) {
  return usageError('RUN_EXISTS', `Run ${runId} is already recorded at ${runDir}; nothing was written.`, {
    hint: 'The run is already here. To import it again, move or delete that folder first.',
    details: { runId, runDir },
    next: [{ command: `dispatch job inspect --run-id ${runId}`, description: 'see the run already recorded' }],
  });
}
