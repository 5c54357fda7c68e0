/** Header names whose values never reach an artifact or the terminal. */
export const SENSITIVE_HEADERS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

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

const MAX_DEPTH = 200;

/** Secrets shorter than this are not substring-replaced (a 1-char "secret" would shred all text). */
const MIN_SECRET_LENGTH = 3;

/**
 * Replaces secret values (credential values and their env values) and sensitive header values
 * with [REDACTED]. One instance per process: every run registers its secrets here, and the one
 * printer applies it to everything written to stdout/stderr as well as to artifacts.
 */
export class Redactor {
  private secrets = new Set<string>();
  private pattern: RegExp | null = null;

  addSecret(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    // Also the forms the same secret takes inside JSON text and in URL queries or form bodies.
    for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ s: value }).toString().slice(2)]) {
      this.secrets.add(form);
    }
    this.pattern = null;
  }

  get size(): number {
    return this.secrets.size;
  }

  redactText(text: string): string {
    if (this.secrets.size === 0 || text.length === 0) return text;
    if (!this.pattern) {
      // Longest first so a secret that contains another is replaced whole.
      const parts = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(parts.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
  }

  /** Deep copy of `value` with secrets and sensitive header values replaced. */
  redact<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (value === null || typeof value !== 'object') return value;
    // A server may answer JSON nested far deeper than JSON.stringify can recurse: cut it here so
    // every artifact and printed document stays writable.
    if (depth > MAX_DEPTH) return `[TRUNCATED: nested deeper than ${MAX_DEPTH} levels]`;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const key = this.redactText(k);
      if (SENSITIVE_HEADERS.has(k.toLowerCase()) && v !== undefined && v !== null) {
        Object.defineProperty(out, key, { value: REDACTED, enumerable: true, writable: true, configurable: true });
      } else {
        Object.defineProperty(out, key, { value: this.walk(v, depth + 1), enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The process-wide redactor used by the printer and the artifact writer. */
export const redactor = new Redactor();
