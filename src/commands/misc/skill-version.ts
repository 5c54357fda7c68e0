import type { OptionsOf } from '../../cli/command-options.js';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describeSkill, shippedSkillPath, type SkillInfo } from '../../agent/skill.js';
import { shQuote } from '../../agent/shell-quote.js';
import { DispatchError, notFoundError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import type { CommandResult, Envelope } from '../../output/envelope.js';
import { CLI_VERSION } from '../../version.js';
import { resolveBase } from '../context.js';

export interface SkillVersionOptions {
  cwd?: string;
  check?: string;
}

type CopyState = 'current' | 'modified' | 'outdated' | 'newer';

/** The shipped SKILL.md version and the CLI version; with --check, whether a held copy is current. */
export async function skillVersion(opts: SkillVersionOptions): Promise<CommandResult> {
  const shipped = await readShipped();
  const data: Record<string, unknown> = { skillVersion: shipped.version, cliVersion: CLI_VERSION, skillPath: shipped.path, sha256: shipped.sha256 };
  if (opts.check === undefined) {
    // Only a literal command that works here: a SKILL.md in this folder that is not the shipped one.
    const local = path.resolve(resolveBase(opts).cwd, 'SKILL.md');
    const next = existsSync(local) && local !== shipped.path ? [{ command: 'dispatch skill-version --check SKILL.md', description: 'compare the SKILL.md in this folder with the shipped one' }] : [];
    return { status: 'SUCCESS', exitCode: 0, data, next, view };
  }
  let copyPath = path.resolve(resolveBase(opts).cwd, opts.check);
  // A folder (e.g. the agent's skills directory) means the SKILL.md inside it.
  if ((await fs.stat(copyPath).catch(() => undefined))?.isDirectory()) copyPath = path.join(copyPath, 'SKILL.md');
  const text = await fs.readFile(copyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'EISDIR') {
      throw notFoundError('SKILL_COPY_NOT_FOUND', `No SKILL.md copy at ${copyPath}.`, {
        hint: `Copy the shipped skill file from ${shipped.path}.`,
        next: [{ command: `cp ${shQuote(shipped.path)} ${shQuote(copyPath)}`, description: 'put the current SKILL.md where you expected it' }],
      });
    }
    throw err;
  });
  const copy = describeSkill(copyPath, text);
  const state = compare(copy, shipped);
  const out = { ...data, check: { path: copyPath, version: copy.version ?? null, sha256: copy.sha256, state, current: state === 'current' } };
  if (state === 'current') return { status: 'SUCCESS', exitCode: 0, data: out, next: [], view };
  const refresh = { command: `cp ${shQuote(shipped.path)} ${shQuote(copyPath)}`, description: 'replace your copy with the SKILL.md this CLI ships' };
  const upgrade = { command: 'npm install -g dispatchkit@latest', description: 'upgrade the CLI to match the newer skill copy' };
  const error = new DispatchError({
    code: `SKILL_${state.toUpperCase()}`,
    exitCode: 2,
    message: stateMessage(state, copy, shipped),
    hint: state === 'newer' ? 'Upgrade dispatch, or use the SKILL.md this CLI ships.' : 'Re-read SKILL.md after refreshing it: commands or rules may have changed.',
  });
  return { status: 'FAILED', exitCode: 2, data: out, error, next: state === 'newer' ? [upgrade, refresh] : [refresh], view };
}

function compare(copy: SkillInfo, shipped: SkillInfo): CopyState {
  if (copy.sha256 === shipped.sha256) return 'current';
  const a = semver.valid(copy.version ?? '');
  const b = semver.valid(shipped.version ?? '');
  if (a && b && semver.gt(a, b)) return 'newer';
  if (a && b && semver.eq(a, b)) return 'modified';
  return 'outdated';
}

function stateMessage(state: CopyState, copy: SkillInfo, shipped: SkillInfo): string {
  const v = (s: SkillInfo) => (s.version ? `version ${s.version}` : 'no version in its front matter');
  if (state === 'modified') return `Your SKILL.md has the shipped version ${shipped.version} but different content (edited or damaged).`;
  if (state === 'newer') return `Your SKILL.md (${v(copy)}) is newer than the one this CLI ships (${v(shipped)}).`;
  return `Your SKILL.md (${v(copy)}) is outdated: this CLI ships ${v(shipped)}.`;
}

function view(env: Envelope, c: Colors): string {
  let text = `SKILL.md ${c.bold(String(env.skillVersion ?? 'unversioned'))} ${c.dim(`(dispatch ${env.cliVersion})`)} at ${env.skillPath}\n`;
  const check = env.check as { path: string; version: string | null; state: CopyState } | undefined;
  if (check) {
    const word = check.state === 'current' ? c.green('current') : c.red(check.state);
    text += `your copy ${check.path}: ${check.version ?? 'no version'}, ${word}\n`;
  }
  return text;
}

async function readShipped(): Promise<SkillInfo> {
  const file = shippedSkillPath();
  const text = file ? await fs.readFile(file, 'utf8').catch(() => undefined) : undefined;
  if (!file || text === undefined) {
    throw notFoundError('SKILL_MISSING', `This install of dispatch has no SKILL.md${file ? ` at ${file}` : ''}.`, {
      hint: 'Reinstall the package: SKILL.md ships in its root folder.',
      next: [{ command: 'npm install -g dispatchkit', description: 'reinstall dispatch with its SKILL.md' }],
    });
  }
  return describeSkill(file, text);
}

export default (opts: OptionsOf<'skill-version'>) => skillVersion(opts);
