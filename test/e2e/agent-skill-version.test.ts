import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, sandbox, type Sandbox } from '../support/cli.js';

const shippedText = fs.readFileSync(path.join(repoRoot, 'SKILL.md'), 'utf8');
const shippedVersion = /^---\n[\s\S]*?^version:\s*(\S+)\s*$/m.exec(shippedText)?.[1];

let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

describe('SKILL.md and dispatch skill-version', () => {
  it('SKILL.md has front matter with name, description and a semver version', () => {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(shippedText)?.[1] ?? '';
    expect(front).toMatch(/^name: dispatch$/m);
    expect(front).toMatch(/^description: .{20,}$/m);
    expect(shippedVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints the skill version and the CLI version', async () => {
    const r = await box.json(['skill-version']);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'skill-version', status: 'SUCCESS', skillVersion: shippedVersion, cliVersion: pkg.version, skillPath: path.join(repoRoot, 'SKILL.md') });
    expect(r.json.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--check: an identical copy is current, even with CRLF line endings', async () => {
    box.write('SKILL.md', shippedText.replace(/\n/g, '\r\n'));
    const r = await box.json(['skill-version', '--check', 'SKILL.md']);
    expect(r.code).toBe(0);
    expect(r.json.check).toMatchObject({ state: 'current', current: true, version: shippedVersion });
  });

  it('--check: an older copy is outdated (exit 2) and the next[] command refreshes it', async () => {
    box.write('agent/SKILL.md', shippedText.replace(/^version: .*$/m, 'version: 0.0.1'));
    const r = await box.json(['skill-version', '--check', 'agent/SKILL.md']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ status: 'FAILED', exitCode: 2, error: { code: 'SKILL_OUTDATED' }, check: { state: 'outdated', version: '0.0.1' } });
    execSync(r.json.next[0].command, { cwd: box.cwd });
    const again = await box.json(['skill-version', '--check', 'agent/SKILL.md']);
    expect(again.code).toBe(0);
  });

  it('--check: same version with other content is modified; a newer copy asks for a CLI upgrade', async () => {
    box.write('SKILL.md', `${shippedText}\nlocal note\n`);
    const modified = await box.json(['skill-version', '--check', 'SKILL.md']);
    expect(modified.code).toBe(2);
    expect(modified.json.check.state).toBe('modified');
    box.write('SKILL.md', shippedText.replace(/^version: .*$/m, 'version: 99.0.0'));
    const newer = await box.json(['skill-version', '--check', 'SKILL.md']);
    expect(newer.code).toBe(2);
    expect(newer.json.check.state).toBe('newer');
    expect(newer.json.next[0].command).toBe('npm install -g dispatchkit@latest');
  });

  it('--check: a copy without front matter is outdated, a missing file is exit 4', async () => {
    box.write('SKILL.md', '# my notes\n');
    const bare = await box.json(['skill-version', '--check', 'SKILL.md']);
    expect(bare.code).toBe(2);
    expect(bare.json.check).toMatchObject({ state: 'outdated', version: null });
    const missing = await box.json(['skill-version', '--check', 'nowhere/SKILL.md']);
    expect(missing.code).toBe(4);
    expect(missing.json).toMatchObject({ status: 'ERROR', error: { code: 'SKILL_COPY_NOT_FOUND' } });
    expect(missing.json.next[0].command).toMatch(/^cp .*SKILL\.md .*nowhere\/SKILL\.md$/);
  });

  it('accepts a folder for --check and reads the SKILL.md inside it', async () => {
    const dir = path.join(box.root, 'skills');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(repoRoot, 'SKILL.md'), path.join(dir, 'SKILL.md'));
    const r = await box.json(['skill-version', '--check', dir]);
    expect(r.code).toBe(0);
    expect(r.json.check).toMatchObject({ path: path.join(dir, 'SKILL.md'), state: 'current' });
  });
});
