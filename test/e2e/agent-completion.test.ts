import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from '../support/cli.js';

const TOP = [
  'job',
  'module',
  'runtime',
  'defaults',
  'memory',
  'schema',
  'doctor',
  'init',
  'self-check',
  'skill-version',
  'completion',
  'schedule',
  'daemon',
  'send',
  'capture',
  'targets',
  'worker',
  'mcp',
];
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

async function script(shell: string): Promise<string> {
  const r = await box.json(['completion', shell]);
  expect(r.code).toBe(0);
  expect(r.json).toMatchObject({ command: 'completion', status: 'SUCCESS', shell });
  const file = path.join(box.root, `completion.${shell}`);
  fs.writeFileSync(file, r.json.script);
  return file;
}

/** Runs the generated bash function the way readline would, and returns COMPREPLY. */
function bashComplete(file: string, words: string[]): string[] {
  const out = execFileSync('bash', ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _dispatch; printf "%s\\n" "${COMPREPLY[@]}"', '_', file, ...words], {
    encoding: 'utf8',
    cwd: box.cwd,
  });
  return out.split('\n').filter(Boolean);
}

describe('dispatch completion', () => {
  it('bash: completes commands, subcommands, flags and flag values', async () => {
    const file = await script('bash');
    execFileSync('bash', ['-n', file]);
    expect(bashComplete(file, ['dispatch', 'jo'])).toEqual(['job']);
    expect(bashComplete(file, ['dispatch', 'job', 'run', '--c']).sort()).toEqual(['--case', '--cwd']);
    // a flag value in between must not break the command path
    expect(bashComplete(file, ['dispatch', 'job', 'run', '--case', 'x.job.case.json', '--r'])).toEqual(['--resolve-deps', '--reporter']);
    expect(bashComplete(file, ['dispatch', 'module', 'override', ''])).toEqual(['init', 'add']);
    expect(bashComplete(file, ['dispatch', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete(file, ['dispatch', 'job', 'assert', '--expect-status', 'F'])).toEqual(['FAILED']);
    expect(bashComplete(file, ['dispatch', ''])).toEqual(TOP);
  });

  it('bash: completes file names after a path flag', async () => {
    const file = await script('bash');
    box.write('jobs/alpha.job.case.json', {});
    expect(bashComplete(file, ['dispatch', 'job', 'validate', '--case', 'jobs/al'])).toEqual(['jobs/alpha.job.case.json']);
  });

  it('zsh: lists every top-level command, parses, and completes through the function', async () => {
    const file = await script('zsh');
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('#compdef dispatch')).toBe(true);
    for (const cmd of TOP) expect(text).toMatch(new RegExp(`\\b${cmd}:`));
    if (!has('zsh')) return;
    execFileSync('zsh', ['-n', file]);
    // compsys helpers stubbed to print what they were given
    const harness = `compdef() { :; }; _describe() { local a=\${@[-1]}; print -l -- "\${(@P)a}"; }; compadd() { local a=\${@[-1]}; print -l -- "\${(@P)a}"; }; _files() { print -- FILES; }
source "$1"; shift; words=("$@"); CURRENT=\${#words}; _dispatch`;
    const run = (...words: string[]) =>
      execFileSync('zsh', ['-c', harness, '_', file, ...words], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    expect(run('dispatch', 'job', 'run', '--c')).toContain('--case:job file');
    expect(run('dispatch', 'job', 'run', '--case', '')).toEqual(['FILES']);
    expect(run('dispatch', '').map((l) => l.split(':')[0])).toEqual(TOP);
  });

  it('fish: lists every top-level command, parses, and completes with complete -C', async () => {
    const file = await script('fish');
    const text = fs.readFileSync(file, 'utf8');
    for (const cmd of TOP) expect(text).toContain(`-a '${cmd}'`);
    if (!has('fish')) return;
    execFileSync('fish', ['-n', file]);
    const run = (line: string) =>
      execFileSync('fish', ['-c', `source $argv[1]; complete -C $argv[2]`, file, line], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(run('dispatch jo')).toEqual(['job']);
    expect(run('dispatch job run --c').sort()).toEqual(['--case', '--cwd']);
    expect(run('dispatch completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
  });

  it('prints the bare script in human mode, and refuses an unknown shell with exit 2', async () => {
    const human = await box.run(['completion', 'bash']);
    expect(human.code).toBe(0);
    expect(human.stdout.startsWith('# ')).toBe(true);
    expect(human.stdout).toContain('complete -F _dispatch dispatch');
    expect(human.stdout).not.toContain('next:');
    const bad = await box.json(['completion', 'powershell']);
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'UNKNOWN_SHELL' } });
    expect(bad.json.next.map((n: { command: string }) => n.command)).toContain('dispatch completion zsh');
  });
});
