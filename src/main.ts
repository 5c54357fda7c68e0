import { Command, CommanderError } from 'commander';
import { DispatchError, toDispatchError, type ExitCode } from './errors.js';
import { defaultsCommands, memoryCommands, moduleCommands, runtimeCommands, schemaCommands, utilityCommands } from './cli/other.js';
import { jobCommands } from './cli/job.js';
import type { Wiring } from './cli/define.js';
import type { RunExtras } from './cli/types.js';
import { errorResult, toEnvelope, type CommandResult } from './output/envelope.js';
import { printEnvelope, progressListener } from './output/print.js';
import { CLI_VERSION } from './version.js';
import { STALLED_REASON } from './util/sleep.js';

export function buildProgram(w: Wiring): Command {
  const program = new Command('dispatch')
    .description('Agent-first job runner for API workflows')
    .version(CLI_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  for (const group of [jobCommands(w), moduleCommands(w), runtimeCommands(w), defaultsCommands(w), memoryCommands(w), schemaCommands(w), ...utilityCommands(w)]) {
    program.addCommand(group);
  }
  // Subcommands inherit error handling so parse errors become envelopes, not commander's own exit.
  const inherit = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });
    cmd.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/** Parses argv, runs the one handler, prints its envelope, returns the exit code. */
export async function main(argv: string[]): Promise<ExitCode> {
  const json = argv.includes('--json');
  const wiring: Wiring = {};
  const program = buildProgram(wiring);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      const command = commandNameFrom(argv);
      const usage = new DispatchError({
        code: 'USAGE',
        exitCode: 2,
        message: err.message.replace(/^error: /, ''),
        hint: `Run "dispatch ${command === 'dispatch' ? '' : `${command} `}--help" for usage.`.replace('  ', ' '),
      });
      printEnvelope(toEnvelope(command, errorResult(usage)), json);
      return 2;
    }
    throw err;
  }
  const inv = wiring.invocation;
  if (!inv) {
    // `dispatch` or `dispatch job` alone: show help, as a usage error so scripts notice.
    const command = commandNameFrom(argv);
    const err = new DispatchError({ code: 'USAGE', exitCode: 2, message: argv.length ? `"${argv.join(' ')}" needs a subcommand.` : 'No command given.', hint: `Run "dispatch ${argv.filter((a) => !a.startsWith('-')).join(' ')} --help".`.replace('  ', ' ') });
    if (!json) process.stdout.write(helpFor(program, argv));
    printEnvelope(toEnvelope(command, errorResult(err)), json);
    return 2;
  }
  const controller = new AbortController();
  const extras: RunExtras = { signal: controller.signal, argv: ['dispatch', ...argv], json };
  if (!json && inv.runsJobs) Object.assign(extras, { onEvent: progressListener(), progress: process.stderr });
  const release = inv.runsJobs ? onSignals(controller) : () => undefined;
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
  printEnvelope(toEnvelope(inv.command, result), json, inv.opts, result.view);
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
    process.exit(3);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function commandNameFrom(argv: string[]): string {
  const words = argv.filter((a) => !a.startsWith('-'));
  const groups = new Set(['job', 'module', 'runtime', 'defaults', 'memory', 'schema']);
  if (words[0] && groups.has(words[0])) {
    if (words[0] === 'module' && words[1] === 'override') return words.slice(0, 3).join(' ');
    return words.slice(0, 2).join(' ');
  }
  return words[0] ?? 'dispatch';
}

function helpFor(program: Command, argv: string[]): string {
  let cmd: Command = program;
  for (const word of argv.filter((a) => !a.startsWith('-'))) {
    const sub = cmd.commands.find((c) => c.name() === word);
    if (!sub) break;
    cmd = sub;
  }
  return cmd.helpInformation();
}
