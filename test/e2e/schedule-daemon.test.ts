import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { until } from '../support/run-progress.js';

// Schedules and the daemon as real processes: short ticks, a restart in the middle, a daemon
// killed with SIGKILL then `ensure`, two starts at once, a missed fire, a failing schedule.

let box: Sandbox;
const env = { DISPATCH_DAEMON_TICK_MS: '100', DISPATCH_DAEMON_BACKOFF_MS: '300' };
const cli = (args: string[]) => box.json(args, { env });

beforeEach(() => {
  box = sandbox('dispatch-daemon-');
  box.write('jobs/tick.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: 0 } }], { jobType: 'tick' }));
  box.write('jobs/broken.job.case.json', job([{ id: 'call', action: 'http.request', payload: { url: 'http://127.0.0.1:1/nothing' } }], { jobType: 'broken' }));
});
afterEach(async () => {
  const lock = path.join(box.home, 'daemon.lock');
  const pid = fs.existsSync(lock) ? Number(fs.readFileSync(lock, 'utf8')) : 0;
  if (pid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  box.cleanup();
});

/** Run ids fired by a schedule, from their meta.json. */
function firedBy(scheduleId: string): string[] {
  if (!fs.existsSync(box.output)) return [];
  return fs.readdirSync(box.output).filter((id) => {
    const meta = path.join(box.output, id, 'meta.json');
    return fs.existsSync(meta) && JSON.parse(fs.readFileSync(meta, 'utf8')).scheduleId === scheduleId;
  });
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const schedulesFile = () => path.join(box.home, 'schedules.json');

describe('dispatch schedule', () => {
  it('adds, lists, pauses, resumes and removes, and refuses bad timings', async () => {
    const add = await cli(['schedule', 'add', '--case', 'jobs/tick.job.case.json', '--cron', '*/5 * * * *', '--tz', 'Europe/Berlin', '--name', 'five']);
    expect(add.json).toMatchObject({ status: 'SUCCESS', schedule: { name: 'five', kind: 'cron', spec: '*/5 * * * *', timezone: 'Europe/Berlin', paused: false } });
    expect(Date.parse(add.json.schedule.nextDue)).toBeGreaterThan(Date.now());
    expect(add.json.next[0].command).toBe('dispatch daemon ensure');
    const id = add.json.schedule.id;
    expect((await cli(['schedule', 'pause', id])).json.schedule.paused).toBe(true);
    expect((await cli(['schedule', 'list'])).json.schedules[0]).toMatchObject({ id, paused: true });
    expect((await cli(['schedule', 'resume', 'five'])).json.schedule.paused).toBe(false);
    const inOne = await cli(['schedule', 'add', '--case', 'jobs/tick.job.case.json', '--in', '30m']);
    expect(inOne.json.schedule).toMatchObject({ kind: 'at', name: 'tick' });
    expect((await cli(['schedule', 'remove', id])).json.removed).toBe(true);
    expect((await cli(['schedule', 'list'])).json.count).toBe(1);

    const bad = async (args: string[], code: string, exitCode = 2) =>
      expect((await cli(['schedule', 'add', '--case', 'jobs/tick.job.case.json', ...args])).json).toMatchObject({ status: 'ERROR', exitCode, error: { code } });
    await bad(['--cron', 'every day'], 'SCHEDULE_CRON_INVALID');
    await bad(['--every', '5m', '--in', '1m'], 'SCHEDULE_TIMING_MISSING');
    await bad([], 'SCHEDULE_TIMING_MISSING');
    await bad(['--at', '2001-01-01T00:00:00Z'], 'SCHEDULE_TIME_PAST');
    await bad(['--every', '100ms'], 'SCHEDULE_INTERVAL_INVALID');
    await bad(['--in', '5m', '--name', 'tick'], 'SCHEDULE_NAME_TAKEN');
    const missing = await cli(['schedule', 'add', '--case', 'jobs/none.job.case.json', '--every', '5m']);
    expect(missing.json.exitCode).toBe(4);
    expect((await cli(['schedule', 'pause', 'sch-nope'])).json).toMatchObject({ exitCode: 4, error: { code: 'SCHEDULE_NOT_FOUND' } });
  });
});

describe('dispatch daemon', () => {
  it('fires due schedules as recorded runs, survives a restart, and reports its state', async () => {
    const add = await cli(['schedule', 'add', '--case', 'jobs/tick.job.case.json', '--every', '1s']);
    const id = add.json.schedule.id;
    const start = await cli(['daemon', 'start']);
    expect(start.json).toMatchObject({ status: 'SUCCESS', started: true, running: true });
    await until(() => firedBy(id).length >= 2, 'two fires');
    const status = await cli(['daemon', 'status']);
    expect(status.json).toMatchObject({ running: true, pid: start.json.pid, nextDue: { id } });
    expect(Date.parse(status.json.lastTick)).toBeGreaterThan(Date.parse(add.json.schedule.createdAt));
    const summary = JSON.parse(fs.readFileSync(path.join(box.output, firedBy(id)[0], 'summary.json'), 'utf8'));
    expect(summary.status).toBe('SUCCESS');

    // Restart in the middle.
    expect((await cli(['daemon', 'stop'])).json).toMatchObject({ stopped: true, running: false });
    expect(alive(start.json.pid)).toBe(false);
    expect((await cli(['daemon', 'status'])).json.running).toBe(false);
    const before = firedBy(id).length;
    const again = await cli(['daemon', 'start']);
    expect(again.json.started).toBe(true);
    await until(() => firedBy(id).length >= before + 2, 'fires after the restart');
    const list = await cli(['schedule', 'list']);
    expect(list.json.schedules[0]).toMatchObject({ id, failures: 0, lastRun: { status: 'SUCCESS' } });
  }, 60_000);

  it('runs a fire missed while stopped once, not once per missed slot', async () => {
    const add = await cli(['schedule', 'add', '--case', 'jobs/tick.job.case.json', '--every', '1h']);
    const id = add.json.schedule.id;
    // Three hours of missed fires.
    const file = JSON.parse(fs.readFileSync(schedulesFile(), 'utf8'));
    file.schedules[0].nextDue = new Date(Date.now() - 3 * 3600_000).toISOString();
    fs.writeFileSync(schedulesFile(), JSON.stringify(file));
    await cli(['daemon', 'start']);
    await until(() => JSON.parse(fs.readFileSync(schedulesFile(), 'utf8')).schedules[0].lastRun !== undefined, 'the missed fire');
    const after = JSON.parse(fs.readFileSync(schedulesFile(), 'utf8')).schedules[0];
    expect(firedBy(id)).toHaveLength(1);
    expect(Date.parse(after.nextDue)).toBeGreaterThan(Date.now() + 50 * 60_000);
  }, 60_000);

  it('is replaced by ensure after a SIGKILL, and two starts at once leave one daemon', async () => {
    const [a, b] = await Promise.all([cli(['daemon', 'start']), cli(['daemon', 'start'])]);
    expect([a.json.status, b.json.status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(a.json.pid).toBe(b.json.pid);
    expect([a.json.started, b.json.started].filter(Boolean)).toHaveLength(1);
    const first = a.json.pid;
    process.kill(first, 'SIGKILL');
    await until(() => !alive(first), 'the daemon to die');
    expect((await cli(['daemon', 'status'])).json.running).toBe(false);
    const ensured = await cli(['daemon', 'ensure']);
    expect(ensured.json).toMatchObject({ status: 'SUCCESS', started: true });
    expect(ensured.json.pid).not.toBe(first);
    expect((await cli(['daemon', 'ensure'])).json).toMatchObject({ started: false, pid: ensured.json.pid });
    const add = await cli(['schedule', 'add', '--case', 'jobs/tick.job.case.json', '--every', '1s']);
    await until(() => firedBy(add.json.schedule.id).length >= 1, 'a fire by the new daemon');
  }, 60_000);

  it('backs off a failing schedule and shows its last error', async () => {
    const add = await cli(['schedule', 'add', '--case', 'jobs/broken.job.case.json', '--every', '1s']);
    const id = add.json.schedule.id;
    await cli(['daemon', 'start']);
    await until(() => (JSON.parse(fs.readFileSync(schedulesFile(), 'utf8')).schedules[0].failures ?? 0) >= 2, 'two failures');
    const status = await cli(['daemon', 'status']);
    const failing = status.json.recentFailures.find((f: { id: string }) => f.id === id);
    expect(failing.failures).toBeGreaterThanOrEqual(2);
    expect(failing.lastRun).toMatchObject({ status: 'FAILED', error: { code: expect.stringMatching(/^HTTP_/) } });
    expect(Date.parse(failing.backoffUntil)).toBeGreaterThan(Date.parse(failing.lastRun.at));
    const human = await box.run(['schedule', 'list'], { env });
    expect(human.stdout).toMatch(/failure\(s\) in a row: HTTP_/);
    expect(firedBy(id).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('prints unit files for systemd and launchd', async () => {
    const r = await cli(['daemon', 'service']);
    expect(r.json.systemd).toContain('ExecStart=');
    expect(r.json.systemd).toContain('daemon run');
    expect(r.json.launchd).toContain('<string>daemon</string><string>run</string>');
  });
});
