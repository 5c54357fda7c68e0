import type { z } from 'zod';
import { usageError } from '../errors.js';
import { didYouMean } from '../job/problems.js';
import { COMMAND_OPTIONS, type CommandName, type OptionsOf } from './command-options.js';
import { flagName, flagsOf } from './flags.js';

/** Who called: the CLI names flags (`--run-id`), programs (SDK, MCP) name keys (`runId`). */
export type Surface = 'cli' | 'program';

/**
 * Checks a command's options against its zod object, the one the CLI derives its flags from and
 * MCP advertises, and returns them with defaults applied. Any mistake is USAGE (exit 2) on every
 * surface; only the wording follows the caller (flag names for the CLI, keys for programs).
 */
export function checkOptions<C extends CommandName>(command: C, opts: Record<string, unknown>, surface: Surface): OptionsOf<C> {
  const { env, ...given } = opts;
  const clean = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const schema = surface === 'cli' ? COMMAND_OPTIONS[command] : programOptions(command);
  const res = (schema as z.ZodObject).safeParse(clean);
  if (res.success) return { ...(res.data as OptionsOf<C>), ...(env === undefined ? {} : { env: env as OptionsOf<C>['env'] }) };
  const name = (key: PropertyKey) => (surface === 'cli' ? flagName(String(key)) : String(key));
  const keys = Object.keys(schema.shape);
  const problems = res.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys
        .map((k) => {
          const guess = didYouMean(k, keys);
          return `unknown option "${k}"${guess ? ` (did you mean ${guess}?)` : ''}`;
        })
        .join('; ');
    }
    const key = i.path[0];
    if (key === undefined) return i.message;
    if (i.code === 'invalid_type' && clean[String(key)] === undefined) return `missing required option ${name(key)}`;
    if (i.code === 'too_small' && i.origin === 'string') return `${name(key)} is empty: give it a value`;
    return `${name(key)}: ${i.message}`;
  });
  const help = surface === 'cli' ? `dispatch ${command} --help` : undefined;
  throw usageError('USAGE', `Invalid options for ${command}: ${problems.join('; ')}.`, {
    hint: help ? `Run "${help}" for usage.` : `See the ${command} section of docs/integrations.md for the options it takes.`,
    ...(help ? { next: [{ command: help, description: 'the usage of this command' }] } : {}),
  });
}

const programSchemas = new Map<CommandName, z.ZodObject>();

/** The options programs may pass: the CLI's, without its presentation flags (`--print`). */
export function programOptions(command: CommandName): z.ZodObject {
  let schema = programSchemas.get(command);
  if (!schema) {
    const full = COMMAND_OPTIONS[command] as z.ZodObject;
    const cliOnly = flagsOf(full).filter((f) => f.cliOnly);
    schema = cliOnly.length ? full.omit(Object.fromEntries(cliOnly.map((f) => [f.key, true])) as Record<string, true>) : full;
    programSchemas.set(command, schema);
  }
  return schema;
}
