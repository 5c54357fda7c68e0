/**
 * Values that are secrets by their shape, whoever registered them: found in recorded data, printed
 * lines, reports and exports even when no credential names them (DESIGN 14). Each pattern marks the
 * secret part only, so `Authorization: Bearer [REDACTED]` still says what kind of value it was.
 */
const SHAPES: Array<{ re: RegExp; group?: number; looksSecret?: (s: string) => boolean }> = [
  // Authorization schemes followed by a token: one with a digit, or long. Prose such as "Bearer
  // tokens are..." or "Token verification failed" is left alone.
  { re: /\b(?:Bearer|Token)\s+([A-Za-z0-9\-._~+/]{8,}=*)/gi, group: 1, looksSecret: (s) => /\d/.test(s) || s.length >= 20 },
  // JWTs: base64url header and payload that both decode to JSON objects ("eyJ" is `{"`).
  { re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
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
  // password=..., client_secret=... pairs in query strings, form bodies and messages. Only "=":
  // "password: ..." is how a JSON path and its message read ("$.x.password: must be a string").
  { re: /\b(?:password|passwd|pwd|client_secret|api_?key|access_token|refresh_token)=([^\s&"',;]+)/gi, group: 1 },
];

/** [start, end) of every token-shaped secret in `text`. */
export function tokenMatches(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
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
