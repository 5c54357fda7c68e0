import fs from 'node:fs';
import type { OptionsOf } from '../../cli/command-options.js';
import type { RunExtras } from '../../cli/types.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { claimDaemon, runDaemon, runningDaemon } from '../../schedule/daemon.js';
import { homeOf, resolveBase } from '../context.js';
import { daemonLogPath } from './control.js';

/** `daemon run`: the daemon in the foreground, until SIGINT/SIGTERM; exits 0 at once when another one runs. */
export default async function daemonRun(opts: OptionsOf<'daemon run'>, x: RunExtras): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const release = await claimDaemon(home);
  if (!release) return ok({ running: true, pid: await runningDaemon(home), started: false });
  const logFile = daemonLogPath(home);
  const log = (line: string) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  try {
    await runDaemon(home, base.env, x.signal, log);
  } finally {
    await release();
  }
  return ok({ running: false, pid: process.pid, stopped: true });
}
