import type { OptionsOf } from '../../cli/command-options.js';
import type { RunExtras } from '../../cli/types.js';
import { usageError } from '../../errors.js';
import { resolveBase } from '../context.js';
import { runTmuxStep } from './tmux-run.js';

/** `dispatch capture --to <target> [--lines n]`: tmux.capture as a recorded one-step run; human mode prints the lines. */
export default async function capturePane(opts: OptionsOf<'capture'>, x: RunExtras) {
  const lines = Number(opts.lines ?? 200);
  if (!Number.isInteger(lines) || lines < 1 || lines > 2000) throw usageError('BAD_OPTION', `--lines must be a whole number from 1 to 2000, got "${opts.lines}".`, { hint: 'Example: --lines 200' });
  return runTmuxStep(resolveBase(opts), x, 'capture', 'tmux.capture', { target: opts.to, lines }, (e) => `${String((e.response as { text?: string } | undefined)?.text ?? '')}\n`);
}
