import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transientError } from '../errors.js';

const OWNER_FILE = 'owner';

// ---------------------------------------------------------------------------------------------
// Cross-process lock: `mkdir <file>.lock` is atomic; an `owner` file inside names the holder.

interface LockOwner {
  pid?: number;
  host?: string;
  createdAt?: string;
  token?: string;
}

export async function acquireLock(lockDir: string, timeoutMs: number, staleMs: number): Promise<() => Promise<void>> {
  const started = Date.now();
  const token = randomBytes(8).toString('hex');
  let delay = 5;
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      const owner: LockOwner = { pid: process.pid, host: os.hostname(), createdAt: new Date().toISOString(), token };
      try {
        await fsp.writeFile(path.join(lockDir, OWNER_FILE), `${JSON.stringify(owner)}\n`, 'utf8');
      } catch (err) {
        await fsp.rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
        throw err;
      }
      return async () => {
        await fsp.rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
      };
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
    }

    if (await breakIfStale(lockDir, staleMs)) continue;

    if (Date.now() - started >= timeoutMs) {
      const owner = await readOwner(lockDir);
      throw transientError('MEMORY_LOCK_TIMEOUT', `Timed out after ${Math.round((Date.now() - started) / 1000)} s waiting for the memory lock ${lockDir}.`, {
        hint: `Another dispatch process${owner?.pid ? ` (pid ${owner.pid})` : ''} is writing this namespace; retry. If no such process is running, remove ${lockDir}.`,
        details: { lock: lockDir, owner: owner ?? null },
      });
    }
    const jitter = Math.random() * delay;
    await sleep(Math.min(delay + jitter, Math.max(1, timeoutMs - (Date.now() - started))));
    delay = Math.min(50, delay * 2);
  }
}

async function readOwner(lockDir: string): Promise<LockOwner | undefined> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(path.join(lockDir, OWNER_FILE), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Breaks the lock if its holder is dead or it is older than staleMs. Returns true if broken (or gone). */
async function breakIfStale(lockDir: string, staleMs: number): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await fsp.stat(lockDir)).mtimeMs;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return true; // released meanwhile: retry at once
    throw err;
  }
  const owner = await readOwner(lockDir);
  const createdMs = owner?.createdAt ? Date.parse(owner.createdAt) : NaN;
  const ageMs = Date.now() - (Number.isFinite(createdMs) ? createdMs : mtimeMs);
  let stale = ageMs > staleMs;
  if (!stale && owner && typeof owner.pid === 'number' && (owner.host === undefined || owner.host === os.hostname())) {
    stale = !pidAlive(owner.pid);
  }
  if (!stale) return false;

  // Re-check that the lock is still the one judged stale, then move it aside atomically so two
  // breakers cannot both remove a lock that a third process has just taken.
  const again = await readOwner(lockDir);
  if ((again?.token ?? null) !== (owner?.token ?? null) || (again?.pid ?? null) !== (owner?.pid ?? null)) return false;
  const tomb = `${lockDir}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fsp.rename(lockDir, tomb);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') return true;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM' || code === 'EACCES') return false;
    throw err;
  }
  await fsp.rm(tomb, { recursive: true, force: true }).catch(() => undefined);
  return true;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) !== 'ESRCH';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as { code?: unknown }).code as string | undefined) : undefined;
}
