import type { Command, Option } from 'commander';

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

// Positional arguments and flag values that are a closed set; commander only knows them as text.
const ARG_CHOICES: Record<string, string[]> = { completion: ['bash', 'zsh', 'fish'] };
const VALUE_CHOICES: Record<string, string[]> = { '--expect-status': ['SUCCESS', 'FAILED', 'INTERRUPTED'], '--run-id': ['latest'], '--batch-id': ['latest'] };
const PATH_VALUE = /<[^>]*(path|dir|file|zip)[^>]*>/i;

/**
 * Walks the real commander program, so completion never drifts from the CLI that parses argv. The
 * entry hands the program in (RunExtras.program): importing it from here would close an import
 * cycle through the completion handler that the program itself loads.
 */
export function commandTree(program: Command): CommandNode {
  return toNode(program, '');
}

function toNode(cmd: Command, path: string): CommandNode {
  const flags: FlagSpec[] = cmd.options.filter((o) => o.long && !o.hidden).map((o) => flagSpec(o));
  return {
    name: cmd.name(),
    path,
    description: cmd.description(),
    subcommands: cmd.commands.map((sub) => toNode(sub, path ? `${path} ${sub.name()}` : sub.name())),
    flags: [...flags, HELP],
    argChoices: ARG_CHOICES[path] ?? [],
  };
}

function flagSpec(o: Option): FlagSpec {
  const long = o.long as string;
  const base = { long, description: o.description ?? '' };
  if (!o.required && !o.optional) return { ...base, takesValue: false };
  const choices = o.argChoices ?? VALUE_CHOICES[long];
  if (choices) return { ...base, takesValue: true, value: 'choice', choices: [...choices] };
  return { ...base, takesValue: true, value: PATH_VALUE.test(o.flags) ? 'path' : 'text' };
}

/** All nodes, depth first, root included. */
export function allNodes(root: CommandNode): CommandNode[] {
  return [root, ...root.subcommands.flatMap(allNodes)];
}
