import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';
import { writeTestModule } from '../support/fixtures.js';

// `--out` of job dump, export and report goes through one writer that refuses to replace
// anything but a regular file, and refuses to write into the records the command reads.

let box: Sandbox;
let runId: string;
let runDir: string;

beforeEach(async () => {
  box = sandbox(undefined, { inProcess: true });
  writeTestModule(box);
  box.write('echo.job.case.json', job([{ id: 'say', action: 'testkit.echo', payload: { hello: 'world' } }]));
  const r = await box.json(['job', 'run', '--case', 'echo.job.case.json']);
  expect(r.code).toBe(0);
  runId = r.json.runId;
  runDir = r.json.runDir;
});
afterEach(() => box.cleanup());

const COMMANDS: Array<[string, (out: string) => string[]]> = [
  ['dump', (out) => ['job', 'dump', '--run-id', runId, '--out', out]],
  ['export', (out) => ['job', 'export', '--run-id', runId, '--out', out]],
  ['report', (out) => ['job', 'report', '--run-id', runId, '--out', out]],
];

/** A special file made in the sandbox (never under /dev); undefined when this machine will not make one. */
function special(kind: 'fifo' | 'device'): string | undefined {
  const file = path.join(box.cwd, kind === 'fifo' ? 'pipe' : 'nul');
  try {
    if (kind === 'fifo') execFileSync('mkfifo', [file], { stdio: 'ignore' });
    else execFileSync('mknod', [file, 'c', '1', '3'], { stdio: 'ignore' }); // needs root
    return file;
  } catch {
    return undefined;
  }
}

describe('--out that is not a regular file', () => {
  for (const kind of ['fifo', 'device'] as const) {
    it(`is refused by dump, export and report when it is a ${kind}, and left as it was`, async (ctx) => {
      const file = special(kind);
      if (!file) return ctx.skip();
      const isKind = () => (kind === 'fifo' ? fs.lstatSync(file).isFIFO() : fs.lstatSync(file).isCharacterDevice());
      for (const [name, args] of COMMANDS) {
        const r = await box.json(args(file));
        expect(r.code, name).toBe(2);
        expect(r.json.status).toBe('ERROR');
        expect(r.json.error.code).toBe('OUT_NOT_A_FILE');
        expect(r.json.error.message).toContain(file);
        expect(r.json.error.hint).toMatch(/regular file/);
        expect(isKind(), name).toBe(true);
      }
      expect(fs.readdirSync(box.cwd).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('is refused when it is a symbolic link, which a rename would replace', async () => {
    const target = box.write('real.json', '{"keep": true}\n');
    const link = path.join(box.cwd, 'link.json');
    fs.symlinkSync(target, link);
    for (const [name, args] of COMMANDS) {
      const r = await box.json(args(link));
      expect(r.code, name).toBe(2);
      expect(r.json.error.code).toBe('OUT_NOT_A_FILE');
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    }
    expect(JSON.parse(fs.readFileSync(target, 'utf8'))).toEqual({ keep: true });
  });

  it('still replaces an existing regular file', async () => {
    const file = box.write('old.json', 'old');
    const r = await box.json(['job', 'dump', '--run-id', runId, '--out', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).runId).toBe(runId);
    expect(r.json.bytes).toBe(fs.statSync(file).size);
  });
});

describe('--out inside the record being read', () => {
  it('is refused by dump, export and report, and the run record is untouched', async () => {
    const before = Object.fromEntries(fs.readdirSync(runDir).map((n) => [n, fs.readFileSync(path.join(runDir, n), 'utf8')]));
    for (const [name, args] of COMMANDS) {
      for (const out of [path.join(runDir, 'summary.json'), path.join(runDir, 'new.out'), runDir]) {
        const r = await box.json(args(out));
        expect(r.code, `${name} ${out}`).toBe(2);
        expect(r.json.error.code).toBe('OUT_INSIDE_RUN');
        expect(r.json.error.message).toContain(out);
        expect(r.json.error.hint).toBeTruthy();
      }
    }
    const after = Object.fromEntries(fs.readdirSync(runDir).map((n) => [n, fs.readFileSync(path.join(runDir, n), 'utf8')]));
    expect(after).toEqual(before);
    // The record still reads.
    expect((await box.json(['job', 'assert', '--run-id', runId])).code).toBe(0);
  });

  it("is refused inside another run's folder or the batches folder: no record is ever written over", async () => {
    const other = await box.json(['job', 'run', '--case', 'echo.job.case.json']);
    const otherDir = other.json.runDir as string;
    const before = fs.readFileSync(path.join(otherDir, 'summary.json'), 'utf8');
    for (const [name, args] of COMMANDS) {
      for (const out of [path.join(otherDir, 'summary.json'), path.join(otherDir, 'extra.out'), path.join(box.output, 'batches', 'x.json')]) {
        const r = await box.json(args(out));
        expect(r.code, `${name} ${out}`).toBe(2);
        expect(r.json.error.code).toBe('OUT_INSIDE_RUN');
      }
    }
    expect(fs.readFileSync(path.join(otherDir, 'summary.json'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(otherDir, 'extra.out'))).toBe(false);
    // beside the runs, in the output root itself, is fine
    const ok = await box.json(['job', 'dump', '--run-id', runId, '--out', path.join(box.output, 'dump.json')]);
    expect(ok.code).toBe(0);
  });

  it('is refused through a linked folder that leads into the run', async () => {
    const link = path.join(box.cwd, 'runlink');
    fs.symlinkSync(runDir, link);
    const r = await box.json(['job', 'dump', '--run-id', runId, '--out', 'runlink/summary.json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('OUT_INSIDE_RUN');
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')).runId).toBe(runId);
  });

  it('for a batch report: refused inside any run folder of the batch or the batches folder', async () => {
    const batch = await box.json(['job', 'run-many', '--case', 'echo.job.case.json', '--count', '2']);
    expect(batch.code).toBe(0);
    const second = path.join(box.output, batch.json.runIds[1]);
    for (const out of [path.join(second, 'report.xml'), path.join(box.output, 'batches', 'report.xml'), path.join(box.output, 'batches', `${batch.json.batchId}.json`)]) {
      const r = await box.json(['job', 'report', '--batch-id', batch.json.batchId, '--out', out]);
      expect(r.code, out).toBe(2);
      expect(r.json.error.code).toBe('OUT_INSIDE_RUN');
      expect(r.json.error.message).toContain(out);
    }
    expect(fs.existsSync(path.join(second, 'report.xml'))).toBe(false);
    const inspect = await box.json(['job', 'batch-inspect', '--batch-id', batch.json.batchId]);
    expect(inspect.code).toBe(0);
    // Beside the records is fine.
    const ok = await box.json(['job', 'report', '--batch-id', batch.json.batchId, '--out', path.join(box.output, 'report.xml')]);
    expect(ok.code).toBe(0);
    expect(ok.json.tests).toBe(4); // per run: its step and the expected-status assertion
  });
});
