import { readFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';

/*
 * What tmux.exec types into a shell: one plain command. No chaining, pipes, redirects,
 * substitution or background; nothing destructive or exfiltrating; and a command whose program is
 * on the allowlist (read-only and build/test commands), which a reviewed policy file may extend.
 */

const META = /[;&|<>`$\n\r\\]|\(|\)/;

const ALLOWED_PREFIXES = [
  'ls',
  'pwd',
  'cat',
  'head',
  'tail',
  'wc',
  'echo',
  'printf',
  'date',
  'whoami',
  'uname',
  'env',
  'which',
  'grep',
  'rg',
  'find',
  'tree',
  'stat',
  'du',
  'df',
  'git status',
  'git diff',
  'git log',
  'git show',
  'git branch',
  'git rev-parse',
  'git fetch',
  'git pull',
  'npm test',
  'npm run',
  'npm ci',
  'npm install',
  'npx vitest',
  'npx tsc',
  'node --version',
  'pnpm test',
  'pnpm run',
  'yarn test',
  'make',
  'cargo test',
  'cargo build',
  'go test',
  'go build',
  'pytest',
];

const DESTRUCTIVE: Array<[RegExp, string]> = [
  [/^\s*sudo\b/, 'runs as root'],
  [/^\s*rm\s+(?:-\S*[rf]|--recursive|--force)/, 'removes files recursively or by force'],
  [/^\s*(?:mkfs|dd|shred|wipefs|fdisk|parted)\b/, 'writes disks'],
  [/^\s*(?:shutdown|reboot|halt|poweroff|kill|killall|pkill)\b/, 'stops the machine or processes'],
  [/^\s*git\s+(?:push\s+.*(?:--force|-f)\b|reset\s+--hard|clean\s+-\S*f)/, 'rewrites or discards git history or files'],
  [/^\s*chmod\s+-R\b|^\s*chown\s+-R\b/, 'changes permissions recursively'],
  [/^\s*(?:curl|wget)\b.*(?:\s-d\b|--data|\s-F\b|--form|\s-T\b|--upload-file|--post)/, 'uploads data'],
  [/^\s*(?:scp|rsync|sftp|ftp|nc|ncat|netcat|socat|ssh)\b/, 'copies data to or opens a connection to another machine'],
];

export interface ExecPolicy {
  allowPrefixes: string[];
}

/** A policy file: {"allowPrefixes": ["docker compose ps", ...]}; relative to the working folder. */
export function readPolicy(file: string, cwd: string): ExecPolicy {
  const full = path.resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    throw usageError('TMUX_POLICY_INVALID', `The exec policy ${file} could not be read as JSON: ${(err as Error).message}.`, { hint: 'Write {"allowPrefixes": ["command prefix", ...]}.' });
  }
  const list = (raw as { allowPrefixes?: unknown } | null)?.allowPrefixes;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && p.trim() !== '')) {
    throw usageError('TMUX_POLICY_INVALID', `The exec policy ${file} needs "allowPrefixes": a list of command prefixes.`, { hint: 'Example: {"allowPrefixes": ["docker compose ps"]}' });
  }
  return { allowPrefixes: list.map((p: string) => p.trim()) };
}

/** Throws TMUX_EXEC_REFUSED (exit 2) naming the rule a command breaks. */
export function checkCommand(command: string, policy?: ExecPolicy): void {
  const refuse = (why: string) =>
    usageError('TMUX_EXEC_REFUSED', `tmux.exec refuses ${JSON.stringify(command.length > 120 ? `${command.slice(0, 120)}…` : command)}: ${why}.`, {
      hint: 'Send one plain command of an allowed program; a reviewed policy file (payload "policy") can allow more prefixes, never chaining or destructive commands.',
    });
  const cmd = command.trim();
  if (cmd === '') throw refuse('it is empty');
  if (META.test(cmd)) throw refuse('it chains, pipes, redirects, substitutes or escapes (; & | < > ` $ ( ) \\ or a newline)');
  for (const [re, why] of DESTRUCTIVE) if (re.test(cmd)) throw refuse(`it ${why}`);
  const prefixes = [...ALLOWED_PREFIXES, ...(policy?.allowPrefixes ?? [])];
  const allowed = prefixes.some((p) => cmd === p || cmd.startsWith(`${p} `));
  if (!allowed) throw refuse(`its program is not on the allowlist (${cmd.split(/\s+/)[0]})`);
}
