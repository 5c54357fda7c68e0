import type { OptionsOf } from '../../cli/command-options.js';
import type { RunExtras } from '../../cli/types.js';
import { resolveBase } from '../context.js';
import { runTmuxStep } from './tmux-run.js';

interface Target {
  target: string;
  command: string;
  targetKind: string;
  agentKind?: string;
  composerState: string;
}

/** `dispatch targets`: tmux.targets as a recorded one-step run; one line per pane in human mode. */
export default async function listTargets(opts: OptionsOf<'targets'>, x: RunExtras) {
  return runTmuxStep(resolveBase(opts), x, 'targets', 'tmux.targets', {}, (e, c) => {
    const list = ((e.response as { targets?: Target[] } | undefined)?.targets ?? []).map(
      (t) => `${t.target.padEnd(16)} ${(t.agentKind ?? t.targetKind).padEnd(10)} ${c.dim(`${t.targetKind}, composer ${t.composerState}, ${t.command}`)}`,
    );
    return `${list.length ? list.join('\n') : c.dim('no tmux panes')}\n`;
  });
}
