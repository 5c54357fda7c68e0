import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transientError } from '../../errors.js';
import { daemonPaths, isAlive, runningDaemon } from '../../schedule/daemon.js';

/** The CLI entry next to the running core (dist/bin.cjs), which the background daemon runs. */
const binFile = () => fileURLToPath(new URL('./bin.cjs', import.meta.url));

// Start and stop wait for the daemon's own signs (its lock, its first tick, its exit), bounded.
const WAIT_MS = 15_000;

async function waitFor(check: () => boolean | Promise<boolean>, ms = WAIT_MS): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * Starts `dispatch daemon run` detached, output appended to daemon.log, unless one runs. Two starts
 * at once both end with the one daemon that won the lock. Returns its pid and whether this call
 * started it.
 */
export async function startDaemon(home: string, env: Record<string, string | undefined>): Promise<{ pid: number; started: boolean }> {
  const already = await runningDaemon(home);
  if (already) return { pid: already, started: false };
  fs.mkdirSync(home, { recursive: true });
  const { log, state } = daemonPaths(home);
  const out = fs.openSync(log, 'a');
  const child = spawn(process.execPath, [binFile(), 'daemon', 'run'], { detached: true, stdio: ['ignore', out, out], env: env as NodeJS.ProcessEnv, cwd: home });
  fs.closeSync(out);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  // Ready when some daemon holds the lock and has ticked: ours, or one that won the race.
  const ok = await waitFor(async () => {
    const pid = await runningDaemon(home);
    if (!pid) return exited && (await runningDaemon(home)) !== undefined;
    let st: { pid?: number; lastTick?: string } = {};
    try {
      st = JSON.parse(fs.readFileSync(state, 'utf8'));
    } catch {
      /* not written yet */
    }
    return st.pid === pid && st.lastTick !== undefined;
  });
  const pid = await runningDaemon(home);
  if (!ok || !pid) {
    throw transientError('DAEMON_NOT_STARTED', `The daemon did not start within ${WAIT_MS / 1000} s.`, { hint: `See ${log} for why.`, details: { log } });
  }
  return { pid, started: pid === child.pid };
}

/** Asks the daemon to stop (SIGTERM: it finishes the runs in progress) and waits until it is gone. */
export async function stopDaemon(home: string): Promise<{ pid?: number; stopped: boolean }> {
  const pid = await runningDaemon(home);
  if (!pid) return { stopped: false };
  process.kill(pid, 'SIGTERM');
  const gone = await waitFor(() => !isAlive(pid), 120_000);
  if (!gone) throw transientError('DAEMON_NOT_STOPPED', `Daemon ${pid} is still running after SIGTERM (a run may be long).`, { hint: `Wait, or kill it: kill ${pid}.` });
  return { pid, stopped: true };
}

export const daemonLogPath = (home: string) => path.join(home, 'daemon.log');
