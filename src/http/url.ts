import { usageError } from '../errors.js';
import type { QueryValue } from './types.js';

const ABSOLUTE = /^[a-z][a-z\d+.-]*:\/\//i;

const BAD_URL_HINT = 'Set http.baseUrl in the job (e.g. "http": {"baseUrl": "https://api.example.com"}) or pass an absolute url.';

/** True when `value` carries its own scheme and host, so no baseUrl applies. */
export function isAbsoluteUrl(value: string): boolean {
  return ABSOLUTE.test(value);
}

/**
 * Joins by string instead of `new URL(path, base)`, because WHATWG resolution drops the base's
 * last segment (`http://h/api` + `/posts` would become `http://h/posts`).
 */
export function joinUrl(baseUrl: string, path: string): string {
  if (path === '') return baseUrl;
  if (path.startsWith('?')) return baseUrl + path;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

interface UrlParts {
  method: string;
  baseUrl?: string;
  path?: string;
  url?: string;
  query?: Record<string, QueryValue>;
}

/** The final request URL, query included; throws HTTP_BAD_URL (exit 2) when it cannot be built. */
export function resolveRequestUrl(parts: UrlParts): URL {
  const target = parts.url ?? parts.path ?? '';
  let raw: string;
  if (parts.url !== undefined || isAbsoluteUrl(target)) {
    raw = target;
  } else if (parts.baseUrl) {
    raw = joinUrl(parts.baseUrl, target);
  } else {
    throw usageError('HTTP_BAD_URL', `${parts.method} ${target || '(empty path)'}: relative path but no http.baseUrl is set`, {
      hint: BAD_URL_HINT,
      details: { method: parts.method, path: target },
    });
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError('HTTP_BAD_URL', `${parts.method} ${raw}: not a valid URL`, { hint: BAD_URL_HINT, details: { method: parts.method, url: raw } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError('HTTP_BAD_URL', `${parts.method} ${raw}: only http and https URLs are supported`, {
      hint: BAD_URL_HINT,
      details: { method: parts.method, url: raw },
    });
  }
  appendQuery(url, parts.query);
  return url;
}

function appendQuery(url: URL, query: Record<string, QueryValue> | undefined): void {
  if (!query) return;
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === null || v === undefined) continue;
      url.searchParams.append(key, String(v));
    }
  }
}
