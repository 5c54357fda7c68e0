import type { HttpRequestOptions } from './types.js';

interface EncodedBody {
  /** What goes on the wire. */
  payload?: string | Uint8Array;
  /** Content type implied by `json`; undefined for raw bodies. */
  contentType?: string;
  /** What the recorder keeps: the JSON value, or the raw body as text. */
  recorded?: unknown;
}

export function encodeBody(options: Pick<HttpRequestOptions, 'json' | 'body'>, contentType: string | undefined): EncodedBody {
  if (options.json !== undefined) {
    const payload = JSON.stringify(options.json);
    // Re-parse so the record is a snapshot, immune to later mutation of the caller's object.
    return { payload, contentType: 'application/json', recorded: JSON.parse(payload) as unknown };
  }
  if (options.body === undefined) return {};
  const text = typeof options.body === 'string' ? options.body : Buffer.from(options.body).toString('utf8');
  return { payload: options.body, recorded: decodeBody(text, contentType) };
}

/** JSON when the content type says so and it parses; otherwise the text; empty means null. */
export function decodeBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return null;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A server that lies about its content type should not fail the step; the caller sees the text.
      return text;
    }
  }
  return text;
}

/** Lowercased single-string headers; repeated values joined the way fetch's Headers.get joins them. */
/** Response headers as one lowercase map; repeated headers are joined with ", " as fetch does. */
export function flattenHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    // set-cookie arrives once per cookie; everything else already comes combined.
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
  });
  return out;
}

/** The individual Set-Cookie lines, which cannot be recovered once joined (Expires holds commas). */
export function setCookieLines(headers: Headers): string[] {
  return headers.getSetCookie();
}
