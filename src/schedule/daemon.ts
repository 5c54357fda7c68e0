import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveBase } from '../commands/context.js';
import { parseSetValues, prepareJob } from '../commands/job/prepare.js';
import { toDispatchError } from '../errors.js';
import { ensureWritable, executePrepared } from '../job/execute.js';
import { outputRootOf } from '../commands/context.js';
import { abortableSleep } from '../util/sleep.js';
import { readSchedules, updateSchedules, type LastRun, type Schedule } from './store.js';
import { nextAfter } from './timing.js';

/*
 * The daemon: one per DISPATCH_HOME (an exclusive lock file naming its pid), a tick every second
 * that fires due schedules as normal recorded runs, one at a time per schedule.
 */

export const daemonPaths = (home: string) => ({ state: path.join(home, 'daemon.json'), log: path.join(home, 'daemon.log'), lock: path.join(home, 'daemon.lock') });

export interface DaemonState {
  pid: number;
  host: string;
  startedAt: string;
  lastTick?: string;
  stoppedAt?: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the daemon lock, if that process is alive. */
export async function runningDaemon(home: string): Promise<number | undefined> {
  const pid = Number((await fs.readFile(daemonPaths(home).lock, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Takes the lock for this process, or returns undefined when a live daemon holds it (a dead one's lock is taken over). */
export async function claimDaemon(home: string): Promise<(() => Promise<void>) | undefined> {
  const { lock } = daemonPaths(home);
  await fs.mkdir(home, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        const holder = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
        if (holder === process.pid) await fs.rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await runningDaemon(home)) return undefined;
    // The holder is gone (killed): its lock is stale. Rename first, so two claimants never both remove it.
    const stale = `${lock}.stale-${process.pid}`;
    await fs.rename(lock, stale).then(
      () => fs.rm(stale, { force: true }),
      () => undefined,
    );
  }
  return undefined;
}

const TICK_MS = () => Number(process.env.DISPATCH_DAEMON_TICK_MS) || 1000;
const BACKOFF_MS = () => Number(process.env.DISPATCH_DAEMON_BACKOFF_MS) || 30_000;
const MAX_BACKOFF_MS = 3600_000;

/** Runs until the signal aborts: ticks, fires, then waits for the runs in flight. */
export async function runDaemon(home: string, env: Record<string, string | undefined>, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const { state } = daemonPaths(home);
  const me: DaemonState = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const running = new Map<string, Promise<void>>();
  log(`daemon ${process.pid} started`);
  while (!signal.aborted) {
    const now = new Date();
    for (const s of await readSchedules(home)) {
      if (s.paused || s.done || !s.nextDue || running.has(s.id)) continue;
      if (Date.parse(s.nextDue) > now.getTime()) continue;
      if (s.backoffUntil && Date.parse(s.backoffUntil) > now.getTime()) continue;
      const fired = fire(home, env, s, log).finally(() => running.delete(s.id));
      running.set(s.id, fired);
    }
    await fs.writeFile(state, `${JSON.stringify({ ...me, lastTick: now.toISOString() }, null, 2)}\n`).catch(() => undefined);
    await abortableSleep(TICK_MS(), signal).catch(() => undefined);
  }
  log(`daemon ${process.pid} stopping: waiting for ${running.size} run(s)`);
  await Promise.allSettled(running.values());
  await fs.writeFile(state, `${JSON.stringify({ ...me, stoppedAt: new Date().toISOString() }, null, 2)}\n`).catch(() => undefined);
  log(`daemon ${process.pid} stopped`);
}

/** One fire: the schedule's job as a recorded run (meta.scheduleId), then its next time, failures and back-off. */
async function fire(home: string, env: Record<string, string | undefined>, s: Schedule, log: (line: string) => void): Promise<void> {
  const at = new Date();
  log(`fire ${s.id} (${s.name}): ${s.casePath}`);
  let last: LastRun;
  try {
    const base = resolveBase({ cwd: s.cwd, env });
    const setValues = parseSetValues(s.set);
    const prepared = await prepareJob(base, s.casePath, { setNames: Object.keys(setValues) });
    const outputRoot = outputRootOf(base);
    await ensureWritable(outputRoot);
    const outcome = await executePrepared(base, prepared, {
      casePath: s.casePath,
      outputRoot,
      setValues,
      argv: ['dispatch', 'daemon', 'run'],
      meta: { scheduleId: s.id, scheduleName: s.name },
      command: 'schedule',
    });
    const e = outcome.recordError ?? outcome.error;
    last = {
      runId: outcome.runId,
      status: outcome.recordError ? 'FAILED' : outcome.status,
      at: at.toISOString(),
      ...(e && outcome.status !== 'SUCCESS' ? { error: { code: e.code, message: e.message } } : {}),
    };
  } catch (err) {
    const e = toDispatchError(err);
    last = { runId: null, status: 'FAILED', at: at.toISOString(), error: { code: e.code, message: e.message } };
  }
  log(`done ${s.id}: ${last.status}${last.runId ? ` ${last.runId}` : ''}${last.error ? ` ${last.error.code}: ${last.error.message}` : ''}`);
  await updateSchedules(home, async (list) => {
    const cur = list.find((x) => x.id === s.id);
    if (!cur) return; // removed while it ran
    cur.lastRun = last;
    const now = new Date();
    if (last.status === 'SUCCESS') {
      cur.failures = 0;
      delete cur.backoffUntil;
    } else {
      cur.failures = (cur.failures ?? 0) + 1;
      cur.backoffUntil = new Date(now.getTime() + Math.min(MAX_BACKOFF_MS, BACKOFF_MS() * 2 ** (cur.failures - 1))).toISOString();
    }
    const next = await nextAfter(cur, now);
    if (next) cur.nextDue = next.toISOString();
    else {
      delete cur.nextDue;
      cur.done = true;
    }
  });
}
