import { DispatchError, EXIT, transientError } from '../errors.js';

/** Why a request stopped early; decided by the caller from its own signals, not from error shapes. */
export type AbortCause = 'timeout' | 'interrupted' | 'step-ended' | undefined;

interface FailureContext {
  method: string;
  url: string;
  timeoutMs: number;
  abort: AbortCause;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps whatever undici or the socket threw into the exit-3 error the run reports. */
export function toTransportError(err: unknown, ctx: FailureContext): DispatchError {
  if (err instanceof DispatchError) return err;
  const target = `${ctx.method} ${ctx.url}`;
  const details = { method: ctx.method, url: ctx.url };
  if (ctx.abort === 'interrupted') {
    return new DispatchError({ code: 'INTERRUPTED', exitCode: EXIT.TRANSIENT, message: `${target} was interrupted`, details, cause: err });
  }
  if (ctx.abort === 'step-ended') {
    return transientError('HTTP_ABORTED', `${target} was aborted: its step ended (the step timeoutMs passed) before the answer came`, {
      hint: 'Raise the step timeoutMs, or check the service it calls.',
      details,
      cause: err,
    });
  }
  if ((err as { cause?: { message?: unknown } } | null)?.cause?.message === 'bad port') {
    return new DispatchError({
      code: 'HTTP_BAD_PORT',
      exitCode: EXIT.USAGE,
      message: `${target} was refused before sending: the port is on fetch's blocked-port list (ports such as 1, 6000 or 6667).`,
      hint: 'Serve the API on another port; retrying cannot help.',
      details,
      cause: err,
    });
  }
  const code = errorCode(err);
  const fatal = permanentFailure(err, code, target);
  if (fatal) return new DispatchError({ ...fatal, exitCode: EXIT.USAGE, details: { ...details, reason: code ?? describe(err, code) }, cause: err });
  if (ctx.abort === 'timeout' || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return transientError('HTTP_TIMEOUT', `${target} timed out after ${ctx.timeoutMs} ms`, {
      hint: 'The server did not answer in time; retrying is safe. If it is just slow, raise http.timeoutMs in the job (or timeoutMs on the request).',
      details: { ...details, timeoutMs: ctx.timeoutMs },
      cause: err,
    });
  }
  const reason = describe(err, code);
  return transientError('HTTP_NETWORK', `${target} failed: ${reason}`, {
    hint: 'Check that the server is running and reachable from here; network errors are transient, so retrying is safe.',
    details: { ...details, reason: code ?? reason },
    cause: err,
  });
}

// Certificate problems: the same request fails the same way until the trust setup changes.
const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(?:GET_ISSUER|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/;

/**
 * Failures a retry cannot fix (exit 2, not "retry is safe"): an untrusted or invalid certificate,
 * response headers larger than the client takes, a header value the request cannot carry, a body
 * too large to hold as one string.
 */
function permanentFailure(err: unknown, code: string | undefined, target: string): { code: string; message: string; hint: string } | undefined {
  const text = `${code ?? ''} ${describe(err, code)}`;
  if (code && CERT_CODES.test(code)) {
    return {
      code: 'HTTP_TLS_CERT',
      message: `${target} failed: the server's certificate is not trusted (${code}).`,
      hint: 'Trust the CA that signed it: http.tls.ca in the job (a PEM file or text), or NODE_EXTRA_CA_CERTS=/path/to/ca.pem for every run; for a local test server only, http.tls.insecureSkipVerify. Or fix the certificate. Retrying cannot help.',
    };
  }
  if (code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'HPE_HEADER_OVERFLOW') {
    return {
      code: 'HTTP_HEADERS_OVERFLOW',
      message: `${target} failed: the response headers are larger than the HTTP client accepts.`,
      hint: 'The server sends oversized headers (often a cookie that keeps growing); retrying cannot help. Node raises the limit with --max-http-header-size.',
    };
  }
  if (code === 'ERR_INVALID_CHAR' || code === 'ERR_HTTP_INVALID_HEADER_VALUE' || /ByteString|invalid header (?:value|name)|is an invalid header/i.test(text)) {
    return {
      code: 'HTTP_BAD_HEADER',
      message: `${target} was not sent: a request header has a character HTTP headers cannot carry (${describe(err, code)}).`,
      hint: 'Header values are single-line Latin-1 text: encode the value (percent- or base64-encoding) before putting it in a header.',
    };
  }
  if (code === 'ERR_STRING_TOO_LONG') {
    return {
      code: 'HTTP_RESPONSE_TOO_LARGE',
      message: `${target} failed: the response body is too large to hold as one string.`,
      hint: 'Ask the API for less (paging, filters); retrying cannot help.',
    };
  }
  return undefined;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The most specific code in the chain: undici wraps socket errors, happy-eyeballs aggregates them. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const e = err as ErrorLike;
  const nested = errorCode(e.cause, depth + 1) ?? (Array.isArray(e.errors) ? errorCode(e.errors[0], depth + 1) : undefined);
  if (nested !== undefined && !nested.startsWith('UND_ERR_')) return nested;
  return typeof e.code === 'string' ? e.code : nested;
}

function describe(err: unknown, code: string | undefined): string {
  let message = err instanceof Error ? err.message : String(err);
  // fetch wraps the real reason: "fetch failed" says nothing, its cause does.
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (message === 'fetch failed' && cause instanceof Error && cause.message) message = cause.message;
  if (!code) return message || 'unknown network error';
  if (!message || message === code) return code;
  return message.includes(code) ? message : `${code} (${message})`;
}
