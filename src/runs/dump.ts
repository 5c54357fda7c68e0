import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import { readJson, readJsonl } from './store.js';

/** Every artifact of one run in a single document (what `job dump` prints or writes). */
export interface RunDump {
  runId: string;
  summary: Record<string, unknown>;
  meta: Record<string, unknown> | null;
  moduleResolution: Record<string, unknown> | null;
  /** The job file as read; its text when it is not JSON (it is recorded verbatim). */
  inputJob: unknown;
  resolvedJob: unknown;
  steps: Array<Record<string, unknown>>;
  http: Array<Record<string, unknown>>;
  /** activity.log, one entry per line. */
  activity: string[];
}

/** Reads a run folder; a missing optional artifact is null rather than an error, so old or partial imports still dump. */
export async function readRunDump(runId: string, runDir: string): Promise<RunDump> {
  const at = (name: string) => path.join(runDir, name);
  const optional = (name: string) => readJson(at(name)).catch((err) => (isMissing(err) ? null : Promise.reject(err)));
  const [summary, meta, moduleResolution, resolvedJob, steps, http, inputJob, activity] = await Promise.all([
    readJson(at('summary.json')),
    optional('meta.json'),
    optional('module_resolution.json'),
    optional('job.case.resolved.json'),
    readJsonl(at('steps.jsonl')),
    readJsonl(at('http.jsonl')),
    readText(at('job.case.input.json')),
    readText(at('activity.log')),
  ]);
  return {
    runId,
    summary: summary as Record<string, unknown>,
    meta: meta as RunDump['meta'],
    moduleResolution: moduleResolution as RunDump['moduleResolution'],
    inputJob: inputJob === null ? null : parseOrText(inputJob),
    resolvedJob,
    steps,
    http,
    activity: activity === null ? [] : activity.split('\n').filter((l) => l !== ''),
  };
}

/** Writes the dump to `file` via a temp file and rename, so a reader never sees half a document. */
export async function writeDump(file: string, dump: RunDump): Promise<number> {
  const text = `${JSON.stringify(dump, null, 2)}\n`;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isDirectory()) throw new Error('it is a directory');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw usageError('DUMP_UNWRITABLE', `Cannot write the dump to ${file}: ${(err as Error).message}.`, {
      hint: 'Pass --out a file path in a writable folder (not a directory).',
    });
  }
  return Buffer.byteLength(text);
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
