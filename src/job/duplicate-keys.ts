/**
 * JSON.parse keeps the last of two equal keys in one object without a word, so a job file that says
 * `"timeoutMs"` twice runs with whichever came last. This scan finds such keys in the text that
 * already parsed, in one linear pass, so validation can warn with the path and the line.
 */

interface DuplicateKey {
  /** JSON path of the repeated key, e.g. `$.scenario.steps[2].payload.id`. */
  path: string;
  /** 1-based line of the later occurrence. */
  line: number;
}

type Frame = { kind: 'object'; keys: Set<string>; key?: string; expectKey: boolean } | { kind: 'array'; index: number };

/** Every repeated key in `text` (valid JSON), at most `limit` of them. */
export function findDuplicateKeys(text: string, limit = 50): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let line = 1;
  for (let i = 0; i < text.length && out.length < limit; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) out.push({ path: pathOf(stack, key), line });
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{') stack.push({ kind: 'object', keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ kind: 'array', index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return out;
}

/** Index of the closing quote of the string opening at `start` (valid JSON: it exists). */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j;
}

function pathOf(stack: Frame[], key: string): string {
  let path = '$';
  // Every frame but the innermost contributes the key or index it is currently inside.
  for (let f = 0; f < stack.length - 1; f++) {
    const frame = stack[f];
    path += frame.kind === 'array' ? `[${frame.index}]` : segment(frame.key ?? '');
  }
  return path + segment(key);
}

function segment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
