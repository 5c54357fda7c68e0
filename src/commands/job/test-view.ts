import type { ExitCode } from '../../errors.js';
import type { TestCaseResult } from '../../sdk/types.js';
import type { Colors } from '../../output/colors.js';
import type { Envelope } from '../../output/envelope.js';
import { ms, reportLines, statusWord } from '../../output/human.js';

/** One case of a `job test` suite as its envelope lists it (the SDK's type, with the exit class narrowed). */
export type SuiteCase = TestCaseResult & { exitCode: ExitCode };

/**
 * The suite as people read test runners: one line per case with its steps collapsed, then every
 * failure expanded at the end, then the tally (vitest and hurl --test read this way).
 */
export function suiteView(e: Envelope, c: Colors): string {
  const cases = (e.cases ?? []) as SuiteCase[];
  const lines = cases.map((k) => {
    const mark = k.passed ? c.green('✓') : c.red('✗');
    const rules = k.assertions ? `${k.assertions.passed + k.assertions.failed} assertion(s)` : 'not run';
    return `${mark} ${k.casePath} ${c.dim(`${k.jobType ?? ''} · ${rules} · ${ms(k.durationMs)}`)}`;
  });
  const failed = cases.filter((k) => !k.passed);
  if (failed.length) {
    lines.push('', c.bold(c.red(`Failures (${failed.length})`)));
    for (const k of failed) {
      lines.push('', `${c.red('✗')} ${c.bold(k.casePath)}${k.runId ? c.dim(`  run ${k.runId}`) : ''}`);
      if (k.error) lines.push(`    ${k.failedStep ? `step ${k.failedStep}: ` : ''}${c.red(`${k.error.code}: ${k.error.message}`)}`);
      for (const r of k.failedRules ?? []) lines.push(`    ${c.red('assertion')} ${r.message}`);
      if (k.moreRules) lines.push(c.dim(`    … ${k.moreRules} more assertion(s) did not hold`));
      if (k.runId) lines.push(c.dim(`    dispatch job inspect --run-id ${k.runId}`));
    }
  }
  const tally = [c.green(`${String(e.passed)} passed`)];
  if (e.failed) tally.push(c.red(`${String(e.failed)} failed`));
  if (e.notStarted) tally.push(c.yellow(`${String(e.notStarted)} not started`));
  const shard = e.shard as { index: number; total: number } | undefined;
  lines.push('', `${statusWord(e.status, c)} ${tally.join(', ')} ${c.dim(`of ${String(e.count)} case(s)${shard ? ` (shard ${shard.index}/${shard.total})` : ''} in ${ms(e.durationMs)}`)}`);
  lines.push(`${c.dim('record:')} ${String(e.batchPath ?? '')}`);
  lines.push(...reportLines(e.reports, c));
  return `${lines.join('\n')}\n`;
}
