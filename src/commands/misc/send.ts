import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OptionsOf } from '../../cli/command-options.js';
import type { RunExtras } from '../../cli/types.js';
import { notFoundError, usageError } from '../../errors.js';
import type { CommandResult } from '../../output/envelope.js';
import { resolveBase } from '../context.js';
import { runTmuxStep } from './tmux-run.js';

/** `dispatch send --to <target> --prompt <text> | --file <f> | stdin`: tmux.send as a recorded one-step run. */
export async function sendPrompt(opts: OptionsOf<'send'>, x: RunExtras): Promise<CommandResult> {
  const base = resolveBase(opts);
  if (opts.prompt !== undefined && opts.file !== undefined) throw usageError('BAD_OPTION', 'Give --prompt or --file, not both.', { hint: 'Example: dispatch send --to work:agent --file prompt.md' });
  let text = opts.prompt;
  if (opts.file !== undefined) {
    try {
      text = readFileSync(path.resolve(base.cwd, opts.file), 'utf8');
    } catch {
      throw notFoundError('PROMPT_FILE_NOT_FOUND', `--file ${opts.file} cannot be read.`, { hint: 'Check the path; it is relative to the working folder.' });
    }
  }
  // From a pipe, on the CLI only (over MCP, stdin carries the protocol).
  if (text === undefined && x.program && !process.stdin.isTTY) text = await readStdin();
  if (!text?.trim())
    throw usageError('PROMPT_MISSING', 'Nothing to send: give --prompt <text>, --file <path>, or pipe the prompt in.', { hint: 'Example: dispatch send --to work:agent --prompt "run the tests"' });
  const payload = { target: opts.to, text: text.replace(/\n+$/, ''), submit: opts.typeOnly !== true, ...(opts.mode ? { mode: opts.mode } : {}) };
  return runTmuxStep(base, x, 'send', 'tmux.send', payload, (e, c) => {
    const r = (e.response ?? {}) as { target?: string; agentKind?: string; targetKind?: string; confirmed?: boolean; submitted?: boolean; attempts?: number };
    const how = r.submitted === false ? 'typed, not submitted' : r.confirmed ? `submitted and confirmed (${r.attempts} Enter)` : `submitted, not confirmed (${r.targetKind} pane)`;
    return `${c.green('sent')} to ${r.target} ${c.dim(`${r.agentKind ?? r.targetKind ?? ''}: ${how}`)}\n${c.dim('record:')} ${String(e.runDir ?? '')}\n`;
  });
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => (s += d));
    process.stdin.on('end', () => resolve(s));
    process.stdin.on('error', reject);
  });
}

export default (opts: OptionsOf<'send'>, x: RunExtras) => sendPrompt(opts, x);
