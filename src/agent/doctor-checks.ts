import { statSync } from 'node:fs';
import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import { semver } from '../util/semver.js';
import type { NextHint } from '../errors.js';
import { shQuote } from './shell-quote.js';
import { packageRoot } from './skill.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One doctor finding; `fix` says what to do in words, `next` the literal commands. */
export interface Check {
  name: string;
  status: CheckStatus;
  message: string;
  fix?: string;
  next?: NextHint[];
  details?: Record<string, unknown>;
}

/** The supported range comes from package.json `engines`, so the check follows the package. */
export async function checkNode(version = process.versions.node): Promise<Check> {
  const range = await engineRange();
  if (semver().satisfies(version, range)) return { name: 'node', status: 'ok', message: `Node ${version} satisfies ${range}.` };
  return {
    name: 'node',
    status: 'fail',
    message: `Node ${version} is too old: dispatch needs ${range}.`,
    fix: 'Install a current Node LTS (22 or later) and reinstall dispatch with it.',
    next: [{ command: 'nvm install --lts', description: 'install the current Node LTS (with nvm), then reinstall dispatchkit' }],
  };
}

async function engineRange(): Promise<string> {
  const root = packageRoot();
  try {
    const pkg = JSON.parse(await fs.readFile(path.join(root ?? '', 'package.json'), 'utf8')) as { engines?: { node?: string } };
    if (pkg.engines?.node && semver().validRange(pkg.engines.node)) return pkg.engines.node;
  } catch {
    /* fall through to the documented floor */
  }
  return '>=20.18';
}

/**
 * Whether dispatch can write `dir`, leaving nothing behind: an existing folder gets a probe folder
 * created and removed at once; a missing one is not created, its nearest existing parent is tested
 * instead (dispatch creates the folder on first use).
 */
export async function checkWritable(name: string, dir: string, envVar: string): Promise<Check> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    return {
      name,
      status: 'fail',
      message: `${dir} exists but is not a folder.`,
      fix: `Move the file away, or set ${envVar} to a folder you can write.`,
      next: [{ command: `mv ${shQuote(dir)} ${shQuote(`${dir}.bak`)}`, description: 'move the file out of the way (dispatch recreates the folder)' }],
      details: { path: dir },
    };
  }
  if (stat) {
    try {
      const probe = await fs.mkdtemp(path.join(dir, '.dispatch-doctor-'));
      await fs.rm(probe, { recursive: true, force: true });
      return { name, status: 'ok', message: `${dir} is writable.`, details: { path: dir, exists: true } };
    } catch (err) {
      return unwritable(name, dir, dir, err, envVar);
    }
  }
  const parent = await nearestExisting(dir);
  const parentStat = await fs.stat(parent).catch(() => undefined);
  if (!parentStat?.isDirectory()) {
    // e.g. DISPATCH_RUN_OUTPUT=/some/file/sub: mkdir would fail with ENOTDIR on first use.
    return {
      name,
      status: 'fail',
      message: `${dir} cannot be created: ${parent} is a file, not a folder.`,
      fix: `Set ${envVar} to a path under a folder you can write.`,
      details: { path: dir, blockedBy: parent },
    };
  }
  try {
    await fs.access(parent, fs.constants.W_OK);
    return { name, status: 'ok', message: `${dir} does not exist yet; it will be created on first use (${parent} is writable).`, details: { path: dir, exists: false } };
  } catch (err) {
    return unwritable(name, dir, parent, err, envVar);
  }
}

function unwritable(name: string, dir: string, tested: string, err: unknown, envVar: string): Check {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  // chmod only helps on a folder the user owns; for anyone else's (a global install owned by root)
  // the way out is another folder, never loosening someone else's permissions.
  const owned = ownedByMe(tested);
  const elsewhere = name === 'run output' ? 'work from a folder of your own (dispatch init copies the examples there)' : `point ${envVar} at a folder you own`;
  return {
    name,
    status: 'fail',
    message: `${dir} is not writable (${code} on ${tested}${owned ? '' : ', a folder you do not own'}).`,
    fix: owned ? `Give yourself write access to ${tested}, or set ${envVar} to a folder you can write.` : `Set ${envVar} to a folder you can write, or ${elsewhere}.`,
    next: owned
      ? [{ command: `chmod u+w ${shQuote(tested)}`, description: 'make the folder writable' }]
      : [{ command: `export ${envVar}=${shQuote(path.join(os.homedir(), name === 'run output' ? 'dispatch-runs' : '.dispatch'))}`, description: `use a folder you own for the ${name}` }],
    details: { path: dir, tested, owned },
  };
}

function ownedByMe(p: string): boolean {
  try {
    return typeof process.getuid !== 'function' || statSync(p).uid === process.getuid();
  } catch {
    return false;
  }
}

async function nearestExisting(dir: string): Promise<string> {
  let cur = path.resolve(dir);
  for (;;) {
    if (
      await fs.stat(cur).then(
        () => true,
        () => false,
      )
    )
      return cur;
    const up = path.dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
}

/** direnv is optional; a warning says how to get it and whether the repo offers an .envrc.example. */
export async function checkDirenv(cwd: string, env: Record<string, string | undefined>): Promise<Check> {
  const found = await findOnPath('direnv', env);
  const example = await exists(path.join(cwd, '.envrc.example'));
  const envrc = await exists(path.join(cwd, '.envrc'));
  const details = { path: found ?? null, envrcExample: example, envrc };
  if (!found) {
    return {
      name: 'direnv',
      status: 'warn',
      message: `direnv is not on PATH${example ? ' (this folder has an .envrc.example for it)' : ''}; env vars for jobs must be exported by hand.`,
      fix: 'Install direnv (https://direnv.net) and hook it into your shell, or export the variables yourself.',
      next: [{ command: installCommand(), description: 'install direnv, then add its hook to your shell rc file' }],
      details,
    };
  }
  if (example && !envrc) {
    return {
      name: 'direnv',
      status: 'warn',
      message: `direnv is at ${found}, but this folder has .envrc.example and no .envrc.`,
      fix: 'Copy .envrc.example to .envrc, fill in your values, then allow it.',
      next: [{ command: 'cp .envrc.example .envrc', description: 'create your local .envrc, edit its values, then run: direnv allow' }],
      details,
    };
  }
  return { name: 'direnv', status: 'ok', message: `direnv is at ${found}${envrc ? '; .envrc present' : ''}.`, details };
}

function installCommand(): string {
  if (process.platform === 'darwin') return 'brew install direnv';
  if (process.platform === 'win32') return 'winget install direnv.direnv';
  return 'sudo apt-get install direnv';
}

async function findOnPath(bin: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  const names = process.platform === 'win32' ? [`${bin}.exe`, bin] : [bin];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = path.join(dir, name);
      const ok = await fs.access(file, fs.constants.X_OK).then(
        () => true,
        () => false,
      );
      if (ok && (await fs.stat(file)).isFile()) return file;
    }
  }
  return undefined;
}

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

/** Unfinished `.tmp-*` folders an older version left in the run output when it stopped mid-write. */
export async function checkLeftoverTemp(outputRoot: string, leftovers: string[]): Promise<Check> {
  if (leftovers.length === 0) return { name: 'run output leftovers', status: 'ok', message: `No unfinished temporary folders in ${outputRoot}.` };
  return {
    name: 'run output leftovers',
    status: 'warn',
    message: `${leftovers.length} unfinished temporary folder(s) in ${outputRoot}: ${leftovers.join(', ')}.`,
    fix: 'They hold runs that were still being written when dispatch stopped; nothing reads them. Look inside, then remove them.',
    details: { leftovers },
  };
}
