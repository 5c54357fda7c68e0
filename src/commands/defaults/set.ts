import type { OptionsOf } from '../../cli/command-options.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { notFoundError, usageError } from '../../errors.js';
import { parseJobJson } from '../../job/load.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { readActionDefaults, writeActionDefaults } from '../../state/defaults.js';
import { statePaths } from '../../state/paths.js';
import { isPlainObject } from '../../util/merge.js';
import { homeOf, resolveBase } from '../context.js';
import { checkActionName, findAction } from '../module/_shared.js';

/**
 * Sets (replaces) the default payload of one action from a JSON object file. Defaults are
 * deep-merged beneath step payloads, so they may be partial: schema mismatches are warnings here
 * and become errors at `job validate` time only if the merged payload is wrong.
 */
export async function defaultsSet(opts: { cwd?: string; action: string; file: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const home = homeOf(base);
  const { name, module } = checkActionName(opts.action);
  const value = await readObjectFile(path.resolve(base.cwd, opts.file), opts.file);
  const action = await findAction(base, name, module);
  const issues = partialIssues(action.definition.schema, value);
  const unknownKeys = issues.filter((i) => i.code === 'unrecognized_keys');
  if (unknownKeys.length > 0) {
    throw usageError('DEFAULTS_INVALID', `${opts.file} has fields ${name} does not take: ${unknownKeys.map((i) => i.message.replace(/^Unrecognized keys?: /, '')).join('; ')}.`, {
      hint: `Every key must be a field of the action's payload; dispatch schema action --name ${name} shows them. Nothing was stored.`,
      next: [{ command: `dispatch schema action --name ${name}`, description: 'the payload fields of this action' }],
    });
  }
  const warnings = issues.map(({ path: p, message }) => ({ path: p, message }));
  const all = await readActionDefaults(home);
  const replaced = Object.hasOwn(all, name);
  all[name] = value;
  await writeActionDefaults(home, all);
  return {
    status: 'SUCCESS',
    exitCode: 0,
    data: { file: statePaths(home).actionDefaults, action: name, defaults: value, replaced, warnings },
    next: [
      { command: `dispatch defaults show --action ${name}`, description: 'see the stored defaults' },
      { command: `dispatch defaults unset --action ${name}`, description: 'remove them again' },
    ],
    view: (env: Envelope, c: Colors) =>
      `${c.green(replaced ? 'replaced' : 'set')} defaults of ${c.bold(name)}\n${JSON.stringify(value, null, 2)}\n${(env.warnings as Array<{ path: string; message: string }>).map((w) => `  ${c.yellow('!')} ${w.path} ${w.message}\n`).join('')}`,
  };
}

async function readObjectFile(abs: string, label: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw notFoundError('FILE_NOT_FOUND', `Defaults file ${label} does not exist.`, { hint: 'Write the default payload as a JSON object in a file and pass its path.' });
    throw usageError('FILE_UNREADABLE', `Cannot read ${label} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  const value = parseJobJson(text.replace(/^\uFEFF/, ''), label);
  if (!isPlainObject(value)) {
    throw usageError('DEFAULTS_NOT_OBJECT', `${label} must hold a JSON object (the default payload), not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.`, {
      hint: 'Example: {"timeoutMs": 5000, "headers": {"x-client": "dispatch"}}',
    });
  }
  return value;
}

type Issue = { path: string; message: string; code?: string };

/**
 * Issues of the defaults against the action schema with every top-level field optional. Unknown
 * keys are refused (a key the action does not take can never become valid by merging) unless the
 * schema itself takes any key (looseObject, passthrough, catchall): then its catchall judges them.
 */
function partialIssues(schema: unknown, value: unknown): Issue[] {
  type Parser = { safeParse: (v: unknown) => { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string; code?: string }> } }; strict?: () => Parser };
  const partial = (schema as { partial?: () => Parser }).partial;
  if (typeof partial !== 'function') return [];
  try {
    const loose = partial.call(schema);
    const strict = typeof loose.strict === 'function' && !takesAnyKey(schema) ? loose.strict() : loose;
    const r = strict.safeParse(value);
    return r.success ? [] : (r.error?.issues ?? []).map((i) => ({ path: ['$', ...i.path.map(String)].join('.'), message: i.message, code: i.code }));
  } catch {
    return [];
  }
}

/** A zod object whose catchall is anything but `never` (strictObject) or absent (object, which strips). */
function takesAnyKey(schema: unknown): boolean {
  const catchall = (schema as { _zod?: { def?: { catchall?: { _zod?: { def?: { type?: string } } } } } })._zod?.def?.catchall;
  return catchall !== undefined && catchall._zod?.def?.type !== 'never';
}

export default (opts: OptionsOf<'defaults set'>) => defaultsSet(opts);
