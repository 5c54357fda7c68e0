import { secretForms } from './secret-forms.js';
import { tokenMatches } from './token-shapes.js';

/** Header names whose values never reach an artifact or the terminal, in any object. */
const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key']);

export const REDACTED = '[REDACTED]';

// Header names that carry credentials by convention even when they are not in the list above.
const SENSITIVE_HEADER_WORDS = /token|secret|key|auth|passw|session|cookie/i;

/**
 * Whether a header's value is a secret: the fixed names above, plus any name that says it holds
 * a token, secret, key or auth value (private-token, x-auth-token, api-key, ...). Applies to header
 * maps only; JSON fields in bodies are data and are judged by their values.
 */
export function isSensitiveHeader(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_HEADERS.has(n) || SENSITIVE_HEADER_WORDS.test(n);
}

// Env var names whose values are secrets wherever a job reads them (DESIGN 14).
const SENSITIVE_ENV_WORDS = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH/i;

/** Whether an env var's name says its value is a secret (API_TOKEN, DB_PASSWORD, GH_AUTH, ...). */
export function isSensitiveEnvName(name: string): boolean {
  return SENSITIVE_ENV_WORDS.test(name);
}

/**
 * Body fields whose value is a secret whatever it looks like. Kept to names that mean nothing
 * else: a broad word such as "key" or "auth" would mask data (`author`, `keyword`).
 */
const SECRET_FIELDS = new Set(['password', 'passwd', 'client_secret', 'access_token', 'refresh_token', 'id_token']);

/** Keys whose string value is a name of the job (step id, jobType, action...), not data. */
const NAME_KEYS = new Set(['id', 'jobType', 'action', 'stepId', 'code', 'runId', 'module', 'casePath', 'path', 'name', 'batchId', 'credential', 'namespace']);

const MAX_DEPTH = 200;

/** Secrets shorter than this are not masked: a 3-character "secret" would shred every text (docs/security.md). */
const MIN_SECRET_LENGTH = 4;

/**
 * Masks secret values (credential values, the env vars behind them, sensitive headers, well-known
 * token shapes) in data and text. It never changes the job's structure: object keys are left as
 * they are, and a match that lies inside one of the job's own names (a step id, the jobType, an
 * action...) registered with `protect` is left alone, so `login-admin` stays `login-admin` when the
 * username `admin` is a secret. One instance per process: every run registers its secrets and
 * names here, and the one printer and the artifact writer apply it.
 */
export class Redactor {
  private secrets = new Set<string>();
  private raw = new Set<string>();
  private names = new Set<string>();
  private pattern: RegExp | null = null;
  private namePattern: RegExp | null = null;

  /** Registers a secret and every form it takes on the way out (JSON, URL, form, base64). */
  addSecret(value: unknown): void {
    const v = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH || this.raw.has(v)) return;
    this.raw.add(v);
    for (const form of secretForms(v)) if (form.length >= MIN_SECRET_LENGTH) this.secrets.add(form);
    this.pattern = null;
  }

  /** A user:password pair a module may join into Basic auth: its base64 forms are secrets too. */
  addPair(user: string, password: string): void {
    for (const text of [`${user}:${password}`, `${password}:${user}`]) {
      for (const b64 of [Buffer.from(text).toString('base64'), Buffer.from(text).toString('base64url')]) this.addSecret(b64);
    }
  }

  /** A name of the job's structure (step id, jobType, action, capture name...): never masked. */
  protect(name: unknown): void {
    if (typeof name !== 'string' || name.length === 0 || this.names.has(name)) return;
    this.names.add(name);
    this.namePattern = null;
  }

  get size(): number {
    return this.secrets.size;
  }

  redactText(text: string): string {
    if (text.length === 0) return text;
    const hits = this.matches(text);
    if (hits.length === 0) return text;
    const kept = this.outsideNames(text, hits);
    let out = '';
    let at = 0;
    for (const [s, e] of kept) {
      if (s < at) continue;
      out += `${text.slice(at, s)}${REDACTED}`;
      at = e;
    }
    return out + text.slice(at);
  }

  /** Text that is a JSON document stays one: redacted as data when a secret is in it. */
  redactJsonText(text: string): string {
    if (this.redactText(text) === text) return text;
    try {
      return `${JSON.stringify(this.redact(JSON.parse(text) as unknown), null, 2)}\n`;
    } catch {
      return this.redactText(text);
    }
  }

  /** Deep copy of `value` with secrets masked; keys and the job's names are never changed. */
  redact<T>(value: T): T {
    return this.walk(value, 0, undefined, false) as T;
  }

  private walk(value: unknown, depth: number, key: string | undefined, inHeaders: boolean): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && NAME_KEYS.has(key) && this.names.has(value)) return value;
      return this.redactText(value);
    }
    if (typeof value === 'number') return this.raw.has(String(value)) ? REDACTED : value;
    if (value === null || typeof value !== 'object') return value;
    // A server may answer JSON nested far deeper than JSON.stringify can recurse: cut it here so
    // every artifact and printed document stays writable.
    if (depth > MAX_DEPTH) return `[TRUNCATED: nested deeper than ${MAX_DEPTH} levels]`;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1, undefined, false));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const lower = k.toLowerCase();
      const secretKey = inHeaders ? isSensitiveHeader(k) : SENSITIVE_HEADERS.has(lower) || SECRET_FIELDS.has(lower);
      let next: unknown;
      // A credentials profile maps field names to env var *names*: structure, not data.
      if (k === 'fromEnv' && v !== null && typeof v === 'object') next = v;
      else next = secretKey && isSecretValue(v) ? REDACTED : this.walk(v, depth + 1, k, lower === 'headers');
      Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** [start, end) of every secret and token-shaped value in `text`. */
  private matches(text: string): Array<[number, number]> {
    const hits: Array<[number, number]> = [];
    if (this.secrets.size > 0) {
      // Longest first so a secret that contains another is replaced whole.
      this.pattern ??= new RegExp(
        [...this.secrets]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      );
      for (const m of text.matchAll(this.pattern)) hits.push([m.index, m.index + m[0].length]);
    }
    hits.push(...tokenMatches(text));
    return hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  }

  /** Drops the hits that lie inside an occurrence of a protected name longer than the hit. */
  private outsideNames(text: string, hits: Array<[number, number]>): Array<[number, number]> {
    if (this.names.size === 0) return hits;
    this.namePattern ??= new RegExp(
      [...this.names]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    const spans = [...text.matchAll(this.namePattern)].map((m): [number, number] => [m.index, m.index + m[0].length]);
    if (spans.length === 0) return hits;
    return hits.filter(([s, e]) => !spans.some(([ns, ne]) => ns <= s && e <= ne && ne - ns > e - s));
  }
}

/**
 * What a secret-named field can hold that is a secret: text, a number, a list of text. An object
 * or a boolean under such a name is structure (a JSON Schema's `password` property, `secret: false`).
 */
function isSecretValue(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The process-wide redactor used by the printer and the artifact writer. */
export const redactor = new Redactor();
