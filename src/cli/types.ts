import type { Command } from 'commander';
import type { CommandSpec } from './commands.js';
import type { RunEventListener } from '../engine/events.js';
import type { CommandResult } from '../output/envelope.js';
import type { TextStream } from '../util/io-types.js';

/** What the entry passes to long-running handlers besides their parsed options. */
export interface RunExtras {
  signal: AbortSignal;
  onEvent?: RunEventListener;
  argv: string[];
  json: boolean;
  /** --verbose: every run's events, for the HTTP exchanges it prints to stderr (src/output/verbose.ts). */
  verbose?: RunEventListener;
  /** Human-mode progress stream (stderr), absent under --json. */
  progress?: TextStream;
  /** The CLI's command tree, for commands that describe the CLI itself (completion). */
  program?: Command;
  /** The command table, for the command that serves the others (mcp); handed in, as no handler imports the table. */
  commands?: readonly CommandSpec[];
}

export type Handler = (opts: Record<string, unknown>, extras: RunExtras) => Promise<CommandResult>;

/** The parsed invocation: which command, its options, and how to load its handler. */
export interface Invocation {
  command: string;
  opts: Record<string, unknown>;
  load: () => Promise<Handler>;
  /** Commands that run jobs get SIGINT/SIGTERM wiring and live step output. */
  runsJobs?: boolean;
}
