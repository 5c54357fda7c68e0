import { exitNow } from './engine/fault-trap.js';
import { interrupted } from './util/sleep.js';
import { CommanderError, type Command } from 'commander';
import { z } from 'zod';
import { DispatchError, toDispatchError, type ExitCode } from './errors.js';
import { buildProgram, namedCommand, type Wiring } from './cli/program.js';
import { readyOptions } from './cli/ready-options.js';
import type { CommandName } from './cli/command-options.js';
import { COMMANDS } from './cli/commands.js';
import type { RunExtras } from './cli/types.js';
import { errorResult, ok, toEnvelope, type CommandResult } from './output/envelope.js';
import { printEnvelope, progressListener } from './output/print.js';
import { verboseListener } from './output/verbose.js';
import { writeStdout } from './output/stdio.js';
import { didYouMean } from './job/problems.js';
import { withCwd } from './output/next-hints.js';
import { STALLED_REASON } from './util/sleep.js';

/**
 * Signals that arrived before the CLI could handle them (while the core was loading): the entry
 * catches them from its first line, so a Ctrl-C in the first fraction of a second still ends
 * as INTERRUPTED with an envelope instead of exit 130 and nothing.
 */
export interface EarlySignals {
  received: NodeJS.Signals[];
  /** Stops catching them early: the command's own handlers take over. */
  release(): void;
}

/** Parses argv, runs the one handler, prints its envelope, returns the exit code. */
export async function main(argv: string[], early?: EarlySignals): Promise<ExitCode> {
  // zod compiles a parser for each object schema with `new Function` the first time it parses
  // one. A CLI process parses most schemas a handful of times, so those compiles (which no code
  // cache keeps) cost more than they save: job validate measured 4-6 ms faster without them.
  // Results are the same either way; modules' schemas share this setting.
  z.config({ jitless: true });
  try {
    return await dispatchCommand(argv, early);
  } finally {
    early?.release();
  }
}

async function dispatchCommand(argv: string[], early?: EarlySignals): Promise<ExitCode> {
  const json = argv.includes('--json');
  const wiring: Wiring = {};
  // Under --json, help and version text become a field of the one envelope.
  let shown = '';
  const program = buildProgram(wiring, json ? (text) => void (shown += text) : writeStdout, namedCommand(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help, `dispatch help <command>` (commander.help with exit code 0) and --version.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0)) {
      if (json) {
        const field = err.code === 'commander.version' ? { version: shown.trim() } : { help: shown };
        printEnvelope(
          toEnvelope(
            commandPath(
              knownCommand(
                program,
                argv.filter((a) => a !== 'help'),
              ),
            ) || 'dispatch',
            ok(field),
          ),
          true,
        );
      }
      return 0;
    }
    // `dispatch help <word>` for a word that is not a command.
    if (err.code === 'commander.help' && argv[0] === 'help' && argv[1] && !argv[1].startsWith('-')) {
      return usageFailure(program, [], json, `unknown command '${argv[1]}'`, false);
    }
    // A group without its subcommand (`dispatch`, `dispatch job`): help, as a usage error so scripts notice.
    const missingSubcommand = err.code === 'commander.help';
    // commander checks required options before unknown ones; a typo in a flag name is the more
    // useful thing to report (`job run -case x` is "unknown option", not "--case missing").
    const target = knownCommand(program, argv);
    const unknown = err.code === 'commander.missingMandatoryOptionValue' ? unknownOption(target, argv) : undefined;
    const guess = unknown
      ? didYouMean(
          unknown.replace(/^-+/, '--'),
          target.options.map((o) => o.long ?? ''),
        )
      : undefined;
    const message = unknown ? `unknown option '${unknown}'${guess ? ` (Did you mean ${guess}?)` : ''}` : err.message.replace(/^error: /, '');
    return usageFailure(program, argv, json, missingSubcommand ? 'a subcommand is required' : message, missingSubcommand);
  }
  const inv = wiring.invocation;
  if (!inv) return usageFailure(program, argv, json, 'a subcommand is required', true);
  const cwd = inv.opts.cwd;
  try {
    // The same checks, with the same zod object, that the SDK and MCP apply to their calls.
    inv.opts = readyOptions(inv.command as CommandName, inv.opts, 'cli');
  } catch (err) {
    const e = toDispatchError(err);
    printEnvelope(toEnvelope(inv.command, errorResult(e)), json);
    return e.exitCode;
  }
  const controller = new AbortController();
  const extras: RunExtras = { signal: controller.signal, argv: ['dispatch', ...argv], json, program, commands: COMMANDS };
  if (!json && inv.runsJobs) Object.assign(extras, { onEvent: progressListener(), progress: process.stderr });
  // --verbose: each HTTP exchange on stderr, in human and --json mode alike (stdout is untouched).
  if (inv.runsJobs && inv.opts.verbose === true) extras.verbose = verboseListener();
  const release = inv.runsJobs ? onSignals(controller) : () => undefined;
  // From here the command's own handlers (or Node's default, for commands that run no job) apply.
  early?.release();
  if (inv.runsJobs) {
    // Interrupted before the run could start: it starts interrupted, and records that.
    if (early?.received.length) controller.abort(early.received[0]);
  } else if (early?.received.length) {
    printEnvelope(withCwd(toEnvelope(inv.command, errorResult(interrupted())), cwd), json);
    return 3;
  }
  let result: CommandResult;
  try {
    const handler = await inv.load();
    result = await untilSettledOrStalled(handler(inv.opts, extras), controller, inv.command);
  } catch (err) {
    const e = toDispatchError(err);
    if (e.exitCode === 1 && process.env.DISPATCH_DEBUG === '1') process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    result = errorResult(e);
  } finally {
    release();
  }
  printEnvelope(withCwd(toEnvelope(inv.command, result), cwd), json, inv.opts, result.view);
  return result.exitCode;
}

/**
 * Node empties its event loop when a promise can never settle (a module handler that forgets to
 * resolve) and would exit 13 with no output. 'beforeExit' is that moment: a job run is aborted
 * with STALLED_REASON so the engine records the step as stalled and still writes the run; any
 * other command ends with an internal-error envelope naming the cause.
 */
async function untilSettledOrStalled(work: Promise<CommandResult>, controller: AbortController, command: string): Promise<CommandResult> {
  let stalls = 0;
  for (;;) {
    let onStall!: () => void;
    const stalled = new Promise<'stalled'>((resolve) => (onStall = () => resolve('stalled')));
    process.once('beforeExit', onStall);
    try {
      const outcome = await Promise.race([work, stalled]);
      if (outcome !== 'stalled') return outcome;
    } finally {
      process.off('beforeExit', onStall);
    }
    if (stalls++ === 0 && !controller.signal.aborted) {
      controller.abort(STALLED_REASON);
      continue;
    }
    throw new DispatchError({
      code: 'STALLED',
      exitCode: 1,
      message: `dispatch ${command} stopped making progress: something it waited on can never finish.`,
      hint: 'A module probably returned a promise that never settles (or awaits one at import). Check its handlers; a step timeoutMs also bounds them.',
    });
  }
}

/** First SIGINT/SIGTERM aborts the run (which still writes its record); a second one exits now. */
function onSignals(controller: AbortController): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      controller.abort(sig);
      return;
    }
    process.stderr.write(`dispatch: second ${sig}, exiting without waiting\n`);
    exitNow(3); // the real exit: a run in progress traps process.exit (src/engine/fault-trap.ts)
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** The deepest command argv names that exists, e.g. ["job", "rn"] -> the `job` command. */
/** The first flag in argv that the command does not take (commander's own check runs later). */
function unknownOption(cmd: Command, argv: string[]): string | undefined {
  const known = new Set(['--help', '-h', '--json']);
  // Flags that take a value: the word after one is its value (`--set -x`), never a flag.
  const takesValue = new Set<string>();
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) {
      for (const f of [o.long, o.short]) {
        if (!f) continue;
        known.add(f);
        if (o.required || o.optional) takesValue.add(f);
      }
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (!a.startsWith('-') || a === '-') continue;
    const flag = a.split('=')[0];
    if (!known.has(flag)) return a;
    if (takesValue.has(flag) && !a.includes('=')) i++;
  }
  return undefined;
}

function knownCommand(program: Command, argv: string[]): Command {
  let cmd: Command = program;
  for (const word of argv.filter((a) => !a.startsWith('-'))) {
    const sub = cmd.commands.find((c) => c.name() === word);
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function usageFailure(program: Command, argv: string[], json: boolean, message: string, showHelp: boolean): ExitCode {
  const cmd = knownCommand(program, argv);
  const path = commandPath(cmd);
  const err = new DispatchError({
    code: 'USAGE',
    exitCode: 2,
    // commander puts its "Did you mean" on a second line; envelopes carry one-line messages.
    message: message.replace(/\s*\n\s*/g, ' '),
    hint: `Run "dispatch ${path ? `${path} ` : ''}--help" for usage.`,
    next: [{ command: `dispatch ${path ? `${path} ` : ''}--help`, description: 'the usage of this command' }],
  });
  if (showHelp && !json) writeStdout(cmd.helpInformation());
  printEnvelope(toEnvelope(path || 'dispatch', errorResult(err)), json);
  return 2;
}
