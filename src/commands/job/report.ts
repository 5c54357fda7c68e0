import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError, type NextHint } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { redactor } from '../../output/redact.js';
import { readBatch } from '../../runs/batch.js';
import { renderJunit, suiteFromRun, totalsOf, unrecordedSuite, type JunitSuite } from '../../runs/junit.js';
import { readJson, resolveRunDir } from '../../runs/store.js';
import { outputRootOf, resolveBase, type BaseOptions } from '../context.js';

export interface JobReportOptions {
  cwd?: string;
  runId?: string;
  batchId?: string;
  format?: string;
  out?: string;
}

type Obj = Record<string, unknown>;
const FORMATS = ['junit'];

/**
 * Offline: a recorded run (or every run of a batch) as a JUnit XML report for CI. The command
 * succeeds when it can write the report; the verdict is in the counts, so a pipeline can publish
 * the report of a failed run.
 */
export async function jobReport(opts: JobReportOptions): Promise<CommandResult> {
  const format = (opts.format ?? 'junit').toLowerCase();
  if (!FORMATS.includes(format)) {
    throw usageError('BAD_OPTION', `--format must be one of ${FORMATS.join(', ')}, not "${opts.format}".`, { hint: 'Example: dispatch job report --run-id latest --format junit' });
  }
  if (opts.runId && opts.batchId) {
    throw usageError('BAD_OPTION', 'Pass --run-id or --batch-id, not both.', { hint: '--batch-id reports every run of a batch; --run-id one run.' });
  }
  const base = resolveBase(opts);
  const outputRoot = outputRootOf(base);
  const built = opts.batchId ? await batchReport(base, outputRoot, opts.batchId) : await runReport(base, outputRoot, opts.runId ?? 'latest');
  const xml = renderJunit(built.name, built.suites, built.durationMs, redactor);
  const totals = totalsOf(built.suites);
  const data: Obj = { format, ...built.ids, ...totals };
  const next = nextHints(built.suites, built.ids);
  if (opts.out) {
    const out = path.resolve(base.cwd, opts.out);
    await writeAtomic(out, xml);
    return { status: 'SUCCESS', exitCode: 0, data: { ...data, out, bytes: Buffer.byteLength(xml) }, next, view: (e, c) => `${c.green('wrote')} ${String(e.out)} ${c.dim(`(${e.tests} test(s): ${e.failures} failure(s), ${e.errors} error(s), ${e.skipped} skipped)`)}\n` };
  }
  // Human mode prints the XML alone so it can be redirected into a file (hence no next[] either).
  return { status: 'SUCCESS', exitCode: 0, data: { ...data, xml }, next: [], view: () => xml };
}

interface Built {
  name: string;
  suites: JunitSuite[];
  durationMs: number;
  ids: Obj;
}

async function runReport(base: BaseOptions, outputRoot: string, which: string): Promise<Built> {
  const { runId, runDir } = await resolveRunDir(outputRoot, which);
  const suite = await recordedSuite(base, runDir, runId, undefined);
  return { name: `dispatch ${suite.name}`, suites: [suite], durationMs: suite.durationMs, ids: { runId, runDir } };
}

async function batchReport(base: BaseOptions, outputRoot: string, which: string): Promise<Built> {
  const { batchId, batchPath, record } = await readBatch(outputRoot, which);
  const suites: JunitSuite[] = [];
  for (const r of record.runs ?? []) {
    const name = `${record.jobType} #${r.index}`;
    const props = { batchId, batchIndex: String(r.index), ...(r.runId ? { runId: r.runId } : {}) };
    const runDir = r.runId ? path.join(outputRoot, r.runId) : undefined;
    const suite = runDir ? await recordedSuite(base, runDir, r.runId!, { name, batchId, index: r.index }).catch(() => undefined) : undefined;
    suites.push(suite ?? unrecordedSuite(name, r.runId ? { code: 'RUN_NOT_FOUND', message: `Run ${r.runId} is not recorded under ${outputRoot}.` } : r.error, props));
  }
  return { name: `dispatch batch ${batchId}`, suites, durationMs: Number(record.durationMs) || 0, ids: { batchId, batchPath } };
}

async function recordedSuite(base: BaseOptions, runDir: string, runId: string, batch: { name: string; batchId: string; index: number } | undefined): Promise<JunitSuite> {
  const summary = redactor.redact((await readJson(path.join(runDir, 'summary.json'))) as Obj);
  await registerCredentialSecrets(base, runDir);
  const name = batch?.name ?? String(summary.jobType ?? runId);
  const props: Record<string, string> = { runId, runStatus: String(summary.status) };
  if (typeof summary.casePath === 'string') props.casePath = summary.casePath;
  if (batch) Object.assign(props, { batchId: batch.batchId, batchIndex: String(batch.index) });
  props.inspect = `dispatch job inspect --run-id ${runId}`;
  return suiteFromRun(summary, name, props);
}

/**
 * The artifacts were redacted when written; the values of the credential env vars this process
 * can see are registered too, so a secret that slipped into an older record still never reaches CI.
 */
async function registerCredentialSecrets(base: BaseOptions, runDir: string): Promise<void> {
  const job = (await readJson(path.join(runDir, 'job.case.input.json')).catch(() => undefined)) as { credentials?: Record<string, { fromEnv?: Record<string, unknown> }> } | undefined;
  for (const profile of Object.values(job?.credentials ?? {})) {
    for (const envVar of Object.values(profile?.fromEnv ?? {})) if (typeof envVar === 'string') redactor.addSecret(base.env[envVar]);
  }
}

function nextHints(suites: JunitSuite[], ids: Obj): NextHint[] {
  const failed = suites.find((s) => s.cases.some((c) => c.outcome === 'failure' || c.outcome === 'error'))?.properties.runId;
  if (failed) return [{ command: `dispatch job inspect --run-id ${failed}`, description: 'what the first failing run sent and received' }];
  if (ids.batchId) return [{ command: `dispatch job batch-inspect --batch-id ${String(ids.batchId)}`, description: 'the batch with its counts and durations' }];
  return [{ command: `dispatch job assert --run-id ${String(ids.runId)}`, description: 'check the job assertions on the run' }];
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    if ((await fs.stat(file).catch(() => undefined))?.isDirectory()) throw new Error('it is a directory');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw usageError('REPORT_UNWRITABLE', `Cannot write the report to ${file}: ${(err as Error).message}.`, { hint: 'Pass --out a file path in a writable folder (not a directory).' });
  }
}

export default (opts: Record<string, unknown>) => jobReport(opts as JobReportOptions);
