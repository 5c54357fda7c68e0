import { promises as fsp } from 'node:fs';
import path from 'node:path';

import { usageError } from '../errors.js';
import type { MemoryAccess } from '../modules/types.js';
import { deleteAtPath, getAtPath, parseKeyPath, setAtPath } from '../util/key-path.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { acquireLock } from './file-lock.js';
import { validateNamespace } from './memory-names.js';

// Validation of a job reads namespaces without the store (and its lock code): see memory-names.ts.
export { validateNamespace };

/**
 * Durable namespaced memory (design section 8): `<memoryDir>/<namespace>.json`, plain nested JSON.
 * Keys are dotted paths into the file. Writes are atomic (temp file + fsync + rename) and
 * read-modify-write cycles are serialised across processes with a `mkdir` lock next to the file.
 */

export interface NamespaceInfo {
  namespace: string;
  /** Leaf values in the file (nested objects are walked; an array counts as one leaf). */
  keyCount: number;
  sizeBytes: number;
  /** ISO timestamp of the file's last modification. */
  updatedAt: string;
  /** Set when the file is not valid memory JSON (keyCount is then 0). */
  corrupt?: boolean;
}

interface MemoryStore extends MemoryAccess {
  listNamespaces(): Promise<NamespaceInfo[]>;
  readNamespace(namespace: string): Promise<{ found: boolean; data: Record<string, unknown> }>;
}

interface MemoryStoreOptions {
  /** Give up acquiring the lock after this long (default 15 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is considered stale and broken (default 10 s). */
  staleLockMs?: number;
}

const FILE_SUFFIX = '.json';
const LOCK_SUFFIX = '.lock';

export function createMemoryStore(memoryDir: string, options: MemoryStoreOptions = {}): MemoryStore {
  const dir = path.resolve(memoryDir);
  const lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
  const staleLockMs = options.staleLockMs ?? 10_000;

  function fileFor(namespace: string): string {
    validateNamespace(namespace);
    const file = path.resolve(dir, namespace + FILE_SUFFIX);
    const rel = path.relative(dir, file);
    if (path.dirname(file) !== dir || rel.length === 0 || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw usageError('INVALID_NAMESPACE', `Memory namespace "${namespace}" resolves outside the memory folder.`, {
        hint: 'Use a plain name such as "crm-users".',
        details: { namespace },
      });
    }
    return file;
  }

  async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
    await fsp.mkdir(dir, { recursive: true });
    const release = await acquireLock(file + LOCK_SUFFIX, lockTimeoutMs, staleLockMs);
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  return {
    async get(namespace, key) {
      const file = fileFor(namespace);
      const segments = parseKeyPath(key, 'memory key');
      const data = await readFileData(file);
      if (data === undefined) return { found: false };
      const hit = getAtPath(data, segments);
      return hit.found ? { found: true, value: hit.value } : { found: false };
    },

    async set(namespace, key, value) {
      const file = fileFor(namespace);
      const segments = parseKeyPath(key, 'memory key');
      const normalized = normalizeValue(value, namespace, key);
      await withLock(file, async () => {
        const data = (await readFileData(file)) ?? {};
        setAtPath(data, segments, normalized);
        await writeAtomic(file, data);
      });
    },

    async delete(namespace, key) {
      const file = fileFor(namespace);
      if (key === undefined) {
        return withLock(file, async () => {
          try {
            await fsp.unlink(file);
            return { removed: true };
          } catch (err) {
            if (errCode(err) === 'ENOENT') return { removed: false };
            throw err;
          }
        });
      }
      const segments = parseKeyPath(key, 'memory key');
      try {
        await fsp.access(file);
      } catch {
        // Nothing stored: no need to create the folder or take the lock.
        return { removed: false };
      }
      return withLock(file, async () => {
        const data = await readFileData(file);
        if (data === undefined) return { removed: false };
        const removed = deleteAtPath(data, segments);
        if (removed) await writeAtomic(file, data);
        return { removed };
      });
    },

    async readNamespace(namespace) {
      const file = fileFor(namespace);
      const data = await readFileData(file);
      return data === undefined ? { found: false, data: {} } : { found: true, data };
    },

    async listNamespaces() {
      let entries: string[];
      try {
        entries = await fsp.readdir(dir);
      } catch (err) {
        if (errCode(err) === 'ENOENT') return [];
        throw err;
      }
      const out: NamespaceInfo[] = [];
      for (const name of entries.sort()) {
        if (!name.endsWith(FILE_SUFFIX)) continue;
        const namespace = name.slice(0, -FILE_SUFFIX.length);
        try {
          validateNamespace(namespace);
        } catch {
          continue;
        }
        const file = path.join(dir, name);
        let stat;
        try {
          stat = await fsp.stat(file);
        } catch (err) {
          if (errCode(err) === 'ENOENT') continue; // removed meanwhile
          throw err;
        }
        if (!stat.isFile()) continue;
        const info: NamespaceInfo = { namespace, keyCount: 0, sizeBytes: stat.size, updatedAt: stat.mtime.toISOString() };
        try {
          const data = await readFileData(file);
          if (data === undefined) continue;
          info.keyCount = countLeaves(data);
        } catch {
          info.corrupt = true;
        }
        out.push(info);
      }
      return out;
    },
  };
}

/** Leaf values: nested plain objects are walked, arrays and scalars count as one. */
export function countLeaves(value: unknown): number {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 1;
  let n = 0;
  for (const child of Object.values(value as Record<string, unknown>)) n += countLeaves(child);
  return n;
}

// ---------------------------------------------------------------------------------------------
// File I/O

async function readFileData(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  return parseMemoryText(text, file);
}

function corruptError(file: string, reason: string) {
  const namespace = path.basename(file).slice(0, -FILE_SUFFIX.length);
  return usageError('MEMORY_CORRUPT', `Memory file ${file} is corrupt: ${reason}`, {
    hint: `Fix ${file} by hand (it must hold one JSON object) or delete it; dispatch will not overwrite it. \`dispatch memory inspect --namespace ${namespace}\` shows it once it parses.`,
    details: { file, namespace },
  });
}

function parseMemoryText(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  let protoKey = false;
  try {
    // JSON.parse creates own `__proto__` properties (no pollution), but such data could pollute a
    // later Object.assign/merge, and no key path can address it: treat it as a hand-edited error.
    parsed = JSON.parse(text, function reviver(k, v) {
      if (k === '__proto__') protoKey = true;
      return v;
    });
  } catch (err) {
    throw corruptError(file, `invalid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw corruptError(file, `the top level is ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}, not an object.`);
  }
  if (protoKey) throw corruptError(file, 'it contains the reserved key "__proto__".');
  return parsed as Record<string, unknown>;
}

function normalizeValue(value: unknown, namespace: string, key: string): unknown {
  if (value === undefined) {
    throw usageError('INVALID_MEMORY_VALUE', `No value given for memory key "${key}" in namespace "${namespace}".`, {
      hint: 'Store a JSON value (use null to store "nothing"), or forget the key instead.',
    });
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw usageError('INVALID_MEMORY_VALUE', `The value for memory key "${key}" is not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'Memory stores plain JSON values only.',
    });
  }
  if (text === undefined) {
    throw usageError('INVALID_MEMORY_VALUE', `The value for memory key "${key}" is not a JSON value.`, {
      hint: 'Memory stores plain JSON values only.',
    });
  }
  // Round-trip through the same guarded parse used for files (no shared references, no __proto__).
  let protoKey = false;
  const out = JSON.parse(text, (k, v) => {
    if (k === '__proto__') protoKey = true;
    return v;
  });
  if (protoKey) {
    throw usageError('FORBIDDEN_KEY', `The value for memory key "${key}" contains the reserved key "__proto__".`, {
      hint: '__proto__, constructor and prototype cannot be used as keys.',
    });
  }
  return out;
}

function writeAtomic(file: string, data: Record<string, unknown>): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, durable: true });
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
}
