import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError } from '../errors.js';
import { acquireLock } from '../state/file-lock.js';
import { readJsonFile, writeJsonFileAtomic } from '../state/json-file.js';

/*
 * ~/.dispatch/schedules.json: every schedule, read and written whole under a lock (the CLI and
 * the daemon both change it), each write atomic.
 */

export type ScheduleKind = 'cron' | 'every' | 'at';

export interface LastRun {
  runId: string | null;
  status: string;
  at: string;
  error?: { code: string; message: string };
}

export interface Schedule {
  id: string;
  name: string;
  /** The job file, absolute; `cwd` is the folder the run resolves from (as --cwd). */
  casePath: string;
  cwd: string;
  set: string[];
  kind: ScheduleKind;
  /** The cron expression, the interval ("5m") or the ISO time. */
  spec: string;
  timezone?: string;
  createdAt: string;
  paused: boolean;
  /** When it fires next; absent once a one-shot has fired. */
  nextDue?: string;
  lastRun?: LastRun;
  /** Failures in a row; reset by a success. */
  failures: number;
  /** After a failure, not fired again before this time. */
  backoffUntil?: string;
  /** A one-shot that has fired. */
  done?: boolean;
}

interface ScheduleFile {
  version: 1;
  schedules: Schedule[];
}

export const schedulesFile = (home: string) => path.join(home, 'schedules.json');

export async function readSchedules(home: string): Promise<Schedule[]> {
  return (await readJsonFile<ScheduleFile>(schedulesFile(home), { version: 1, schedules: [] })).schedules ?? [];
}

/** Read, change and write the schedules under the lock; returns what `change` returns. */
export async function updateSchedules<T>(home: string, change: (list: Schedule[]) => T | Promise<T>): Promise<T> {
  const file = schedulesFile(home);
  await fs.mkdir(home, { recursive: true });
  const release = await acquireLock(`${file}.lock`, 10_000, 30_000);
  try {
    const list = await readSchedules(home);
    const out = await change(list);
    await writeJsonFileAtomic(file, { version: 1, schedules: list } satisfies ScheduleFile);
    return out;
  } finally {
    await release();
  }
}

export function findSchedule(list: Schedule[], id: string): Schedule {
  const s = list.find((x) => x.id === id || x.name === id);
  if (!s) {
    throw notFoundError('SCHEDULE_NOT_FOUND', `No schedule ${JSON.stringify(id)}.`, {
      hint: 'dispatch schedule list shows the ids and names.',
      next: [{ command: 'dispatch schedule list', description: 'every schedule' }],
    });
  }
  return s;
}
