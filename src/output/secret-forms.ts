/**
 * The forms one secret value takes on its way into a record or onto a terminal: as written, inside
 * JSON text, percent-encoded in a URL path or query (by encodeURIComponent, encodeURI, a form body or
 * the WHATWG URL parser, with upper- or lower-case hex), and base64. A module that builds a URL or
 * an Authorization header from a credential produces one of these, so each is masked like the value.
 */
export function secretForms(value: string): string[] {
  const encoded = [
    encodeURIComponent(value),
    new URLSearchParams({ s: value }).toString().slice(2), // form bodies: space as "+"
    encodeURI(value),
    percentEncode(value, PATH_SET), // what new URL() leaves of a path segment
    percentEncode(value, PATH_SET).replace(/\\/g, '/'), // ... which also turns "\\" into "/" for http(s)
    percentEncode(value, QUERY_SET), // ... and of a raw query string
  ];
  const forms = new Set<string>([value, ...encoded, ...encoded.map(lowerHex)]);
  for (const b64 of [Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url')]) {
    forms.add(b64);
    forms.add(b64.replace(/=+$/, ''));
  }
  // Each form as it appears inside JSON text (quotes and backslashes escaped).
  for (const f of [...forms]) forms.add(JSON.stringify(f).slice(1, -1));
  return [...forms];
}

// The WHATWG URL percent-encode sets for paths and (special-scheme) queries, beyond controls and non-ASCII.
const PATH_SET = new Set([' ', '"', '#', '<', '>', '?', '`', '{', '}']);
const QUERY_SET = new Set([' ', '"', '#', '<', '>', "'"]);

function percentEncode(value: string, set: Set<string>): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    out += code < 0x21 || code > 0x7e || set.has(ch) ? encodeURIComponent(ch) : ch;
  }
  return out;
}

function lowerHex(s: string): string {
  return s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}
