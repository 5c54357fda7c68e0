/**
 * Values that are secrets by their shape, whoever registered them: found in recorded data, printed
 * lines, reports and exports even when no credential names them (DESIGN 14). Each pattern marks the
 * secret part only, so `Authorization: Bearer [REDACTED]` still says what kind of value it was.
 */
const SHAPES: Array<{ re: RegExp; group?: number; looksSecret?: (s: string) => boolean }> = [
  // Authorization schemes followed by a token: one with a digit, a lower-to-upper case change,
  // base64 padding, or 20+ characters. Prose ("Bearer tokens are...", "Basic authentication")
  // is left alone.
  { re: /\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9\-._~+/]{8,2048}={0,2})/gi, group: 1, looksSecret: (s) => /\d|[a-z][A-Z]|=$/.test(s) || s.length >= 20 },
  // JWTs: base64url header and payload that both decode to JSON objects ("eyJ" is `{"`).
  // Repeats are bounded so a hostile body of "eyJeyJeyJ..." costs linear time, not quadratic.
  { re: /\beyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,4096}/g },
  // OpenAI/Anthropic-style and Stripe keys.
  { re: /\bsk-[A-Za-z0-9_-]{16,}/g },
  { re: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}/g },
  // GitHub tokens.
  { re: /\bgh[pousr]_[A-Za-z0-9]{30,}/g },
  { re: /\bgithub_pat_[A-Za-z0-9_]{20,}/g },
  // Slack tokens.
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  // AWS access key ids.
  { re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  // The password of URL userinfo (scheme://user:password@host), as written and percent-encoded in a query.
  { re: /\b[a-z][a-z0-9+.-]{0,20}:\/\/[^\s/?#@:]{0,200}:([^\s/?#@]{1,500})@/gi, group: 1 },
  { re: /\b[a-z][a-z0-9+.-]{0,20}%3A%2F%2F[^\s/?#@:%]{0,200}%3A([^\s/?#@%&]{1,500})%40/gi, group: 1 },
  // password=..., client_secret=... pairs in query strings, form bodies and messages. Only "=":
  // "password: ..." is how a JSON path and its message read ("$.x.password: must be a string").
  { re: /\b\w{0,40}?(?:password|passwd|pwd|client_secret|api_?key|access_token|refresh_token)(?:=|%3D)([^\s&"',;]{1,2048})/gi, group: 1 },
];

// One literal every shape above needs (case-insensitive, so a superset): a string without any of
// them cannot hold a token-shaped secret, and most recorded strings (ids, names, numbers as text)
// are settled by this one scan instead of eleven. Keep it in step with SHAPES.
const ANY_SHAPE = /bearer|basic|token|eyj|sk-|k_live|k_test|gh[pousr]_|github_pat_|xox|akia|asia|:\/\/|%3a%2f%2f|passw(?:or)?d|pwd|client_secret|api_?key/i;

/** [start, end) of every token-shaped secret in `text`. */
export function tokenMatches(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!ANY_SHAPE.test(text)) return out;
  for (const { re, group, looksSecret } of SHAPES) {
    for (const m of text.matchAll(re)) {
      if (group === undefined) out.push([m.index, m.index + m[0].length]);
      else {
        const part = m[group];
        if (!part || part.startsWith('[REDACTED') || (looksSecret && !looksSecret(part))) continue;
        const start = m.index + m[0].lastIndexOf(part);
        out.push([start, start + part.length]);
      }
    }
  }
  return out;
}
