import type { HttpRecord } from '../runs/artifacts.js';

/**
 * What a rule or a capture can read of one HTTP call a step made (`steps.<id>.http[0].status`,
 * `http[0].headers.location`): the same shape during the run and, from http.jsonl, afterwards.
 */
export function httpFact(h: HttpRecord) {
  return { method: h.method, url: h.url, status: h.status ?? null, headers: h.response?.headers ?? {}, durationMs: h.durationMs ?? 0, ...(h.error ? { error: h.error } : {}) };
}
