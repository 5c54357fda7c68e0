import { Command, Option } from 'commander';
import { writeStdout } from '../output/stdio.js';
import { CLI_VERSION } from '../version.js';
import { COMMAND_OPTIONS } from './command-options.js';
import { COMMANDS, GROUPS, type CommandSpec } from './commands.js';
import { flagsOf } from './flags.js';
import type { Invocation } from './types.js';

export interface Wiring {
  /** Set by a command's action: the one invocation this process will execute. */
  invocation?: Invocation;
}

const collect = (value: string, prev: string[] = []) => [...prev, value];
const JSON_FLAG = ['--json', 'print one JSON envelope on stdout'] as const;

/**
 * The commander program, derived from the command table (src/cli/commands.ts): each row becomes
 * a command whose flags are read off its zod options. Parse errors become envelopes in the entry.
 */
export function buildProgram(w: Wiring, writeOut: (text: string) => void = writeStdout, only?: string): Command {
  const program = new Command('dispatch')
    .description('Agent-first job runner for API workflows')
    .version(CLI_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut, writeErr: () => undefined, outputError: () => undefined });
  // `only`: the one command argv names, so a run builds its own flags, not all forty commands'.
  for (const spec of COMMANDS) if (only === undefined || spec.name === only) addCommand(program, w, spec as unknown as CommandSpec);
  // Subcommands inherit error handling so parse errors become envelopes, not commander's own exit.
  // Groups accept --json too, so `dispatch job --json` is a JSON usage error, not "unknown option".
  const inherit = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut, writeErr: () => undefined, outputError: () => undefined });
    if (cmd.commands.length > 0 && !cmd.options.some((o) => o.long === '--json')) cmd.option(...JSON_FLAG);
    cmd.commands.forEach(inherit);
  };
  inherit(program);
  return program;
}

/**
 * The command argv names by its leading words (`job run` in `job run --case x`), when that is
 * all the parse needs: help for a group, `help <command>`, unknown commands and completion (which
 * describes every command) get the whole program.
 */
export function namedCommand(argv: string[]): string | undefined {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || words.length === 3) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    if (name !== 'completion' && COMMANDS.some((c) => c.name === name)) return name;
  }
  return undefined;
}

function addCommand(program: Command, w: Wiring, spec: CommandSpec): void {
  const words = spec.name.split(' ');
  let parent = program;
  for (let i = 0; i < words.length - 1; i++) {
    const path = words.slice(0, i + 1).join(' ');
    parent = parent.commands.find((c) => c.name() === words[i]) ?? parent.command(words[i]).description(GROUPS[path] ?? '');
  }
  const cmd = parent.command(words[words.length - 1]).description(spec.summary);
  if (spec.usage) cmd.usage(spec.usage);
  for (const f of flagsOf(COMMAND_OPTIONS[spec.name])) {
    if (f.key === spec.positional) {
      // A list is a variadic argument (`job test [paths...]`), optional unless the option is required.
      const name = f.kind === 'list' ? `${f.key}...` : (f.value ?? f.key);
      cmd.argument(f.required ? `<${name}>` : `[${name}]`, f.description);
      continue;
    }
    const o = new Option(f.kind === 'boolean' ? f.long : `${f.long} <${f.value ?? 'value'}>`, f.description);
    if (f.kind === 'list') o.argParser(collect);
    if (f.default !== undefined) o.default(f.default);
    // Commander reports a missing required flag by name; the zod check in the entry covers the rest.
    if (f.required) o.makeOptionMandatory();
    cmd.addOption(o);
  }
  cmd.option(...JSON_FLAG).action((...args: unknown[]) => {
    const self = args[args.length - 1] as Command;
    const { json: _json, ...opts } = self.opts();
    if (spec.positional) {
      const variadic = self.registeredArguments[0]?.variadic;
      if (!variadic) opts[spec.positional] = self.args[0];
      else if (self.args.length) opts[spec.positional] = self.args;
    }
    w.invocation = { command: spec.name, opts, load: async () => (await spec.load()).default as never, ...(spec.runsJobs ? { runsJobs: true } : {}) };
  });
}
