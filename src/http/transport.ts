import type { Dispatcher } from 'undici';
import { usageError, type DispatchError } from '../errors.js';
import { isSensitiveHeader } from '../output/redact.js';
import { decodeBody, encodeBody, flattenHeaders, setCookieLines } from './body.js';
import { createCookieJar, type RunCookieJar } from './cookies.js';
import { toTransportError, type AbortCause } from './failures.js';
import { emitExchange } from './record.js';
import { DEFAULT_MAX_RESPONSE_BYTES, omittedBody, RECORDED_BODY_MAX_CHARS, readBody } from './read-body.js';
import { ensureOk, rememberOrigin } from './status.js';
import type { HttpClient, HttpExchange, HttpMethodOptions, HttpRequestOptions, HttpResponse, TransportOptions } from './types.js';
import { isAbsoluteUrl, joinUrl, resolveRequestUrl } from './url.js';

const DEFAULT_TIMEOUT_MS = 30_000;

// Requests go through Node's global fetch: the undici built into Node, one keep-alive pool per
// process, loaded far faster than the npm package (docs/performance.md).

interface Scope {
  baseUrl?: string;
  headers: Record<string, string>;
  /** Default headers that carry a credential whatever their name (a profile's `apply: {header}`). */
  secret?: Set<string>;
  /** Aborts this client's requests in flight: the step they belong to has ended (its timeout). */
  signal?: AbortSignal;
}

/** The run's `ctx.http`: one cookie jar per call, shared by every client derived with withDefaults. */
export function createTransport(options: TransportOptions, dispatcher?: Dispatcher): HttpClient {
  return buildClient(dispatcher ? { ...options, dispatcher } : options, createCookieJar(), { baseUrl: options.baseUrl, headers: mergeHeaders({}, options.defaultHeaders) });
}

function buildClient(options: TransportOptions, jar: RunCookieJar, scope: Scope): HttpClient {
  const request = <T = unknown>(req: HttpRequestOptions): Promise<HttpResponse<T>> => send<T>(options, jar, scope, req);
  const verb =
    (method: string) =>
    <T = unknown>(path: string, opts: HttpMethodOptions = {}): Promise<HttpResponse<T>> =>
      request<T>({ ...opts, method, path });
  return {
    request,
    get: verb('GET'),
    post: verb('POST'),
    put: verb('PUT'),
    patch: verb('PATCH'),
    delete: verb('DELETE'),
    withDefaults(defaults) {
      const secret = new Set([...(scope.secret ?? []), ...(defaults.secretHeaders ?? []).map((n) => n.toLowerCase())]);
      return buildClient(options, jar, {
        baseUrl: deriveBaseUrl(scope.baseUrl, defaults.baseUrl),
        headers: mergeHeaders(scope.headers, defaults.headers),
        ...(secret.size ? { secret } : {}),
        ...(defaults.signal || scope.signal ? { signal: defaults.signal && scope.signal ? AbortSignal.any([defaults.signal, scope.signal]) : (defaults.signal ?? scope.signal) } : {}),
      });
    },
    ensureOk,
  };
}

/** A relative baseUrl narrows the parent's (`/v2` under `https://h/api`); an absolute one replaces it. */
function deriveBaseUrl(parent: string | undefined, next: string | undefined): string | undefined {
  if (next === undefined) return parent;
  if (!parent || isAbsoluteUrl(next)) return next;
  return joinUrl(parent, next);
}

function mergeHeaders(base: Record<string, string>, extra: Record<string, string | undefined> | undefined): Record<string, string> {
  const out = { ...base };
  for (const [name, value] of Object.entries(extra ?? {})) {
    const key = name.toLowerCase();
    if (value === undefined) delete out[key];
    else out[key] = String(value);
  }
  return out;
}

/**
 * Credentials set as client defaults (authorization, api keys, cookies: whatever isSensitiveHeader
 * names) belong to the client's baseUrl origin: a step that names another host by absolute URL does
 * not get them. Headers the request sets itself always go. Without a baseUrl there is no origin to
 * keep them to, and they go everywhere (docs/http.md).
 */
function forOrigin(headers: Record<string, string>, scope: Scope, own: Record<string, string | undefined> | undefined, url: URL): Record<string, string> {
  if (!scope.baseUrl || !URL.canParse(scope.baseUrl) || new URL(scope.baseUrl).origin === url.origin) return headers;
  const mine = new Set(Object.keys(own ?? {}).map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (mine.has(name) || !(isSensitiveHeader(name) || scope.secret?.has(name))) out[name] = value;
  return out;
}

async function send<T>(options: TransportOptions, jar: RunCookieJar, scope: Scope, req: HttpRequestOptions): Promise<HttpResponse<T>> {
  const method = (req.method ?? 'GET').toUpperCase();
  const ts = new Date().toISOString();
  const started = performance.now();
  const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let headers = mergeHeaders(scope.headers, req.headers);
  const exchange: HttpExchange = { ts, method, url: req.url ?? req.path ?? '', durationMs: 0, request: { headers } };

  const controller = new AbortController();
  let abort: AbortCause;
  const interrupt = (): void => {
    abort ??= 'interrupted';
    controller.abort();
  };
  const timer = setTimeout(() => {
    abort ??= 'timeout';
    controller.abort();
  }, timeoutMs);
  options.signal?.addEventListener('abort', interrupt, { once: true });
  if (options.signal?.aborted) interrupt();
  // The step ended first (its timeoutMs): the request is aborted too, and recorded as such.
  const stepEnded = (): void => {
    // An interrupted run ends its steps too: that is the cause to report.
    abort ??= options.signal?.aborted ? 'interrupted' : 'step-ended';
    controller.abort();
  };
  scope.signal?.addEventListener('abort', stepEnded, { once: true });
  if (scope.signal?.aborted) stepEnded();

  let response: HttpResponse<T> | undefined;
  let failure: DispatchError | undefined;
  try {
    const url = resolveRequestUrl({ method, baseUrl: scope.baseUrl, path: req.path, url: req.url, query: req.query });
    exchange.url = url.href;
    headers = exchange.request.headers = forOrigin(headers, scope, req.headers, url);
    if (req.json !== undefined && req.body !== undefined) {
      throw usageError('HTTP_BAD_REQUEST', `${method} ${url.href}: pass either json or body, not both`);
    }
    const encoded = encodeBody(req, headers['content-type']);
    if (encoded.recorded !== undefined) exchange.request.body = encoded.recorded;
    if (encoded.contentType && headers['content-type'] === undefined) headers['content-type'] = encoded.contentType;
    const cookie = await jar.headerFor(url);
    if (cookie) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie;
    if (controller.signal.aborted) throw new Error('aborted before sending');

    if (encoded.payload !== undefined && (method === 'GET' || method === 'HEAD')) {
      throw usageError('HTTP_BAD_REQUEST', `${method} ${url.href}: a ${method} request cannot carry a body`, { hint: 'Send the data as query parameters, or use POST/PUT/PATCH.' });
    }
    // redirect: manual keeps 3xx visible to the action, as a raw HTTP client would.
    const init = { method, headers, body: encoded.payload as BodyInit | undefined, signal: controller.signal, redirect: 'manual' as const };
    // A proxy or TLS settings: Node's fetch takes an undici dispatcher (src/http/dispatcher.ts).
    const res = await fetch(url, options.dispatcher ? ({ ...init, dispatcher: options.dispatcher } as RequestInit) : init);
    const text = await readBody(res, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, `${method} ${url.href}`);
    await jar.store(url, setCookieLines(res.headers));
    const responseHeaders = flattenHeaders(res.headers);
    const body = decodeBody(text, responseHeaders['content-type']);
    response = { status: res.status, headers: responseHeaders, body: body as T };
    rememberOrigin(response, method, url.href);
    exchange.status = res.status;
    // The step's record keeps what the action returned; a large body is not written a second time.
    exchange.response = text.length > RECORDED_BODY_MAX_CHARS ? { headers: responseHeaders, bodyOmitted: omittedBody(text) } : { headers: responseHeaders, body };
  } catch (err) {
    failure = toTransportError(err, { method, url: exchange.url, timeoutMs, abort });
    exchange.error = { code: failure.code, message: failure.message };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', interrupt);
    scope.signal?.removeEventListener('abort', stepEnded);
  }
  exchange.durationMs = Math.round(performance.now() - started);
  // Recorded outside the try so a failing recorder surfaces as itself, not as a network error.
  emitExchange(options, exchange);
  if (!response) throw failure;
  return response;
}
