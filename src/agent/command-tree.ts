import type { Command, Option } from 'commander';
import { COMMAND_OPTIONS, type CommandName } from '../cli/command-options.js';
import { flagsOf, type FlagFacts } from '../cli/flags.js';

/** One long flag of a command, as completion scripts need it. */
export interface FlagSpec {
  long: string;
  takesValue: boolean;
  description: string;
  /** What the value is: a file system path (complete files), one of `choices`, or free text. */
  value?: 'path' | 'choice' | 'text';
  choices?: string[];
}

/** A node of the CLI tree: `path` is the words after `dispatch` ("" for the root, "job run"). */
export interface CommandNode {
  name: string;
  path: string;
  description: string;
  subcommands: CommandNode[];
  flags: FlagSpec[];
  /** Fixed candidates for the first positional argument (e.g. the shells of `completion`). */
  argChoices: string[];
}

/** Every command knows --help; commander adds it lazily, so it is not in `cmd.options`. */
const HELP: FlagSpec = { long: '--help', takesValue: false, description: 'show help' };

const PATH_VALUE = /<[^>]*(path|dir|file|zip)[^>]*>/i;

/** The table's facts of a command's options: commander only knows a closed set of values as text. */
function tableFlags(path: string): FlagFacts[] {
  return Object.hasOwn(COMMAND_OPTIONS, path) ? flagsOf(COMMAND_OPTIONS[path as CommandName]) : [];
}

/**
 * Walks the real commander program, so completion never drifts from the CLI that parses argv. The
 * entry hands the program in (RunExtras.program): importing it from here would close an import
 * cycle through the completion handler that the program itself loads.
 */
export function commandTree(program: Command): CommandNode {
  return toNode(program, '');
}

function toNode(cmd: Command, path: string): CommandNode {
  const facts = tableFlags(path);
  const choicesOf = (long: string) => facts.find((f) => f.long === long)?.choices;
  const flags: FlagSpec[] = cmd.options.filter((o) => o.long && !o.hidden).map((o) => flagSpec(o, choicesOf(o.long as string)));
  const positional = cmd.registeredArguments[0]?.name();
  return {
    name: cmd.name(),
    path,
    description: cmd.description(),
    subcommands: cmd.commands.map((sub) => toNode(sub, path ? `${path} ${sub.name()}` : sub.name())),
    flags: [...flags, HELP],
    argChoices: (positional && facts.find((f) => f.value === positional || f.key === positional)?.choices) || [],
  };
}

function flagSpec(o: Option, tableChoices: string[] | undefined): FlagSpec {
  const long = o.long as string;
  const base = { long, description: o.description ?? '' };
  if (!o.required && !o.optional) return { ...base, takesValue: false };
  const choices = o.argChoices ?? tableChoices;
  if (choices) return { ...base, takesValue: true, value: 'choice', choices: [...choices] };
  return { ...base, takesValue: true, value: PATH_VALUE.test(o.flags) ? 'path' : 'text' };
}

/** All nodes, depth first, root included. */
export function allNodes(root: CommandNode): CommandNode[] {
  return [root, ...root.subcommands.flatMap(allNodes)];
}
