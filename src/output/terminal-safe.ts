/**
 * Text a job or a server wrote (jobType, messages, response snippets) must not drive the terminal
 * it is printed on: an escape sequence in a jobType could clear the screen, hide lines or rewrite
 * the title, and a carriage return could print over a FAILED line. Human output shows such
 * characters as visible escapes (`\x1b`, `\r`) instead. --json output needs none of this: JSON
 * escapes every control character itself.
 */

// C0 controls but tab and newline, DEL, and the C1 range (which some terminals also obey).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// What picocolors writes: SGR sequences only. Any other ESC in the final text came from data.
// eslint-disable-next-line no-control-regex
const FOREIGN = /\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]/g;

const visible = (ch: string): string => (ch === '\r' ? '\\r' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** One string with its control characters made visible. */
export function safeText(s: string): string {
  return s.replace(CONTROL, visible);
}

/** A copy of `value` with every string made terminal-safe (keys too: they are printed as well). */
export function safeData<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (value === null || typeof value !== 'object' || depth > 100) return value;
  if (Array.isArray(value)) return value.map((v) => safeData(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    Object.defineProperty(out, safeText(k), { value: safeData(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

/**
 * The last pass over rendered human text: colour codes stay, anything else that could control the
 * terminal (a view that printed a value it did not take from the envelope) is made visible.
 */
export function safeRendered(text: string): string {
  return text.replace(FOREIGN, visible);
}
