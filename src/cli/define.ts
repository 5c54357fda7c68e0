import type { Command } from 'commander';
import type { Handler, Invocation } from './types.js';

export interface Wiring {
  /** Set by a command's action: the one invocation this process will execute. */
  invocation?: Invocation;
}

/** A lazily imported handler module: its default export is the handler. */
export type HandlerModule = () => Promise<{ default: Handler }>;

/** Adds the flags every command has and records the invocation instead of running it. */
export function wire(wiring: Wiring, cmd: Command, command: string, load: HandlerModule, extra: Partial<Invocation> = {}): Command {
  return cmd
    .option('--json', 'print one JSON envelope on stdout')
    .option('--cwd <dir>', 'working directory (repo layer: ./modules, ./jobs)')
    .action((...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      wiring.invocation = { command, opts: { ...self.opts(), _args: self.args }, load: async () => (await load()).default, ...extra };
    });
}

export const collect = (value: string, prev: string[] = []) => [...prev, value];
