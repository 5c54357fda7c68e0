import { oneLine, type ExitCode } from '../errors.js';

/** One validation finding, located by a JSON path into the job file. */
export interface Problem {
  path: string;
  code: string;
  message: string;
  hint?: string;
  /** Exit class this problem implies (2 input error, 4 something missing). */
  exitCode: ExitCode;
}

/** Problems listed in full; the rest are counted in one final entry. */
const MAX_LISTED = 200;

export class Problems {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];

  private dropped = 0;

  error(path: string, code: string, message: string, hint?: string, exitCode: ExitCode = 2): void {
    // A runaway file (thousands of copies of one mistake) must not produce megabytes of output:
    // the first MAX_LISTED are listed, then one line counts the rest.
    if (this.errors.length >= MAX_LISTED) {
      this.dropped++;
      const last = this.errors[MAX_LISTED];
      const summary: Problem = { path: '$', code: 'MORE_PROBLEMS', message: `${this.dropped} more problem(s) not listed.`, hint: 'Fix the ones above and validate again.', exitCode: 2 };
      if (last) this.errors[MAX_LISTED] = summary;
      else this.errors.push(summary);
      return;
    }
    this.errors.push({ path, code, message: oneLine(message), ...(hint ? { hint } : {}), exitCode });
  }

  warn(path: string, code: string, message: string, hint?: string): void {
    if (this.warnings.length >= MAX_LISTED) return;
    this.warnings.push({ path, code, message: oneLine(message), ...(hint ? { hint } : {}), exitCode: 0 });
  }

  /** Input errors win over not-found: the file must be fixed before anything is worth retrying. */
  exitCode(): ExitCode {
    if (this.errors.length === 0) return 0;
    return this.errors.some((e) => e.exitCode === 2) ? 2 : this.errors[0].exitCode;
  }
}

/** `$.scenario.steps[0].payload` style path from zod/issue segments. */
export function jsonPathOf(segments: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(s))) out += `.${String(s)}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

/** Closest candidate by edit distance, when it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
