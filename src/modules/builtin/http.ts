import { z } from 'zod';
import { evaluateRules } from '../../engine/conditions.js';
import { DispatchError, EXIT, exitCodeForHttpStatus, usageError } from '../../errors.js';
import type { HttpResponse } from '../../http/types.js';
import { RuleSchema } from '../../job/schema.js';
import { defineModule } from '../define.js';
import { lazyAction } from './lazy-action.js';

/*
 * http.request: one HTTP call written in the job file, through the run's transport (baseUrl,
 * default headers, cookie jar, the step's credential as its profile applies it, redaction and
 * http.jsonl), so an API workflow needs no module code (DESIGN 15).
 */

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const STATUS_CLASS = /^[1-5]xx$/;

// Built on first use (lazyAction): a run that sends no http.request builds none of it.
function httpRequestSchema() {
  const QueryValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);

  const StatusExpect = z.union([
    z.number().int().min(100).max(599),
    z.array(z.number().int().min(100).max(599)).min(1),
    z.string().regex(STATUS_CLASS, 'a status class is written "2xx", "3xx", "4xx" or "5xx"'),
  ]);

  const HeaderExpect = z.union([z.string(), z.strictObject({ matches: z.string().min(1).describe('regular expression the header value must match') })]);

  return z
    .strictObject({
      method: z
        .string()
        .transform((m) => m.toUpperCase())
        .pipe(z.enum(METHODS))
        .default('GET')
        .describe('HTTP method; GET when left out'),
      url: z.string().min(1).optional().describe('absolute URL; wins over path'),
      path: z.string().min(1).optional().describe('path resolved against the job http.baseUrl'),
      query: z.record(z.string(), QueryValue).optional().describe('query parameters; arrays repeat the key'),
      headers: z.record(z.string(), z.string()).optional(),
      json: z.unknown().optional().describe('body sent as JSON'),
      body: z.string().optional().describe('raw text body'),
      form: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .optional()
        .describe('body sent as application/x-www-form-urlencoded'),
      timeoutMs: z.number().int().positive().optional().describe('this request only; default http.timeoutMs, else 30 s'),
      expect: z
        .strictObject({
          status: StatusExpect.optional().describe('status, list of statuses or class ("2xx"); without it any non-2xx fails the step'),
          headers: z.record(z.string(), HeaderExpect).optional().describe('response headers: exact value or {matches: regex}'),
          rules: z.array(RuleSchema).optional().describe('rules on {status, headers, body}, all of which must hold'),
        })
        .optional(),
    })
    .superRefine((p, ctx) => {
      if (p.url === undefined && p.path === undefined) ctx.addIssue({ code: 'custom', message: 'give the request a url (absolute) or a path (under http.baseUrl)', path: ['path'] });
      const bodies = (['json', 'body', 'form'] as const).filter((k) => p[k] !== undefined);
      if (bodies.length > 1) ctx.addIssue({ code: 'custom', message: `send one body: ${bodies.join(' and ')} are both set`, path: [bodies[1]] });
      for (const [name, e] of Object.entries(p.expect?.headers ?? {})) {
        if (typeof e === 'object' && !isRegex(e.matches)) ctx.addIssue({ code: 'custom', message: `"${e.matches}" is not a valid regular expression`, path: ['expect', 'headers', name, 'matches'] });
      }
    });
}

type HttpRequestPayload = z.infer<ReturnType<typeof httpRequestSchema>>;

const request = lazyAction(
  {
    description: 'Send one HTTP request through the run transport and check its answer (expect); response {status, headers, body}',
    async handler(ctx, p: HttpRequestPayload) {
      const res = await ctx.http.request({
        method: p.method,
        ...(p.url !== undefined ? { url: p.url } : { path: p.path }),
        ...(p.query ? { query: p.query } : {}),
        headers: { ...(p.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...p.headers },
        ...(p.json !== undefined ? { json: p.json } : {}),
        ...(p.body !== undefined ? { body: p.body } : {}),
        ...(p.form ? { body: new URLSearchParams(Object.entries(p.form).map(([k, v]) => [k, String(v)])).toString() } : {}),
        ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}),
      });
      checkExpect(ctx.http.ensureOk.bind(ctx.http), res, p);
      return { response: { status: res.status, headers: res.headers, body: res.body } };
    },
  },
  httpRequestSchema,
);

/**
 * Without expect.status, any non-2xx fails the step exactly as ensureOk does (exit class by
 * status). A status outside the expected ones fails with the class of the status it got when that
 * is an error status (a 503 stays transient, a 404 not found), else exit 2: the API answered, just
 * not as the job says it should. Header and rule mismatches are exit 2.
 */
function checkExpect(ensureOk: (r: HttpResponse) => HttpResponse, res: HttpResponse, p: HttpRequestPayload): void {
  const want = p.expect?.status;
  if (want === undefined) ensureOk(res);
  else if (!statusMatches(res.status, want)) {
    const exit = exitCodeForHttpStatus(res.status);
    throw new DispatchError({
      code: 'HTTP_EXPECT_STATUS',
      exitCode: exit === EXIT.OK ? EXIT.USAGE : exit,
      message: `${p.method} ${p.url ?? p.path} answered ${res.status}, expected ${describeStatus(want)}.`,
      hint: 'The step records the whole response: dispatch job inspect --step <id> shows its body.',
      details: { status: res.status, expected: want, body: res.body },
    });
  }
  const problems: string[] = [];
  for (const [name, e] of Object.entries(p.expect?.headers ?? {})) {
    const got = res.headers[name.toLowerCase()];
    const ok = got !== undefined && (typeof e === 'string' ? got === e : new RegExp(e.matches).test(got));
    if (!ok) problems.push(`header ${name} is ${got === undefined ? 'missing' : JSON.stringify(got)}, expected ${typeof e === 'string' ? JSON.stringify(e) : `to match /${e.matches}/`}`);
  }
  if (problems.length) throw usageError('HTTP_EXPECT_HEADERS', `${p.method} ${p.url ?? p.path}: ${problems.join('; ')}.`, { details: { headers: res.headers } });
  if (p.expect?.rules?.length) {
    const r = evaluateRules({ status: res.status, headers: res.headers, body: res.body }, p.expect.rules, 'ALL');
    if (!r.pass) {
      const failed = r.results.filter((x) => !x.pass);
      throw usageError('HTTP_EXPECT_RULES', `${p.method} ${p.url ?? p.path}: ${failed.map((x) => x.message).join('; ')}.`, { details: { results: failed } });
    }
  }
}

function statusMatches(status: number, want: number | number[] | string): boolean {
  if (typeof want === 'number') return status === want;
  if (Array.isArray(want)) return want.includes(status);
  return Math.floor(status / 100) === Number(want[0]);
}

const describeStatus = (want: number | number[] | string) => (Array.isArray(want) ? `one of ${want.join(', ')}` : String(want));

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const httpModule = defineModule({
  name: 'http',
  version: '1.0.0',
  description: 'HTTP requests written in the job file, through the run transport',
  actions: { request },
});
