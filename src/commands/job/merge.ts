import fs from 'node:fs/promises';
import path from 'node:path';
import type { OptionsOf } from '../../cli/command-options.js';
import { DispatchError, type NextHint } from '../../errors.js';
import { ensureWritable } from '../../job/execute.js';
import type { CommandResult } from '../../output/envelope.js';
import { installRun, locateRun } from '../../runs/archive.js';
import { openMergeSource, type MergeSource } from '../../runs/batch-archive.js';
import { newBatchId, writeBatchRecord, type BatchRecord } from '../../runs/batch.js';
import { mergeBatches } from '../../runs/merge.js';
import type { ZipEntry } from '../../util/zip.js';
import { outputRootOf, resolveBase } from '../context.js';
import { batchView } from './batch-inspect.js';
import { parseReporters, withReports } from './reporters.js';

/**
 * `job merge <run output folder | batch archive>...`: the shards of a CI matrix into this run
 * output folder as one batch. Every source is read and checked before anything is written; the
 * runs are imported (a run already here is kept as it is), then the merged batch record is
 * written last, so an interrupted merge leaves whole runs and no batch naming missing ones. The
 * command's verdict is the merged batch's, so it gates a pipeline like job test does.
 */
export async function jobMerge(opts: OptionsOf<'job merge'>): Promise<CommandResult> {
  const specs = parseReporters(opts.reporter);
  const base = resolveBase(opts);
  const outputRoot = outputRootOf(base);
  const sources: MergeSource[] = [];
  for (const s of opts.sources) sources.push(await openMergeSource(s, base.cwd));
  // The same shard given twice (its folder and its archive) counts once.
  const records = new Map<string, BatchRecord>();
  for (const b of sources.flatMap((s) => s.batches)) records.set(b.batchId, b);
  const { record, findings } = mergeBatches([...records.values()], newBatchId());

  // Read and check every run before writing one.
  const toInstall: Array<{ runId: string; files: ZipEntry[] }> = [];
  const missingRuns: string[] = [];
  let alreadyHere = 0;
  for (const runId of record.runIds) {
    if (await isDir(path.join(outputRoot, runId))) {
      alreadyHere++;
      continue;
    }
    const found = await firstRunFiles(sources, runId);
    if (!found) {
      missingRuns.push(runId);
      continue;
    }
    toInstall.push({ runId, files: locateRun(found.files, `${found.source.path} (run ${runId})`).files });
  }
  await ensureWritable(outputRoot);
  for (const r of toInstall) await installRun(r.runId, r.files, outputRoot);
  const batchPath = await writeBatchRecord(outputRoot, record);

  const warnings = [
    ...(findings.missingShards.length
      ? [{ path: 'shards', message: `no source holds shard(s) ${findings.missingShards.join(', ')} of ${record.count} case(s) or run(s); they count as not started` }]
      : []),
    ...(findings.duplicateIndexes.length ? [{ path: 'runs', message: `index(es) ${findings.duplicateIndexes.join(', ')} ran in more than one source; each run is kept` }] : []),
    ...(missingRuns.length ? [{ path: 'runs', message: `${missingRuns.length} run(s) are in no source's folder (${missingRuns.slice(0, 3).join(', ')}); reports show them as not recorded` }] : []),
  ];
  const { runs: _runs, ...summary } = record;
  const data = {
    ...summary,
    batchPath,
    sources: sources.map((s) => ({ path: s.path, kind: s.kind, batches: s.batches.map((b) => b.batchId) })),
    imported: toInstall.length,
    alreadyHere,
    ...(warnings.length ? { warnings } : {}),
    failures: record.runs.filter((r) => r.status !== 'SUCCESS' || r.exitCode !== 0).slice(0, 20),
  };
  const { status, exitCode } = record.outcome;
  const next: NextHint[] = [
    { command: `dispatch job report --batch-id ${record.batchId} --format html --out report.html`, description: 'the merged batch as one HTML page' },
    { command: `dispatch job report --batch-id ${record.batchId} --format junit --out junit.xml`, description: 'the merged batch as JUnit XML' },
  ];
  const result: CommandResult = { status, exitCode, data, next, view: batchView };
  if (status !== 'SUCCESS') {
    const failed = record.runs.filter((r) => r.status !== 'SUCCESS' || r.exitCode !== 0).length;
    result.error = new DispatchError({
      code: record.kind === 'suite' ? 'SUITE_FAILED' : 'BATCH_FAILED',
      exitCode,
      message: `Merged batch ${record.batchId}: ${failed} of ${record.count} failed${record.notStarted ? `, ${record.notStarted} never started` : ''}.`,
      hint: `dispatch job batch-inspect --batch-id ${record.batchId} lists every run with its error.`,
    });
  }
  return withReports(result, { base, outputRoot, command: 'job merge', specs, target: { batchId: record.batchId } });
}

async function firstRunFiles(sources: MergeSource[], runId: string): Promise<{ source: MergeSource; files: ZipEntry[] } | undefined> {
  for (const source of sources) {
    const files = await source.runFiles(runId);
    if (files) return { source, files };
  }
  return undefined;
}

const isDir = (p: string) =>
  fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

export default (opts: OptionsOf<'job merge'>) => jobMerge(opts);
