import path from 'node:path';
import type { RunExtras } from '../../cli/types.js';
import { ensureWritable, executePrepared } from '../../job/execute.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { readRecordedRun } from '../../runs/store.js';
import { outputRootOf, type BaseOptions } from '../context.js';
import { prepareJob } from '../job/prepare.js';
import { runResult } from '../job/run-result.js';

/**
 * `dispatch send`, `capture` and `targets`: each is a one-step job run and recorded like any
 * other (job list and inspect are the history of what was sent where), built in memory from the
 * flags. The envelope is job run's, plus the step's `response`.
 */
export async function runTmuxStep(base: BaseOptions, x: RunExtras, name: string, action: string, payload: Record<string, unknown>, view: (e: Envelope, c: Colors) => string): Promise<CommandResult> {
  const job = { schemaVersion: 1, jobType: `dispatch-${name}`, scenario: { steps: [{ id: name, action, payload }] } };
  const text = `${JSON.stringify(job, null, 2)}\n`;
  // An in-memory file: its "path" is what the record shows as casePath.
  const file = { path: path.join(base.cwd, `(dispatch ${name})`), kind: 'case' as const, text, raw: JSON.parse(text) as unknown };
  const prepared = await prepareJob(base, file.path, { file });
  const outputRoot = outputRootOf(base);
  await ensureWritable(outputRoot);
  const outcome = await executePrepared(base, prepared, { casePath: file.path, outputRoot, signal: x.signal, argv: x.argv, command: name });
  const result = runResult(outcome, `(dispatch ${name})`, outputRoot);
  const step = outcome.recordError ? undefined : (await readRecordedRun(outcome.runId, outcome.runDir)).steps.find((s) => s.id === name);
  return { ...result, data: { ...result.data, ...(step?.response !== undefined ? { response: step.response } : {}) }, view: result.status === 'SUCCESS' ? view : result.view };
}
