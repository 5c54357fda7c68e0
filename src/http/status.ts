import { createRequire } from 'node:module';
import { DispatchError, EXIT, exitCodeForHttpStatus } from '../errors.js';
import type { HttpResponse } from './types.js';

/** Kept off the response object so callers that serialise or snapshot it see only {status, headers, body}. */
const origins = new WeakMap<object, { method: string; url: string }>();

export function rememberOrigin(response: HttpResponse<unknown>, method: string, url: string): void {
  origins.set(response, { method, url });
}

const MAX_DETAIL_BODY = 2048;

// node:http costs ~3 ms to load and is needed only for the reason phrase of a failed status.
const requireBuiltin = createRequire(import.meta.url);
const reasonPhrase = (status: number): string | undefined => (requireBuiltin('node:http') as typeof import('node:http')).STATUS_CODES[status];

export function ensureOk<T>(response: HttpResponse<T>): HttpResponse<T> {
  if (response.status >= 200 && response.status < 300) return response;
  const origin = origins.get(response);
  const statusText = reasonPhrase(response.status);
  const status = statusText ? `${response.status} ${statusText}` : String(response.status);
  const target = origin ? `${origin.method} ${origin.url}` : 'request';
  const exit = exitCodeForHttpStatus(response.status);
  throw new DispatchError({
    code: 'HTTP_STATUS',
    // A redirect or informational status an action did not expect is a wrong URL or setup, not luck.
    exitCode: exit === EXIT.OK ? EXIT.USAGE : exit,
    message: `${target} answered ${status}`,
    hint: hintFor(response.status),
    details: { status: response.status, method: origin?.method, url: origin?.url, body: clip(response.body) },
  });
}

function hintFor(status: number): string | undefined {
  if (status === 401 || status === 403) return 'Check the credentials the job uses for this API.';
  if (status === 404) return 'The resource does not exist at this URL; check the path, ids and http.baseUrl.';
  const exit = exitCodeForHttpStatus(status);
  if (exit === EXIT.TRANSIENT) return 'The server reported a temporary condition; retrying is safe.';
  if (exit === EXIT.USAGE) return 'The server rejected the request; see details.body for its reason.';
  return undefined;
}

function clip(body: unknown): unknown {
  if (body === null || body === undefined) return body;
  if (typeof body === 'string') return body.length > MAX_DETAIL_BODY ? `${body.slice(0, MAX_DETAIL_BODY)}…` : body;
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch {
    return '[unserialisable body]';
  }
  if (text === undefined || text.length <= MAX_DETAIL_BODY) return body;
  return `${text.slice(0, MAX_DETAIL_BODY)}…`;
}
