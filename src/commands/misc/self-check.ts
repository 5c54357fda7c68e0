import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SELF_CHECK_FILE, SELF_CHECK_JOB } from '../../agent/self-check-job.js';
import type { RunExtras } from '../../cli/types.js';
import { DispatchError, toDispatchError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { ms } from '../../output/human.js';
import { assertRun } from '../../runs/assert.js';
import { readRecordedRun, resolveRunDir } from '../../runs/store.js';
import { outputRootOf, type BaseOptions } from '../context.js';
import { invalidJobError, loadAndValidate, prepareJob } from '../job/prepare.js';
import { ensureWritable, executePrepared } from '../../job/execute.js';
import { runResult } from '../job/run-result.js';

interface Stage {
  name: 'validate' | 'run' | 'assert';
  status: 'ok' | 'fail' | 'skipped';
  durationMs: number;
  message: string;
  error?: ReturnType<DispatchError['toJSON']>;
}

/**
 * Validates, runs and asserts a built-in job through the same functions as `job validate/run/assert`,
 * inside a fresh temp folder used as cwd, DISPATCH_HOME and run output, removed afterwards: the
 * user's home, repo modules and run output are neither read nor written.
 */
export async function selfCheck(extras: Partial<RunExtras> = {}): Promise<CommandResult> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'dispatch-self-check-')).catch((err: NodeJS.ErrnoException) => {
    throw new DispatchError({
      code: 'SELF_CHECK_TEMP',
      exitCode: 2,
      message: `Could not create a temporary folder in ${os.tmpdir()} (${err.code ?? err.message}).`,
      hint: 'Point TMPDIR at a writable folder and run dispatch self-check again.',
    });
  });
  const cwd = path.join(root, 'work');
  const base: BaseOptions = { cwd, root: cwd, env: { ...process.env, DISPATCH_HOME: path.join(root, 'home'), DISPATCH_RUN_OUTPUT: path.join(root, 'run-output') } };
  const stages: Stage[] = [];
  let failure: DispatchError | undefined;
  try {
    await fs.mkdir(path.join(cwd, 'jobs'), { recursive: true });
    await fs.writeFile(path.join(cwd, SELF_CHECK_FILE), `${JSON.stringify(SELF_CHECK_JOB, null, 2)}\n`);
    const outputRoot = outputRootOf(base);
    let runId = '';
    const steps: Array<[Stage['name'], () => Promise<string>]> = [
      [
        'validate',
        async () => {
          const r = await loadAndValidate(base, SELF_CHECK_FILE);
          if (!r.validation.job) throw invalidJobError(SELF_CHECK_FILE, r.validation);
          return `${SELF_CHECK_JOB.scenario.steps.length} steps valid, actions resolved from the ${[...new Set(r.registry.modules.map((m) => m.layer))].join('/')} layer`;
        },
      ],
      [
        'run',
        async () => {
          const prepared = await prepareJob(base, SELF_CHECK_FILE);
          await ensureWritable(outputRoot);
          const outcome = await executePrepared(base, prepared, { casePath: SELF_CHECK_FILE, outputRoot, signal: extras.signal, argv: extras.argv, meta: { selfCheck: true } });
          const result = runResult(outcome, SELF_CHECK_FILE, outputRoot);
          if (result.status !== 'SUCCESS') throw result.error ?? new DispatchError({ code: 'SELF_CHECK_RUN', exitCode: 1, message: `the run ended ${result.status}` });
          runId = outcome.runId;
          return `run ${runId} recorded with ${outcome.steps.length} steps`;
        },
      ],
      [
        'assert',
        async () => {
          const { runDir } = await resolveRunDir(outputRoot, runId);
          const outcome = assertRun(await readRecordedRun(runId, runDir));
          const failed = outcome.results.filter((r) => !r.pass);
          if (failed.length) throw new DispatchError({ code: 'ASSERTION_FAILED', exitCode: 2, message: `${failed.length} assertion(s) did not hold; first: ${failed[0].message}` });
          return `run status and ${outcome.results.length - 1} job assertions hold on the recorded run`;
        },
      ],
    ];
    for (const [name, work] of steps) {
      if (failure) {
        stages.push({ name, status: 'skipped', durationMs: 0, message: 'skipped after an earlier failure' });
        continue;
      }
      const started = Date.now();
      try {
        stages.push({ name, status: 'ok', message: await work(), durationMs: Date.now() - started });
      } catch (err) {
        failure = toDispatchError(err);
        stages.push({ name, status: 'fail', message: failure.message, durationMs: Date.now() - started, error: failure.toJSON() });
      }
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  const data = { stages, tempRoot: root, removed: true };
  if (!failure) return { status: 'SUCCESS', exitCode: 0, data, next: [{ command: 'dispatch doctor', description: 'check this folder: modules, env vars, writable folders' }], view };
  const stage = stages.find((s) => s.status === 'fail')!;
  const error = new DispatchError({
    code: 'SELF_CHECK_FAILED',
    exitCode: failure.exitCode === 0 ? 1 : failure.exitCode,
    message: `Self-check failed at ${stage.name}: ${failure.message}`,
    hint: 'The built-in job should always pass; run dispatch doctor, and reinstall dispatchkit if it still fails.',
    details: { stage: stage.name, cause: failure.toJSON() },
  });
  return {
    status: 'FAILED',
    exitCode: error.exitCode,
    data,
    error,
    next: [
      { command: 'dispatch doctor', description: 'look for a broken Node version or unwritable folders' },
      { command: 'npm install -g dispatchkit', description: 'reinstall the CLI' },
    ],
    view,
  };
}

function view(env: Envelope, c: Colors): string {
  const mark = { ok: c.green('✓'), fail: c.red('✗'), skipped: c.dim('-') };
  const lines = ((env.stages ?? []) as Stage[]).map((s) => `  ${mark[s.status]} ${s.name.padEnd(8)} ${c.dim(ms(s.durationMs).padStart(6))}  ${s.message}`);
  const verdict = env.status === 'SUCCESS' ? c.green(c.bold('self-check passed')) : c.red(c.bold('self-check failed'));
  return `${verdict} ${c.dim('(offline, temporary folders, removed afterwards)')}\n${lines.join('\n')}\n`;
}

export default (_opts: Record<string, unknown>, extras: RunExtras) => selfCheck(extras);
