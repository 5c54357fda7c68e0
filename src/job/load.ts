import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { notFoundError, usageError } from '../errors.js';
import type { JobKind } from './schema.js';

/** Job files above this size are refused before parsing (a job is a small, portable document). */
export const MAX_JOB_BYTES = 10 * 1024 * 1024;
/** Deeper documents are refused: no real job nests this far, and it keeps every walker bounded. */
const MAX_JOB_DEPTH = 64;

export interface LoadedJobFile {
  path: string;
  kind: JobKind;
  text: string;
  raw: unknown;
}

export function jobKindOf(file: string): JobKind | null {
  const base = path.basename(file);
  if (base.endsWith('.job.case.json')) return 'case';
  if (base.endsWith('.job.seed.json')) return 'seed';
  return null;
}

export async function loadJobFile(casePath: string, cwd: string): Promise<LoadedJobFile> {
  const abs = path.resolve(cwd, casePath);
  const kind = jobKindOf(abs);
  if (!kind) {
    throw usageError('JOB_FILE_KIND', `${casePath} is not a job file name: it must end in .job.case.json or .job.seed.json.`, {
      hint: 'Rename it: *.job.case.json for portable jobs (memory.recall only), *.job.seed.json for jobs that write memory.',
    });
  }
  let buf: Buffer;
  try {
    const stat = statSync(abs);
    if (!stat.isFile()) throw usageError('JOB_FILE_KIND', `${casePath} is not a file.`);
    if (stat.size > MAX_JOB_BYTES) {
      throw usageError('JOB_TOO_LARGE', `${casePath} is ${stat.size} bytes; job files are limited to ${MAX_JOB_BYTES} bytes.`, {
        hint: 'Keep data out of the job: read it from the API or memory at run time, or pass values with --set.',
      });
    }
    buf = readFileSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw notFoundError('CASE_NOT_FOUND', `Job file ${casePath} does not exist.`, {
        hint: 'Check the path; `dispatch job cases` lists the job files it can find.',
        next: [{ command: 'dispatch job cases', description: 'list job files in ./jobs and module layers' }],
      });
    }
    throw err;
  }
  const text = decodeUtf8(buf, casePath);
  return { path: abs, kind, text, raw: parseJobJson(text, casePath) };
}

function decodeUtf8(buf: Buffer, label: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    throw usageError('JOB_NOT_UTF8', `${label} is not valid UTF-8.`, { hint: 'Save the job file as UTF-8 text.' });
  }
}

/** Parses job JSON and refuses prototype keys and runaway nesting, naming where they are. */
export function parseJobJson(text: string, label: string): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw usageError('JOB_JSON_INVALID', `${label} is not valid JSON: ${describeJsonError(text, err as Error)}.`, {
      hint: 'Fix the JSON syntax (a trailing comma or an unclosed brace is the usual cause); `dispatch schema case --print` shows the shape.',
    });
  }
  checkStructure(raw, '$', 0, label);
  return raw;
}

function checkStructure(value: unknown, where: string, depth: number, label: string): void {
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_JOB_DEPTH) {
    throw usageError('JOB_TOO_DEEP', `${label}: ${truncate(where)} is nested more than ${MAX_JOB_DEPTH} levels deep.`, {
      hint: 'Flatten the payload; job files are limited in depth so every tool can read them safely.',
    });
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkStructure(v, `${where}[${i}]`, depth + 1, label));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === '__proto__') {
      throw usageError('FORBIDDEN_KEY', `${label}: ${truncate(where)} has a "__proto__" key.`, {
        hint: 'Remove the "__proto__" key; it is never a valid field.',
      });
    }
    checkStructure(v, /^[A-Za-z_$][\w$]*$/.test(k) ? `${where}.${k}` : `${where}[${JSON.stringify(k)}]`, depth + 1, label);
  }
}

function describeJsonError(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  const atEnd = /end of JSON input/.test(err.message);
  // V8 reports an unexpected token by quoting the source (line breaks and all) instead of a position.
  const pos = m ? Number(m[1]) : atEnd ? text.length : firstBadOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  const what = atEnd
    ? 'the file ends before the JSON is complete'
    : err.message
        .replace(/ in JSON at position \d+.*$/s, '')
        .replace(/, ".*" is not valid JSON$/s, '')
        .replace(/ \(line \d+ column \d+\)$/, '');
  return `${what} at line ${line}, column ${col}`;
}

/** Offset of the first character no valid JSON text could continue with (binary search over prefixes). */
function firstBadOffset(text: string): number {
  const viable = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      return /end of JSON input/.test((e as Error).message) || (at !== null && Number(at[1]) >= n);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (viable(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function truncate(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
