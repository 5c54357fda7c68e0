import { statSync } from 'node:fs';
import path from 'node:path';
import { isDispatchError } from '../errors.js';
import { interpolate } from '../engine/interpolate.js';
import { getAtPath, parseKeyPath } from '../util/key-path.js';
import { MAX_TIMER_MS, TIMER_LIMIT_TEXT } from '../engine/duration.js';
import { jsonPathOf, type Problems } from './problems.js';
import type { Job } from './schema.js';

/** `http` with env/inputs references resolved, as the run transport will use it. */
export interface ResolvedHttp {
  baseUrl?: string;
  defaultHeaders?: Record<string, string>;
  timeoutMs?: number;
  maxResponseBytes?: number;
  proxy?: string;
  /** As written (a path, relative to the working folder, or PEM text); the transport reads the files. */
  tls?: { ca?: string; cert?: string; key?: string; insecureSkipVerify?: boolean };
}

/** Resolves `http` against env and inputs and checks what it resolves to. */
export function checkHttp(job: Job, env: Record<string, string | undefined>, problems: Problems, broken: ReadonlySet<string> = new Set(), cwd = process.cwd()): ResolvedHttp | undefined {
  if (!job.http) {
    checkRequiredHttp(job, {}, problems, broken);
    return undefined;
  }
  // Resolve field by field: one unset env var must not hide problems in the others.
  let inputs: Record<string, unknown> = {};
  try {
    inputs = interpolate(job.inputs ?? {}, { env, run: {}, steps: {} }, '$.inputs') as Record<string, unknown>;
  } catch {
    /* reported per reference */
  }
  const scope = { env, run: { ...inputs, index: 0 }, steps: {} };
  const tryResolve = (v: unknown, where: string) => {
    try {
      return interpolate(v, scope, where);
    } catch (err) {
      if (!isDispatchError(err)) throw err;
      return undefined; // missing env vars were already reported per reference
    }
  };
  const resolved: Record<string, unknown> = {};
  if (job.http.baseUrl !== undefined) resolved.baseUrl = tryResolve(job.http.baseUrl, '$.http.baseUrl');
  if (job.http.timeoutMs !== undefined) resolved.timeoutMs = tryResolve(job.http.timeoutMs, '$.http.timeoutMs');
  if (job.http.maxResponseBytes !== undefined) resolved.maxResponseBytes = tryResolve(job.http.maxResponseBytes, '$.http.maxResponseBytes');
  if (job.http.defaultHeaders !== undefined) {
    const headers: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(job.http.defaultHeaders)) {
      const r = tryResolve(v, `$.http.defaultHeaders.${k}`);
      if (r !== undefined) headers[k] = r;
    }
    resolved.defaultHeaders = headers;
  }
  const out: ResolvedHttp = {};
  if (resolved.baseUrl !== undefined) {
    const url = String(resolved.baseUrl);
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      problems.error(
        '$.http.baseUrl',
        'HTTP_CONFIG',
        `http.baseUrl resolves to "${withoutUserinfo(url)}", which is not an absolute http(s) URL.`,
        'Use a value like https://api.example.com (check the env var it reads).',
      );
    } else if (hasUserinfo(url)) {
      // Refused rather than masked: the URL would travel into every recorded exchange and error.
      problems.error(
        '$.http.baseUrl',
        'HTTP_BASEURL_CREDENTIALS',
        `http.baseUrl carries a user name or password ("user:password@" before the host); the URL is not shown here.`,
        'Remove them from the URL and send them as a credential: a credentials profile with fromEnv, bound to the step that logs in (or an Authorization header built from it).',
      );
    } else out.baseUrl = url;
  }
  if (resolved.defaultHeaders !== undefined) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(resolved.defaultHeaders as Record<string, unknown>)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) problems.error(jsonPathOf(['http', 'defaultHeaders', name]), 'HTTP_CONFIG', `"${name}" is not a valid header name.`);
      else if (typeof value !== 'string' || /[\r\n\0]/.test(value)) problems.error(jsonPathOf(['http', 'defaultHeaders', name]), 'HTTP_CONFIG', `Header ${name} must resolve to a single-line string.`);
      else headers[name.toLowerCase()] = value;
    }
    out.defaultHeaders = headers;
  }
  if (resolved.timeoutMs !== undefined) {
    const n = Number(resolved.timeoutMs);
    if (!Number.isInteger(n) || n <= 0)
      problems.error('$.http.timeoutMs', 'HTTP_CONFIG', `http.timeoutMs resolves to ${JSON.stringify(resolved.timeoutMs)}; it must be a positive whole number of milliseconds.`);
    else if (n > MAX_TIMER_MS) problems.error('$.http.timeoutMs', 'HTTP_CONFIG', `http.timeoutMs resolves to ${n}; it must be ${TIMER_LIMIT_TEXT}.`);
    else out.timeoutMs = n;
  }
  if (resolved.maxResponseBytes !== undefined) {
    const n = Number(resolved.maxResponseBytes);
    if (!Number.isSafeInteger(n) || n <= 0)
      problems.error('$.http.maxResponseBytes', 'HTTP_CONFIG', `http.maxResponseBytes resolves to ${JSON.stringify(resolved.maxResponseBytes)}; it must be a positive whole number of bytes.`);
    else out.maxResponseBytes = n;
  }
  if (job.http.proxy !== undefined) {
    const proxy = tryResolve(job.http.proxy, '$.http.proxy');
    if (proxy !== undefined) {
      const url = String(proxy);
      if (!/^https?:\/\//i.test(url) || !URL.canParse(url))
        problems.error('$.http.proxy', 'HTTP_CONFIG', `http.proxy resolves to "${withoutUserinfo(url)}", which is not an http(s) URL.`, 'Use a value like http://proxy.internal:3128.');
      else out.proxy = url;
    }
  }
  if (job.http.tls !== undefined) out.tls = checkTls(job.http.tls, tryResolve, problems, cwd);
  // Header names are case-insensitive: required paths read the lowercased headers.
  checkRequiredHttp(job, out.defaultHeaders ? { ...resolved, defaultHeaders: out.defaultHeaders } : resolved, problems, broken);
  return out;
}

/** http.tls: each PEM given as a file that exists (relative to the working folder) or as PEM text. */
function checkTls(tls: NonNullable<NonNullable<Job['http']>['tls']>, resolve: (v: unknown, where: string) => unknown, problems: Problems, cwd: string): ResolvedHttp['tls'] {
  const out: NonNullable<ResolvedHttp['tls']> = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    if (tls[field] === undefined) continue;
    const v = resolve(tls[field], `$.http.tls.${field}`);
    if (v === undefined) continue;
    const text = String(v);
    if (!isPem(text) && !isFile(path.resolve(cwd, text))) {
      problems.error(
        `$.http.tls.${field}`,
        'HTTP_CONFIG',
        `http.tls.${field} names ${JSON.stringify(text)}, which is not a file here (paths are relative to the working folder).`,
        'Give the path of a PEM file, or the PEM text itself (for example from an env var).',
      );
    } else out[field] = text;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    problems.error('$.http.tls', 'HTTP_CONFIG', 'http.tls needs cert and key together: a client certificate is sent with its key.');
  }
  if (tls.insecureSkipVerify !== undefined) {
    const v = resolve(tls.insecureSkipVerify, '$.http.tls.insecureSkipVerify');
    if (v === true || v === 'true') out.insecureSkipVerify = true;
    else if (v === false || v === 'false' || v === '') out.insecureSkipVerify = false;
    else if (v !== undefined) problems.error('$.http.tls.insecureSkipVerify', 'HTTP_CONFIG', 'http.tls.insecureSkipVerify must be true or false.');
  }
  return out;
}

export const isPem = (text: string) => text.includes('-----BEGIN ');

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function hasUserinfo(url: string): boolean {
  const u = new URL(url);
  return u.username !== '' || u.password !== '';
}

/** Text before the host's "@" is masked: it may be a password even in a URL that does not parse. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1[REDACTED]@');
}

function checkRequiredHttp(job: Job, resolved: Record<string, unknown>, problems: Problems, broken: ReadonlySet<string>): void {
  (job.dependencies?.http?.required ?? []).forEach((p, i) => {
    if (typeof p !== 'string') return; // a broken entry: already a schema error
    const where = `$.dependencies.http.required[${i}]`;
    let found: { found: boolean; value?: unknown };
    try {
      const segments = parseKeyPath(p, 'required http path');
      // A field that failed its schema is reported there; "missing" would only repeat it.
      for (let n = 0; n <= segments.length; n++) if (broken.has(jsonPathOf(['http', ...segments.slice(0, n)]))) return;
      if (segments[0] === 'defaultHeaders' && typeof segments[1] === 'string') segments[1] = segments[1].toLowerCase();
      found = getAtPath(resolved, segments);
    } catch (err) {
      if (!isDispatchError(err)) throw err;
      problems.error(where, err.code, err.message, err.hint);
      return;
    }
    if (!found.found || found.value === '' || found.value === null || found.value === undefined) {
      problems.error(
        where,
        'HTTP_REQUIRED_MISSING',
        `The job requires http.${p}, but it is missing or empty.`,
        `Set http.${p} in the job (usually from \${env.*}) and make sure the env var it reads is set.`,
      );
    }
  });
}

/** A step calling a declared dependency that is not installed fails for the same reason: not found (exit 4), not a typo. */
