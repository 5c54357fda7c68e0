// The disk's floor for run-many: writes N run folders of the shape DESIGN 9 gives a run's record
// (a folder, four files written whole, three growing files with five appended lines per step, the
// summary written to a temp name and renamed, and the two atomic replacements at the end), with
// plain synchronous fs calls and nothing else: no HTTP, no JSON work, no redaction.
// Usage: node bench/record-floor.mjs <dir> <runs> <steps>; prints the milliseconds it took.
import fs from 'node:fs';
import path from 'node:path';

const [dir, runs = '200', steps = '3'] = process.argv.slice(2);
const doc = `${JSON.stringify({ runId: 'x'.repeat(40), status: 'RUNNING', steps: [{ id: 's1', status: 'SUCCESS' }] }, null, 2)}\n`;
const line = `${JSON.stringify({ ts: new Date().toISOString(), id: 's1', response: { id: 1, next: '/item/2', name: 'item 1' } })}\n`;
const atomic = (file) => {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, doc);
  fs.renameSync(tmp, file);
};
fs.mkdirSync(dir, { recursive: true });
const t0 = process.hrtime.bigint();
for (let r = 0; r < Number(runs); r++) {
  const run = path.join(dir, `run-${r}`);
  fs.mkdirSync(run);
  for (const name of ['meta.json', 'job.case.input.json', 'job.case.resolved.json', 'module_resolution.json']) fs.writeFileSync(path.join(run, name), doc);
  const fds = Object.fromEntries(['activity.log', 'steps.jsonl', 'http.jsonl'].map((name) => [name, fs.openSync(path.join(run, name), 'a')]));
  atomic(path.join(run, 'summary.json'));
  for (let s = 0; s < Number(steps); s++) {
    for (const name of ['activity.log', 'http.jsonl', 'activity.log', 'activity.log', 'steps.jsonl']) fs.writeSync(fds[name], line);
  }
  for (const fd of Object.values(fds)) fs.closeSync(fd);
  atomic(path.join(run, 'job.case.resolved.json'));
  atomic(path.join(run, 'summary.json'));
}
console.log(Number(process.hrtime.bigint() - t0) / 1e6);
