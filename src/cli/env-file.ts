import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { notFoundError, usageError } from '../errors.js';

/**
 * `--env-file <path>` (repeatable): KEY=value lines, parsed by Node's own parser (util.parseEnv,
 * the one `node --env-file` uses), that fill env vars which are not already set. A variable the
 * environment (or an earlier file) already has wins, so a CI secret is never replaced by a
 * checked-in default. The result is handed to the handler as its environment (opts.env); the
 * process's own environment is left alone, so a long-lived MCP server does not carry one call's
 * file into the next.
 */
export function applyEnvFiles<O extends { envFile?: string[]; env?: Record<string, string | undefined>; cwd?: string }>(opts: O): O {
  if (!opts.envFile?.length) return opts;
  const env: Record<string, string | undefined> = { ...(opts.env ?? process.env) };
  for (const file of opts.envFile) {
    const full = path.resolve(opts.cwd ?? process.cwd(), file);
    for (const [name, value] of Object.entries(readEnvFile(file, full))) if (env[name] === undefined) env[name] = value;
  }
  return { ...opts, env };
}

function readEnvFile(shown: string, full: string): Record<string, string> {
  let text: string;
  try {
    if (!statSync(full).isFile()) throw usageError('ENV_FILE_NOT_A_FILE', `--env-file ${shown} is not a file.`, { hint: 'Name a file of KEY=value lines.' });
    text = readFileSync(full, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw notFoundError('ENV_FILE_NOT_FOUND', `--env-file ${shown} does not exist (looked at ${full}).`, { hint: 'Check the path; it is relative to the working folder (--cwd).' });
    }
    throw err;
  }
  return parseEnv(text.replace(/^\uFEFF/, '')) as Record<string, string>;
}
