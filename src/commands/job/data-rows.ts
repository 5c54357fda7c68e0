import { readFileSync } from 'node:fs';
import path from 'node:path';
import { notFoundError, usageError } from '../../errors.js';
import { isRunValueName, parseSetValue } from './prepare.js';

/** Rows beyond this are refused: a batch record keeps one entry per run. */
const MAX_ROWS = 100_000;

/**
 * `job run-many --data <file>`: one run per row, the row's fields as run values. CSV (a header
 * row, then one row per run; parsed by csv-parse, quotes and embedded newlines included), JSON (an
 * array of objects) or JSONL (one object per line), by extension. CSV cells are text; like
 * `--set`, a cell that is JSON (`42`, `true`, `{"a":1}`) keeps its JSON type.
 */
export async function readDataRows(file: string, cwd: string): Promise<Array<Record<string, unknown>>> {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw notFoundError('DATA_NOT_FOUND', `--data ${file} does not exist (looked at ${full}).`, { hint: 'Check the path; it is relative to the working folder.' });
    throw err;
  }
  const ext = path.extname(full).toLowerCase();
  const bad = (why: string) => usageError('DATA_INVALID', `--data ${file}: ${why}.`, { hint: 'CSV with a header row, a JSON array of objects, or JSONL with one object per line.' });
  let rows: unknown[];
  if (ext === '.csv') {
    // Loaded only for a CSV file (src/vendor/csv.ts).
    const { parse: parseCsv } = await import('../../vendor/csv.js');
    try {
      const cells = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
      rows = cells.map((r) => Object.entries(r).map(([k, v]) => [k, parseSetValue(v)]));
    } catch (err) {
      throw bad((err as Error).message);
    }
  } else if (ext === '.json') {
    try {
      rows = JSON.parse(text);
    } catch (err) {
      throw bad(`not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(rows)) throw bad('the JSON is not an array of rows');
  } else if (ext === '.jsonl' || ext === '.ndjson') {
    rows = text.split('\n').flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line)];
      } catch {
        throw bad(`line ${i + 1} is not valid JSON`);
      }
    });
  } else throw bad(`"${ext || 'no extension'}" is not a data format dispatch reads (.csv, .json, .jsonl)`);
  if (rows.length === 0) throw bad('it has no rows');
  if (rows.length > MAX_ROWS) throw bad(`it has ${rows.length} rows, more than the ${MAX_ROWS} a batch takes`);
  return rows.map((row, i) => {
    const entries = Array.isArray(row) && ext === '.csv' ? (row as Array<[string, unknown]>) : undefined;
    if (!entries && (row === null || typeof row !== 'object' || Array.isArray(row))) throw bad(`row ${i + 1} is not an object of named values`);
    // Built with defineProperty: a field named like an Object.prototype member is refused, never assigned.
    const out: Record<string, unknown> = {};
    for (const [name, value] of entries ?? Object.entries(row as object)) {
      if (!isRunValueName(name)) throw bad(`row ${i + 1}: "${name}" is not a run value name (letters, digits, "_" and "-")`);
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
}
