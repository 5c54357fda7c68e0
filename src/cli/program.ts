import { Command } from 'commander';
import { writeStdout } from '../output/stdio.js';
import { CLI_VERSION } from '../version.js';
import type { Wiring } from './define.js';
import { jobCommands } from './job.js';
import { defaultsCommands, memoryCommands, moduleCommands, runtimeCommands, schemaCommands, utilityCommands } from './other.js';

/** The commander program: every command group, with parse errors turned into envelopes by the entry. */
export function buildProgram(w: Wiring, writeOut: (text: string) => void = writeStdout): Command {
  const program = new Command('dispatch')
    .description('Agent-first job runner for API workflows')
    .version(CLI_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut, writeErr: () => undefined, outputError: () => undefined });
  for (const group of [jobCommands(w), moduleCommands(w), runtimeCommands(w), defaultsCommands(w), memoryCommands(w), schemaCommands(w), ...utilityCommands(w)]) {
    program.addCommand(group);
  }
  // Subcommands inherit error handling so parse errors become envelopes, not commander's own exit.
  // Groups accept --json too, so `dispatch job --json` is a JSON usage error, not "unknown option".
  const inherit = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut, writeErr: () => undefined, outputError: () => undefined });
    if (cmd.commands.length > 0 && !cmd.options.some((o) => o.long === '--json')) cmd.option('--json', 'print one JSON envelope on stdout');
    cmd.commands.forEach(inherit);
  };
  inherit(program);
  return program;
}
