import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { rawZip } from '../support/raw-zip.js';

const S_IFLNK = 0o120000;
const EVIL_ABS = path.join(os.tmpdir(), `dispatch-e2e-evil-${process.pid}.txt`);

/** Every path under a folder (hidden ones included) with its bytes; null when it does not exist. */
function snapshot(dir: string): Record<string, string> | null {
  if (!fs.existsSync(dir)) return null;
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const abs = path.join(dir, rel);
    out[rel] = fs.lstatSync(abs).isFile() ? fs.readFileSync(abs).toString('base64') : 'dir';
  }
  return out;
}

const ID = '20260101-120000-job-run-abc1234';
const summary = (runId: unknown = ID) => JSON.stringify({ runId, jobType: 'x', status: 'SUCCESS', steps: [] });

let box: Sandbox;
let other: Sandbox;
beforeEach(() => {
  box = sandbox();
  other = sandbox();
});
afterEach(() => {
  box.cleanup();
  other.cleanup();
});

async function recordRun(): Promise<{ runId: string; runDir: string }> {
  box.write('jobs/pause.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: '1ms' }, capture: { slept: 'response.sleptMs' } }]));
  const r = await box.json(['job', 'run', '--case', 'jobs/pause.job.case.json']);
  expect(r.json.status).toBe('SUCCESS');
  return { runId: r.json.runId, runDir: r.json.runDir };
}

describe('job export / import', () => {
  it('round-trips a run byte for byte into another run output folder', async () => {
    const { runId, runDir } = await recordRun();
    const exp = await box.json(['job', 'export', '--run-id', runId, '--out', 'out/run.zip']);
    expect(exp.code).toBe(0);
    const zip = path.join(box.cwd, 'out/run.zip');
    expect(exp.json).toMatchObject({ runId, out: zip });
    expect(exp.json.files).toContain('summary.json');
    // importing into this same output folder would only answer RUN_EXISTS: no hint that cannot work
    expect(exp.json.next).toEqual([]);

    const imp = await other.json(['job', 'import', '--file', zip]);
    expect(imp.code).toBe(0);
    expect(imp.json).toMatchObject({ runId, runDir: path.join(other.output, runId), runStatus: 'SUCCESS' });
    const names = fs.readdirSync(runDir).sort();
    expect(fs.readdirSync(imp.json.runDir).sort()).toEqual(names);
    for (const name of names) expect(fs.readFileSync(path.join(imp.json.runDir, name)).equals(fs.readFileSync(path.join(runDir, name)))).toBe(true);
    expect(fs.readdirSync(other.output)).toEqual([runId]);

    // The imported run is a first-class run: offline commands read it.
    const inspected = await other.json(['job', 'inspect', '--run-id', runId]);
    expect(inspected.json.runStatus).toBe('SUCCESS');
  });

  it('refuses to import a run id that is already recorded, leaving it untouched', async () => {
    const { runId } = await recordRun();
    await box.json(['job', 'export', '--run-id', runId, '--out', 'run.zip']);
    const before = snapshot(box.output);
    const r = await box.json(['job', 'import', '--file', 'run.zip']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('RUN_EXISTS');
    expect(snapshot(box.output)).toEqual(before);
  });

  it('exits 4 exporting an unknown run, with next[] pointing at job list', async () => {
    const r = await box.json(['job', 'export', '--run-id', '20200101-000000-job-run-0000000', '--out', 'x.zip']);
    expect(r.code).toBe(4);
    expect(r.json.next.map((n: any) => n.command)).toContain('dispatch job list');
    expect(fs.existsSync(path.join(box.cwd, 'x.zip'))).toBe(false);
  });

  const refusals: Array<[string, () => Buffer, string]> = [
    [
      'a zip-slip entry',
      () =>
        rawZip([
          { name: `${ID}/summary.json`, data: summary() },
          { name: '../evil.txt', data: 'x' },
        ]),
      'ZIP_UNSAFE',
    ],
    [
      'a nested zip-slip entry',
      () =>
        rawZip([
          { name: `${ID}/summary.json`, data: summary() },
          { name: `${ID}/../../evil.txt`, data: 'x' },
        ]),
      'ZIP_UNSAFE',
    ],
    [
      'an absolute path',
      () =>
        rawZip([
          { name: `${ID}/summary.json`, data: summary() },
          { name: EVIL_ABS, data: 'x' },
        ]),
      'ZIP_UNSAFE',
    ],
    [
      'a symlink entry',
      () =>
        rawZip([
          { name: `${ID}/summary.json`, data: summary() },
          { name: `${ID}/link`, data: '/etc/passwd', mode: S_IFLNK | 0o777 },
        ]),
      'ZIP_UNSAFE',
    ],
    ['an archive without summary.json', () => rawZip([{ name: `${ID}/steps.jsonl`, data: '' }]), 'RUN_ARCHIVE_INVALID'],
    [
      'an entry outside the run folder',
      () =>
        rawZip([
          { name: `${ID}/summary.json`, data: summary() },
          { name: 'elsewhere/x.txt', data: 'x' },
        ]),
      'RUN_ARCHIVE_INVALID',
    ],
    ['a folder that is not the summary run id', () => rawZip([{ name: '20260101-120000-job-run-fff0000/summary.json', data: summary() }]), 'RUN_ARCHIVE_INVALID'],
    ['a summary whose run id is not a run id', () => rawZip([{ name: 'summary.json', data: summary('../../escape') }]), 'RUN_ARCHIVE_INVALID'],
    ['a garbage file', () => Buffer.from('this is not a zip archive at all, just text\n'.repeat(4)), 'ZIP_INVALID'],
  ];

  for (const [what, build, code] of refusals) {
    it(`refuses ${what} with exit 2 and writes nothing`, async () => {
      fs.writeFileSync(path.join(box.cwd, 'bad.zip'), build());
      const before = snapshot(box.root);
      const r = await box.json(['job', 'import', '--file', 'bad.zip']);
      expect(r.code).toBe(2);
      expect(r.json.status).toBe('ERROR');
      expect(r.json.error.code).toBe(code);
      expect(snapshot(box.output)).toBeNull();
      expect(snapshot(box.root)).toEqual(before);
      expect(fs.existsSync(EVIL_ABS)).toBe(false);
    });
  }

  it('accepts a flat archive with summary.json at its root', async () => {
    fs.writeFileSync(
      path.join(box.cwd, 'flat.zip'),
      rawZip([
        { name: 'summary.json', data: summary() },
        { name: 'steps.jsonl', data: '' },
      ]),
    );
    const r = await box.json(['job', 'import', '--file', 'flat.zip']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(box.output, ID)).sort()).toEqual(['steps.jsonl', 'summary.json']);
  });

  it('exits 4 when the archive file does not exist', async () => {
    const r = await box.json(['job', 'import', '--file', 'nope.zip']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('ARCHIVE_NOT_FOUND');
  });
});
