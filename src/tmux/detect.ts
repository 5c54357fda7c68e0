import path from 'node:path';
import { captureLines, processTree, type Env, type Pane } from './client.js';

/** What a pane holds, and why dispatch thinks so. */
export interface Detection {
  targetKind: 'agent' | 'shell' | 'unknown';
  agentKind?: string;
  composerState: 'idle' | 'active' | 'unknown';
  reason: string;
}

const SHELLS = new Set(['bash', 'zsh', 'sh', 'dash', 'fish', 'ksh', 'tcsh', 'csh', 'nu', 'pwsh', 'elvish', 'xonsh']);
const AGENTS = ['claude', 'codex', 'opencode', 'codewith', 'aider', 'gemini', 'goose', 'amp'];
const LAUNCHERS = new Set(['node', 'bun', 'deno', 'npx', 'bunx', 'pnpm', 'yarn', 'npm', 'python', 'python3']);

/** An agent's prompt line: `> `, `› ` or `│ > ` at the start of one of the last lines. */
const COMPOSER = /^\s*(?:[│|]\s*)?[>›❯]\s?/;
const WORKING = /esc to interrupt|\(esc\)|working…|thinking…/i;

/** The visible composer and whether the agent is busy, from the last lines of the pane. */
export function composerOf(lines: string[]): { visible: boolean; state: Detection['composerState']; line?: string } {
  const tail = lines.slice(-12);
  const at = lastIndexWhere(tail, (l) => COMPOSER.test(l));
  // Busy when a working line shows below the last prompt line (an older one above it is history).
  const working = lastIndexWhere(tail, (l) => WORKING.test(l));
  const active = working >= 0 && working > at;
  return { visible: at >= 0, state: active ? 'active' : at >= 0 ? 'idle' : 'unknown', ...(at >= 0 ? { line: tail[at] } : {}) };
}

/**
 * From the pane's command, its process tree and what it shows. A shell with nothing running in it
 * is a shell; an agent binary, or an agent run through a launcher (node, bun, npx...) with its
 * composer visible, is an agent; anything else is unknown. A launcher without a visible composer
 * stays unknown: arbitrary node output is not proof of an agent.
 */
export async function detect(pane: Pane, env: Env, lines?: string[]): Promise<Detection> {
  const seen = lines ?? (await captureLines(pane, 40, env));
  const composer = composerOf(seen);
  const cmd = path.basename(pane.command);
  if (AGENTS.includes(cmd)) return { targetKind: 'agent', agentKind: cmd, composerState: composer.state, reason: `pane command is ${cmd}` };
  const tree = await processTree(pane.pid, env);
  const named = (args: string) =>
    args
      .split(/\s+/)
      .map((w) => path.basename(w).replace(/\.(m?js|cjs|ts|py)$/, ''))
      .find((w) => AGENTS.includes(w));
  const agent = tree.map(named).find((a) => a !== undefined);
  if (agent && (!LAUNCHERS.has(cmd) || composer.visible)) {
    return {
      targetKind: 'agent',
      agentKind: agent,
      composerState: composer.state,
      reason: `${agent} in the pane's process tree${LAUNCHERS.has(cmd) ? ` (run by ${cmd}) with its composer visible` : ''}`,
    };
  }
  if (SHELLS.has(cmd.replace(/^-/, '')) && tree.length <= 1) return { targetKind: 'shell', composerState: 'unknown', reason: `pane command is the shell ${cmd} with nothing running in it` };
  return {
    targetKind: 'unknown',
    ...(agent ? { agentKind: agent } : {}),
    composerState: composer.state,
    reason: agent ? `${agent} runs under ${cmd} but no composer is visible` : `pane command ${cmd} is neither a known agent nor an idle shell`,
  };
}

function lastIndexWhere(list: string[], test: (s: string) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return i;
  return -1;
}
