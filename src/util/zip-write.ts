import { deflateRawSync } from 'node:zlib';
import { usageError } from '../errors.js';
import { checkEntryPath, crc32 } from './zip-read.js';

/** One file to put in an archive. Strings are written as UTF-8. */
interface ZipInputEntry {
  path: string;
  data: Uint8Array | string;
}

// Fixed timestamp so the same input always gives the same bytes: 1980-01-01 00:00:00 (DOS epoch).
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
const VERSION_NEEDED = 20;
const FLAG_UTF8 = 0x0800;
const REGULAR_FILE_ATTRS = (0o100644 << 16) >>> 0;

/**
 * Builds a zip archive in memory. Deterministic: entries are kept in the given order, timestamps are
 * fixed, and attributes are constant. Paths use forward slashes (backslashes are converted) and must
 * be relative and free of `..`; duplicates are refused.
 */
export function createZip(entries: Array<{ path: string; data: Uint8Array | string }>): Uint8Array {
  if (entries.length > 0xffff) throw usageError('ZIP_INVALID', `Cannot create a zip with ${entries.length} entries (limit 65535).`);
  const enc = new TextEncoder();
  const seen = new Set<string>();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;

  for (const entry of entries) {
    const checked = checkEntryPath(entry.path.replace(/\\/g, '/'));
    if (!checked.ok) throw usageError('ZIP_UNSAFE', `Cannot create a zip with entry ${JSON.stringify(entry.path)}: ${checked.reason}.`);
    const name = checked.path;
    if (seen.has(name)) throw usageError('ZIP_UNSAFE', `Cannot create a zip with duplicate entry ${JSON.stringify(name)}.`);
    seen.add(name);
    const nameBytes = enc.encode(name);
    const raw = typeof entry.data === 'string' ? enc.encode(entry.data) : entry.data;
    const deflated = deflateRawSync(raw, { level: 6 });
    const stored = deflated.length >= raw.length;
    const body = stored ? raw : deflated;
    const method = stored ? 0 : 8;
    const crc = crc32(raw);
    if (raw.length > 0xfffffffe || offset > 0xfffffffe) throw usageError('ZIP_INVALID', `Cannot create a zip larger than 4 GiB (entry ${JSON.stringify(name)}).`);

    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, VERSION_NEEDED, true);
    lv.setUint16(6, FLAG_UTF8, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, DOS_TIME, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, 0, true);
    local.set(nameBytes, 30);

    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, VERSION_MADE_BY, true);
    cv.setUint16(6, VERSION_NEEDED, true);
    cv.setUint16(8, FLAG_UTF8, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, DOS_TIME, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, nameBytes.length, true);
    // extra length, comment length, disk start, internal attrs: all 0
    cv.setUint32(38, REGULAR_FILE_ATTRS, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }

  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  if (offset + cdSize > 0xfffffffe) throw usageError('ZIP_INVALID', 'Cannot create a zip larger than 4 GiB.');
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);

  const out = new Uint8Array(offset + cdSize + eocd.length);
  let pos = 0;
  for (const part of [...locals, ...centrals, eocd]) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}
