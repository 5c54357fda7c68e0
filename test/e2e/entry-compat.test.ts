import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, sandbox, type Sandbox } from '../support/cli.js';

// The CLI's entry is dist/bin.cjs (package.json "bin"); dist/bin.js, the entry of earlier builds,
// stays for MCP clients and scripts configured with that path.
let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const runEntry = (entry: string, args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'dist', entry), ...args], { cwd: box.cwd, env: { ...process.env, ...box.env }, encoding: 'utf8' });

describe('CLI entries', () => {
  it('package.json names dist/bin.cjs, a CommonJS file that starts with a node shebang', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ dispatch: 'dist/bin.cjs' });
    expect(fs.readFileSync(path.join(repoRoot, 'dist/bin.cjs'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('dist/bin.js still runs the CLI: same output and exit codes as dist/bin.cjs', () => {
    box.write('jobs/ok.job.case.json', { schemaVersion: 1, jobType: 'ok', scenario: { steps: [{ id: 'a', action: 'flow.sleep', payload: { duration: 0 } }] } });
    box.write('jobs/bad.job.case.json', { schemaVersion: 1, jobType: 'bad', scenario: { steps: [{ id: 'a', action: 'nomodule.x', payload: {} }] } });
    for (const entry of ['bin.cjs', 'bin.js']) {
      const version = runEntry(entry, ['--version']);
      expect(version.stdout.trim(), entry).toMatch(/^\d+\.\d+\.\d+/);
      const ok = runEntry(entry, ['job', 'validate', '--case', 'jobs/ok.job.case.json', '--json']);
      expect(ok.status, entry).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ command: 'job validate', status: 'SUCCESS', valid: true });
      const bad = runEntry(entry, ['job', 'validate', '--case', 'jobs/bad.job.case.json', '--json']);
      expect(JSON.parse(bad.stdout).status, entry).not.toBe('SUCCESS');
      expect(bad.status, entry).toBeGreaterThan(0);
    }
    expect(runEntry('bin.js', ['job', 'validate', '--case', 'jobs/bad.job.case.json', '--json']).status).toBe(
      runEntry('bin.cjs', ['job', 'validate', '--case', 'jobs/bad.job.case.json', '--json']).status,
    );
  });
});
