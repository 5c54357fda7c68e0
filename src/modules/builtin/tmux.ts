import { z } from 'zod';
import { DispatchError, usageError } from '../../errors.js';
import { redactor } from '../../output/redact.js';
import { captureLines, listPanes, paneOf, pasteText, pressKey, typeLiteral, type Env, type Pane } from '../../tmux/client.js';
import { composerOf, detect, type Detection } from '../../tmux/detect.js';
import { checkCommand, readPolicy } from '../../tmux/exec-filter.js';
import { abortableSleep } from '../../util/sleep.js';
import { defineModule } from '../define.js';
import { lazyAction } from './lazy-action.js';
import type { ActionContext } from '../types.js';
import { runEnvOf } from '../run-env.js';

/*
 * tmux: drive programs that live in tmux panes (coding agents, shells) from a job (DESIGN 18).
 * Prompts go to agents only, commands to shells only, keys from a short list, captures are
 * bounded, stripped of terminal sequences and redacted.
 */

const MAX_LINES = 2000;
const KEYS = ['Enter', 'Tab', 'Escape', 'Up', 'Down', 'Left', 'Right', 'Backspace', 'Delete', 'Home', 'End', 'PageUp', 'PageDown'] as const;
/** Longer or multi-line text goes in as one bracketed paste; short single lines are typed. */
const PASTE_OVER = 200;

const target = () => z.string().min(1).describe('tmux target: session, session:window or session:window.pane (or a %pane id)');

const env = (ctx: ActionContext): Env => runEnvOf(ctx);
const clean = (lines: string[]) => lines.map((l) => redactor.redactText(l));

/** A detection as actions answer it. */
const facts = (pane: Pane, d: Detection) => ({ target: pane.target, paneId: pane.paneId, command: pane.command, cwd: pane.cwd, ...d });

// Schemas are built on first use (lazyAction): most runs use no tmux action.
const targets = lazyAction(
  {
    description: 'List tmux panes with what each holds: agent (and which), shell or unknown, and its composer state',
    async handler(ctx) {
      const e = env(ctx);
      const panes = await listPanes(e);
      const out = [];
      for (const p of panes) out.push(facts(p, await detect(p, e)));
      return { response: { targets: out } };
    },
  },
  () => z.strictObject({}),
);

const captureSchema = () => z.strictObject({ target: target(), lines: z.number().int().min(1).max(MAX_LINES).default(200) });
const capture = lazyAction(
  {
    description: 'The last lines of a pane (default 200, at most 2000), terminal sequences stripped and secrets redacted',
    async handler(ctx, p: z.infer<ReturnType<typeof captureSchema>>) {
      const e = env(ctx);
      const pane = await paneOf(p.target, e);
      const lines = clean(await captureLines(pane, p.lines, e));
      return { response: { target: pane.target, lines, text: lines.join('\n') } };
    },
  },
  captureSchema,
);

const sendSchema = () =>
  z.strictObject({
    target: target(),
    text: z.string().min(1),
    submit: z.boolean().default(true),
    mode: z.enum(['auto', 'paste', 'literal']).default('auto'),
    confirm: z.boolean().default(true),
    retries: z.number().int().min(0).max(10).default(3),
  });
const send = lazyAction(
  {
    description: 'Type a prompt into an agent pane and submit it, confirmed by the composer clearing; shell panes are refused',
    async handler(ctx, p: z.infer<ReturnType<typeof sendSchema>>) {
      const e = env(ctx);
      const pane = await paneOf(p.target, e);
      const d = await detect(pane, e);
      if (d.targetKind === 'shell') {
        throw usageError('TMUX_SHELL_TARGET', `${pane.target} is a shell (${d.reason}): a prompt typed there would run as a command.`, {
          hint: 'Send prompts to agent panes (dispatch targets shows each kind); a shell command goes through tmux.exec.',
        });
      }
      const paste = p.mode === 'paste' || (p.mode === 'auto' && (p.text.includes('\n') || p.text.length > PASTE_OVER));
      if (paste) await pasteText(pane, p.text, e);
      else await typeLiteral(pane, p.text, e);
      const base = { ...facts(pane, d), mode: paste ? 'paste' : 'literal', chars: p.text.length };
      if (!p.submit) return { response: { ...base, submitted: false } };
      // Let the program take the whole text in before Enter (longer texts take longer to arrive).
      await abortableSleep(Math.min(1500, 100 + Math.ceil(p.text.length / 20)), ctx.signal);
      const typed = await captureLines(pane, 40, e);
      let attempts = 0;
      for (;;) {
        attempts++;
        await pressKey(pane, 'Enter', e);
        if (!p.confirm || d.targetKind === 'unknown') return { response: { ...base, submitted: true, confirmed: false, attempts } };
        const after = await settle(ctx, pane, e, typed, p.text);
        if (after.cleared) return { response: { ...base, submitted: true, confirmed: true, attempts, composerState: composerOf(after.lines).state } };
        if (attempts > p.retries) {
          throw new DispatchError({
            code: 'TMUX_NOT_SUBMITTED',
            exitCode: 3,
            message: `The prompt was typed into ${pane.target} but its composer never cleared after ${attempts} Enter(s).`,
            hint: 'Look at the pane (dispatch capture --to <target>): the agent may be busy or waiting on a dialog. Sending again may submit the prompt twice.',
            details: { target: pane.target, attempts, lastCapture: clean(after.lines).slice(-20) },
          });
        }
      }
    },
  },
  sendSchema,
);

/**
 * After Enter: the pane changed from what it showed with the text typed, and the composer line no
 * longer holds the text's start (or the agent shows it is working). Checked a few times, as the
 * program redraws.
 */
async function settle(ctx: ActionContext, pane: Pane, e: Env, typed: string[], text: string): Promise<{ cleared: boolean; lines: string[] }> {
  const head = text.split('\n')[0].slice(0, 24);
  let lines = typed;
  for (let i = 0; i < 8; i++) {
    await abortableSleep(150, ctx.signal);
    lines = await captureLines(pane, 40, e);
    const composer = composerOf(lines);
    const changed = lines.join('\n') !== typed.join('\n');
    if (changed && (composer.state === 'active' || (composer.line !== undefined && !composer.line.includes(head)))) return { cleared: true, lines };
  }
  return { cleared: false, lines };
}

const keySchema = () => z.strictObject({ target: target(), key: z.string() });
const key = lazyAction(
  {
    description: `Press one named key in an agent pane (${KEYS.join(', ')}); never C-c, never into a shell`,
    async handler(ctx, p: z.infer<ReturnType<typeof keySchema>>) {
      if (!(KEYS as readonly string[]).includes(p.key)) {
        throw usageError('TMUX_KEY_REFUSED', `tmux.key does not press ${JSON.stringify(p.key)}: it presses only ${KEYS.join(', ')}.`, {
          hint: 'Interrupting (C-c) and other control keys are never sent; a shell command goes through tmux.exec.',
        });
      }
      const e = env(ctx);
      const pane = await paneOf(p.target, e);
      const d = await detect(pane, e);
      if (d.targetKind === 'shell') throw usageError('TMUX_SHELL_TARGET', `${pane.target} is a shell: tmux.key is for agent panes.`, { hint: 'A shell command goes through tmux.exec.' });
      await pressKey(pane, p.key, e);
      return { response: { ...facts(pane, d), key: p.key } };
    },
  },
  keySchema,
);

const execSchema = () => z.strictObject({ target: target(), command: z.string().min(1), policy: z.string().min(1).optional().describe('JSON policy file with more allowed command prefixes') });
const exec = lazyAction(
  {
    description: 'Run one plain, allowed command in a shell pane (no chaining, pipes, redirects or substitution; nothing destructive)',
    async handler(ctx, p: z.infer<ReturnType<typeof execSchema>>) {
      checkCommand(p.command, p.policy ? readPolicy(p.policy, process.cwd()) : undefined);
      const e = env(ctx);
      const pane = await paneOf(p.target, e);
      const d = await detect(pane, e);
      if (d.targetKind !== 'shell') {
        throw usageError('TMUX_NOT_A_SHELL', `${pane.target} is not an idle shell (${d.reason}): tmux.exec types commands into shells only.`, {
          hint: 'Prompts for an agent go through tmux.send.',
        });
      }
      await pasteText(pane, p.command, e);
      await pressKey(pane, 'Enter', e);
      return { response: { ...facts(pane, d), command: p.command } };
    },
  },
  execSchema,
);

export const tmuxModule = defineModule({
  name: 'tmux',
  version: '1.0.0',
  description: 'Drive agents and shells in tmux panes: targets, send, capture, key, exec',
  actions: { targets, send, capture, key, exec },
});
