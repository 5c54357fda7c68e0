import { crc32 as zlibCrc32, inflateRawSync } from 'node:zlib';
import { usageError } from '../errors.js';

/** One regular file read out of an archive; `path` is relative, forward-slash, normalised. */
export interface ZipEntry {
  path: string;
  data: Uint8Array;
}

interface ReadZipOptions {
  /** Most central-directory records accepted (directories included). Default 10000. */
  maxEntries?: number;
  /** Most total uncompressed bytes accepted. Default 512 MiB. */
  maxTotalBytes?: number;
  /** What the archive is, for messages (e.g. "run archive", "module bundle"). */
  what?: string;
}

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Standard CRC-32 (as used by zip), from node:zlib. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}

/**
 * Validates an archive entry name and returns its normalised form (`.` and empty segments dropped,
 * trailing slash removed). Refuses absolute paths (`/x`, `C:x`), `..` segments, backslashes, NUL and
 * other control characters, and names with nothing left after normalising.
 */
export function checkEntryPath(name: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (name.length === 0) return { ok: false, reason: 'has an empty name' };
  if (name.includes('\0')) return { ok: false, reason: 'contains a NUL byte' };
  // eslint-disable-next-line no-control-regex
  if (/[\x01-\x1f\x7f]/.test(name)) return { ok: false, reason: 'contains control characters' };
  if (name.includes('\\')) return { ok: false, reason: 'contains a backslash' };
  if (name.startsWith('/')) return { ok: false, reason: 'is an absolute path' };
  if (/^[A-Za-z]:/.test(name)) return { ok: false, reason: 'is an absolute (drive-letter) path' };
  const segments = name.split('/');
  if (segments.includes('..')) return { ok: false, reason: 'contains a ".." segment' };
  const kept = segments.filter((s) => s !== '' && s !== '.');
  if (kept.length === 0) return { ok: false, reason: 'has no file name' };
  return { ok: true, path: kept.join('/') };
}

interface CentralRecord {
  display: string;
  path: string;
  nameBytes: Uint8Array;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/**
 * Parses and extracts a zip held in memory, refusing anything unsafe or malformed with a
 * DispatchError (exit 2): ZIP_INVALID for corrupt/unsupported archives, ZIP_UNSAFE for entries that
 * could escape the target folder, links/special files, duplicates, and size/count limits.
 * Directory entries are skipped. Nothing is written anywhere.
 */
export function readZipSafe(data: Uint8Array, opts: ReadZipOptions = {}): ZipEntry[] {
  const what = opts.what ?? 'zip archive';
  const maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxTotal = opts.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const tail = 'The archive was refused and nothing was written.';
  const invalid = (msg: string, entry?: string) =>
    usageError('ZIP_INVALID', `Refused ${what}: ${entry === undefined ? '' : `entry ${JSON.stringify(entry)} `}${msg}. ${tail}`, {
      hint: 'The file is not a complete, valid zip archive. Re-create or re-download it and try again.',
      details: entry === undefined ? undefined : { entry },
    });
  const unsafe = (msg: string, entry?: string) =>
    usageError('ZIP_UNSAFE', `Refused ${what}: ${entry === undefined ? '' : `entry ${JSON.stringify(entry)} `}${msg}. ${tail}`, {
      hint: 'Archives may only contain regular files with relative paths inside the archive. Re-create it with dispatch, or inspect where it came from.',
      details: entry === undefined ? undefined : { entry },
    });

  const len = data.length;
  if (len < 22) throw invalid('it is not a zip file (too short)');
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (p: number) => dv.getUint16(p, true);
  const u32 = (p: number) => dv.getUint32(p, true);

  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 65557); i--) {
    if (u32(i) === SIG_EOCD && i + 22 + u16(i + 20) <= len) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalid('it is not a zip file (no end-of-central-directory record)');
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== u16(eocd + 10)) throw invalid('multi-disk archives are not supported');
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (cdSize === 0xffffffff || cdOffset === 0xffffffff) throw invalid('ZIP64 archives are not supported');
  if (count > maxEntries) throw unsafe(`it has ${count} entries, more than the limit of ${maxEntries}`);
  const cdEnd = cdOffset + cdSize;
  if (cdEnd > eocd) throw invalid('the central directory is out of bounds (truncated or corrupt archive)');

  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const lenient = new TextDecoder('utf-8');
  const records: CentralRecord[] = [];
  const seen = new Map<string, string>();
  let declaredTotal = 0;
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdEnd || u32(p) !== SIG_CENTRAL) throw invalid('the central directory is corrupt');
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const nameLen = u16(p + 28);
    const next = p + 46 + nameLen + u16(p + 30) + u16(p + 32);
    if (next > cdEnd) throw invalid('the central directory is corrupt');
    const nameBytes = data.subarray(p + 46, p + 46 + nameLen);
    const display = lenient.decode(nameBytes);
    let name: string;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      throw unsafe('has a name that is not valid UTF-8', display);
    }
    const checked = checkEntryPath(name);
    if (!checked.ok) throw unsafe(checked.reason, display);
    const isDir = name.endsWith('/');
    const mode = (u32(p + 38) >>> 16) & S_IFMT;
    if (mode === S_IFLNK) throw unsafe('is a symbolic link', display);
    if (mode !== 0 && mode !== S_IFREG && !(mode === S_IFDIR && isDir)) throw unsafe(`is not a regular file (file type 0o${mode.toString(8)})`, display);
    const rec: CentralRecord = { display, path: checked.path, nameBytes, method, crc: u32(p + 16), compressedSize: u32(p + 20), size: u32(p + 24), localOffset: u32(p + 42) };
    p = next;
    if (isDir) continue;
    if (flags & 1) throw invalid('is encrypted, which is not supported', display);
    if (method !== 0 && method !== 8) throw invalid(`uses unsupported compression method ${method}`, display);
    if (rec.compressedSize === 0xffffffff || rec.size === 0xffffffff || rec.localOffset === 0xffffffff) throw invalid('uses ZIP64, which is not supported', display);
    const key = rec.path.normalize('NFC').toLowerCase();
    if (seen.has(key)) throw unsafe(`appears more than once (duplicate of ${JSON.stringify(seen.get(key))})`, display);
    seen.set(key, rec.path);
    declaredTotal += rec.size;
    if (declaredTotal > maxTotal) throw unsafe(`takes the total uncompressed size past the limit of ${maxTotal} bytes`, display);
    records.push(rec);
  }
  for (const rec of records) {
    const parts = rec.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (seen.has(parent.normalize('NFC').toLowerCase())) throw unsafe(`needs ${JSON.stringify(parent)} to be a folder, but the archive also has a file by that name`, rec.display);
    }
  }

  const out: ZipEntry[] = [];
  let actualTotal = 0;
  for (const rec of records) {
    const lo = rec.localOffset;
    if (lo + 30 > cdOffset || u32(lo) !== SIG_LOCAL) throw invalid('has a missing or corrupt local header', rec.display);
    const lNameLen = u16(lo + 26);
    const start = lo + 30 + lNameLen + u16(lo + 28);
    if (start + rec.compressedSize > cdOffset) throw invalid('has truncated data', rec.display);
    const lName = data.subarray(lo + 30, lo + 30 + lNameLen);
    if (lNameLen !== rec.nameBytes.length || !lName.every((b, i) => b === rec.nameBytes[i])) throw invalid('has a local header that does not match the central directory', rec.display);
    const src = data.subarray(start, start + rec.compressedSize);
    let bytes: Uint8Array;
    if (rec.method === 0) {
      if (rec.compressedSize !== rec.size) throw invalid('has inconsistent sizes', rec.display);
      bytes = src.slice();
    } else {
      const r = inflateBounded(src, rec.size);
      if (r === 'too-big') throw unsafe('expands to more than its declared size', rec.display);
      if (r === 'corrupt') throw invalid('has corrupt compressed data', rec.display);
      bytes = r;
    }
    if (bytes.length !== rec.size) throw invalid('does not match its declared size (corrupt or truncated)', rec.display);
    if (crc32(bytes) !== rec.crc) throw invalid('failed its checksum (corrupt)', rec.display);
    actualTotal += bytes.length;
    if (actualTotal > maxTotal) throw unsafe(`takes the total uncompressed size past the limit of ${maxTotal} bytes`, rec.display);
    out.push({ path: rec.path, data: bytes });
  }
  return out;
}

/**
 * Inflates raw DEFLATE data with node:zlib, which stops as soon as the output would pass
 * `maxOutputLength`: a bomb costs at most its declared size in memory, never more.
 */
function inflateBounded(src: Uint8Array, expected: number): Uint8Array | 'too-big' | 'corrupt' {
  try {
    return inflateRawSync(src, { maxOutputLength: Math.max(1, expected) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ERR_BUFFER_TOO_LARGE' || code === 'ERR_OUT_OF_RANGE' ? 'too-big' : 'corrupt';
  }
}
