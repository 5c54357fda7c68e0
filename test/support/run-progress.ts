// Waiting on a run's own progress instead of a fixed sleep: since DESIGN 9 (revised) a run folder
// exists from the start and its activity.log and steps.jsonl grow as steps start and finish.
import fs from 'node:fs';
import path from 'node:path';

/** Polls `check` (on each turn of the event loop, at most every 10 ms) until it holds. */
export async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Run folders under the output root (not batches, not leftovers). */
export function runFolders(outputRoot: string): string[] {
  return fs.existsSync(outputRoot)
    ? fs
        .readdirSync(outputRoot)
        .filter((n) => /^\d{8}-\d{6}-/.test(n))
        .map((n) => path.join(outputRoot, n))
    : [];
}

const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/** Finished steps recorded so far in one run folder. */
export function stepsRecorded(runDir: string): number {
  return read(path.join(runDir, 'steps.jsonl')).split('\n').filter(Boolean).length;
}

/** Resolves once some run under `outputRoot` has started step `stepId` (its activity.log says so). */
export function stepStarted(outputRoot: string, stepId: string): Promise<void> {
  return until(() => runFolders(outputRoot).some((d) => read(path.join(d, 'activity.log')).includes(` ${stepId} (`)), `step ${stepId} to start`);
}

/** Resolves once `runs` run folders under `outputRoot` have each recorded at least `steps` finished steps. */
export function stepsDone(outputRoot: string, steps: number, runs = 1): Promise<void> {
  return until(() => runFolders(outputRoot).filter((d) => stepsRecorded(d) >= steps).length >= runs, `${runs} run(s) with ${steps} finished step(s)`);
}
