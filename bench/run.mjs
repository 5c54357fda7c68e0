// `npm run bench`: start-up, chained HTTP job, run-many throughput/memory and validate of a large
// job, each as a median over several runs and as a ratio against a floor measured in this run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMcp } from './mcp-client.mjs';
import { chainCollection, newmanBin } from './newman.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'dist/bin.cjs');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-bench-'));
const env = { ...process.env, DISPATCH_HOME: path.join(work, 'home'), DISPATCH_RUN_OUTPUT: path.join(work, 'out'), NO_COLOR: '1' };
fs.cpSync(path.join(root, 'bench/fixtures/modules'), path.join(work, 'modules'), { recursive: true });
// The usual project set-up: dispatchkit (and the zod it depends on) installed in the project, so
// modules resolve both directly.
// A second work folder without it measures a global install, where a resolve hook is needed.
fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
fs.symlinkSync(root, path.join(work, 'node_modules/dispatchkit'), 'dir');
// npm hoists dispatchkit's own dependency next to it; without zod there a module needs the hook.
fs.symlinkSync(path.join(root, 'node_modules/zod'), path.join(work, 'node_modules/zod'), 'dir');
const globalWork = path.join(work, 'global');
fs.cpSync(path.join(root, 'bench/fixtures/modules'), path.join(globalWork, 'modules'), { recursive: true });

// /item/N answers plain JSON, like the floor's server; /session/item/N also sets a cookie, so the
// cookie-jar cost (tough-cookie) is measured in its own row.
const server = http.createServer((req, res) => {
  const session = (req.url ?? '').startsWith('/session/');
  const n = Number(/\/item\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
  const body = JSON.stringify({ id: n, next: `${session ? '/session' : ''}/item/${n + 1}`, name: `item ${n}` });
  res.writeHead(200, { 'content-type': 'application/json', ...(session ? { 'set-cookie': `seen=${n}; Path=/` } : {}) });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

// Async spawns: the loopback server lives in this process and must keep answering.
function exec(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? work, env: { ...env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
  });
}
async function time(cmd, args, opts = {}) {
  const r = await exec(cmd, args, opts);
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// This machine's speed drifts by tens of percent over minutes (a shared VM), so a ratio is taken
// from pairs: the floor and the subject run back to back, in alternating order, and the reported
// ratio is the median of the pairs' ratios (value and floor columns are the medians of each side).
async function paired(subject, floor, n = REPEAT) {
  await floor();
  await subject();
  const xs = [];
  const fl = [];
  const rs = [];
  for (let i = 0; i < n; i++) {
    let x;
    let f;
    if (i % 2) {
      f = await floor();
      x = await subject();
    } else {
      x = await subject();
      f = await floor();
    }
    xs.push(x);
    fl.push(f);
    rs.push(x / f);
  }
  return { value: median(xs), floor: median(fl), ratio: median(rs) };
}
const recordPair = (name, p, unit, target) => record(name, p.value, p.floor, unit, target, 'lower', p.ratio);
async function runs(fn, n = REPEAT) {
  await fn(); // warm the page cache
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await fn());
  return median(xs);
}

const chainJob = (steps, first = '/item/1') => ({
  schemaVersion: 1,
  jobType: 'bench-chain',
  http: { baseUrl: base },
  scenario: {
    steps: Array.from({ length: steps }, (_, i) => ({
      id: `s${i + 1}`,
      action: 'bench.get',
      payload: { path: i === 0 ? first : `\${step.s${i}.response.next}` },
    })),
  },
});
fs.writeFileSync(path.join(work, 'chain20.job.case.json'), JSON.stringify(chainJob(20)));
fs.writeFileSync(path.join(globalWork, 'chain20.job.case.json'), JSON.stringify(chainJob(20)));
fs.writeFileSync(path.join(work, 'chain20-session.job.case.json'), JSON.stringify(chainJob(20, '/session/item/1')));
fs.writeFileSync(path.join(work, 'three.job.case.json'), JSON.stringify(chainJob(3, '/session/item/1')));
const big = {
  schemaVersion: 1,
  jobType: 'bench-big',
  scenario: {
    steps: Array.from({ length: 500 }, (_, i) => ({
      id: `s${i}`,
      action: i % 2 ? 'flow.sleep' : 'bench.get',
      payload: i % 2 ? { duration: '1ms' } : { path: i === 0 ? '/item/1' : `\${step.s${i - 2}.response.next}` },
    })),
  },
  http: { baseUrl: base },
};
fs.writeFileSync(path.join(work, 'big.job.case.json'), JSON.stringify(big));
// Offline jobs: one step (what validation alone costs) and 20 zero-length sleeps (the CLI's own
// cost per step, full artifacts, no network).
const sleepJob = (n) => ({ schemaVersion: 1, jobType: 'bench-offline', scenario: { steps: Array.from({ length: n }, (_, i) => ({ id: `s${i}`, action: 'flow.sleep', payload: { duration: 0 } })) } });
fs.writeFileSync(path.join(work, 'one.job.case.json'), JSON.stringify(sleepJob(1)));
fs.writeFileSync(path.join(work, 'offline20.job.case.json'), JSON.stringify(sleepJob(20)));
fs.writeFileSync(path.join(work, 'chain20.postman.json'), JSON.stringify(chainCollection(base, 20)));

const results = [];
const record = (name, value, floor, unit, target, better = 'lower', pairedRatio) => {
  const ratio = pairedRatio ?? (floor ? value / floor : undefined);
  results.push({ name, value: Math.round(value * 10) / 10, unit, floor: floor ? Math.round(floor * 10) / 10 : undefined, ratio: ratio ? Math.round(ratio * 100) / 100 : undefined, target, better });
};

// (1) start-up, each command paired with a `node -e 0` started right next to it
const nodeStartFn = () => time(process.execPath, ['-e', '0']);
const versionP = await paired(() => time(process.execPath, [bin, '--version']), nodeStartFn);
recordPair('version: dispatch --version vs node -e 0', versionP, 'ms', 'ratio <= 1.5');
const validate1P = await paired(() => time(process.execPath, [bin, 'job', 'validate', '--case', 'one.job.case.json', '--json']), nodeStartFn);
recordPair('validate: 1-step job vs node -e 0', validate1P, 'ms', 'ratio <= 1.5');
const offline20P = await paired(() => time(process.execPath, [bin, 'job', 'run', '--case', 'offline20.job.case.json', '--json']), nodeStartFn);
recordPair('offline20: 20 flow.sleep 0 steps, full artifacts, vs node -e 0', offline20P, 'ms', 'ratio <= 2');
const nodeStart = validate1P.floor;
// What loading the core alone costs (no command runs): the fixed part of every command.
const coreLoadP = await paired(() => time(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'dist/boot.cjs'))}).loadCore('job-validate')`]), nodeStartFn);
recordPair('core alone: load dist/core.cjs through its code cache, run nothing, vs node -e 0', coreLoadP, 'ms', 'shown: the part of validate no command avoids');

// (2) 20-step chained GET job vs plain loops (both whole processes)
const chainFn = () => time(process.execPath, [bin, 'job', 'run', '--case', 'chain20.job.case.json', '--json']);
const plainFn = () => time(process.execPath, [path.join(root, 'bench/plain-loop.mjs'), base, '20']);
const chainP = await paired(chainFn, () => time(process.execPath, [path.join(root, 'bench/fetch-loop.mjs'), base, '20']));
recordPair('chain20: 20-step GET job vs a plain fetch loop (the same client)', chainP, 'ms', 'ratio <= 1.25');
const plainP = await paired(chainFn, plainFn);
recordPair('chain20 vs a plain node:http loop (the physical floor)', plainP, 'ms', 'shown for scale');
const plain = plainP.floor;
// Newman on an equivalent collection (installed on demand; skipped when it cannot be).
const newman = newmanBin();
if (newman.error) results.push({ name: 'chain20 vs newman', error: newman.error });
else {
  const nmP = await paired(chainFn, () => time(process.execPath, [newman.bin, 'run', 'chain20.postman.json', '--reporters', 'cli', '--silent']), Math.min(REPEAT, 5));
  recordPair('chain20 vs newman on the same 20 chained GETs', nmP, 'ms', 'ratio <= 0.3');
}
// The warm path: the same job through a long-lived `dispatch mcp`, against the same 20 GETs done
// in a warm process (this one), one after the other.
const mcp = await startMcp(bin, { cwd: work, env });
const warmP = await paired(
  () => mcp.call('job_run', { case: 'chain20.job.case.json' }),
  async () => {
    const t0 = process.hrtime.bigint();
    let next = '/item/1';
    for (let i = 0; i < 20; i++) next = (await (await fetch(`${base}${next}`)).json()).next;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  },
  Math.max(REPEAT, 15),
);
await mcp.close();
recordPair('warm: chain20 through dispatch mcp (tools/call job_run) vs 20 GETs in a warm process', warmP, 'ms', 'ratio <= 2');
const chainSession = await runs(() => time(process.execPath, [bin, 'job', 'run', '--case', 'chain20-session.job.case.json', '--json']));
record('chain20 with a session cookie on every response (cookie jar)', chainSession, plain, 'ms', 'not targeted');
const chainGlobal = await runs(() => time(process.execPath, [bin, 'job', 'run', '--case', 'chain20.job.case.json', '--json'], { cwd: globalWork }));
record('chain20 (global install, resolve hook)', chainGlobal, plain, 'ms', 'ratio <= 2');

// (3) run-many 200 x 3-step job at concurrency 20: median throughput over several batches (one
// batch swings with disk and scheduler noise), and the highest peak memory any batch reached.
const rssFile = path.join(work, 'maxrss');
const batches = [];
const floors = [];
let rmError;
for (let i = 0; i < Math.min(REPEAT, 5) && !rmError; i++) {
  const rm = await exec(process.execPath, ['-r', path.join(root, 'bench/maxrss.cjs'), bin, 'job', 'run-many', '--case', 'three.job.case.json', '--count', '200', '--concurrency', '20', '--json'], {
    env: { BENCH_MAXRSS_FILE: rssFile },
  });
  if (rm.status !== 0) rmError = `exit ${rm.status}: ${(rm.stdout || rm.stderr).slice(0, 300)}`;
  else batches.push({ runsPerSecond: 200 / ((JSON.parse(rm.stdout).durationMs ?? 0) / 1000), mib: Number(fs.readFileSync(rssFile, 'utf8')) / 1024 });
  // The disk's own floor, right after each batch: the same 200 run records (folder, files,
  // appends, renames) written by a plain script and nothing else. Where creating a file is slow,
  // this bounds what run-many can reach.
  const floor = await exec(process.execPath, [path.join(root, 'bench/record-floor.mjs'), path.join(work, `record-floor-${i}`), '200', '3']);
  floors.push(200 / (Number(floor.stdout) / 1000));
}
if (rmError) results.push({ name: 'run-many', error: rmError });
else {
  record('run-many: 200 x 3-step runs at concurrency 20', median(batches.map((b) => b.runsPerSecond)), undefined, 'runs/s', '>= 300', 'higher');
  record('run-many: the disk floor, 200 run records written by a plain script (no HTTP, no JSON work)', median(floors), undefined, 'runs/s', 'shown: run-many cannot exceed it', 'higher');
  record('run-many: peak memory (highest of the batches)', Math.max(...batches.map((b) => b.mib)), undefined, 'MiB', '< 150');
}

// 10,000 runs in one batch: memory must not grow with the batch (one record line per run).
{
  const rm = await exec(process.execPath, ['-r', path.join(root, 'bench/maxrss.cjs'), bin, 'job', 'run-many', '--case', 'three.job.case.json', '--count', '10000', '--concurrency', '20', '--json'], {
    env: { BENCH_MAXRSS_FILE: rssFile },
  });
  if (rm.status !== 0) results.push({ name: 'run-many 10,000', error: `exit ${rm.status}: ${(rm.stdout || rm.stderr).slice(0, 300)}` });
  else {
    const r = JSON.parse(rm.stdout);
    record('run-many: 10,000 x 3-step runs, peak memory', Number(fs.readFileSync(rssFile, 'utf8')) / 1024, undefined, 'MiB', '< 200');
    record('run-many: 10,000 x 3-step runs, throughput', 10000 / (r.durationMs / 1000), undefined, 'runs/s', 'shown', 'higher');
  }
}

// 2,000 runs over 4 local workers through Redis vs the same batch here (needs redis-server).
{
  const r = await remoteBench();
  if (r.error) results.push({ name: 'remote: 2,000 runs over 4 workers', error: r.error });
  else {
    record('remote: 2,000 x 3-step runs over 4 workers (concurrency 5 each) via Redis', r.remote, r.local, 'runs/s', 'shown (floor: the same batch here, concurrency 20)', 'higher');
    record('remote: peak memory of the producer', r.producerMiB, undefined, 'MiB', 'shown');
    record('remote: peak memory of the largest worker', r.workerMiB, undefined, 'MiB', 'shown');
  }
}

// (4) validate a 500-step job
const validate = await runs(() => time(process.execPath, [bin, 'job', 'validate', '--case', 'big.job.case.json', '--json']), 5);
record('validate: 500-step job', validate, nodeStart, 'ms', '< 300 ms');

// (5) validation stays linear: each step refers to the one before it (the shape that used to cost
// a copy of every earlier step id per step). 100,000 steps is just under the 10 MB file limit.
for (const n of [10_000, 100_000]) {
  const steps = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, action: 'flow.sleep', payload: { duration: i ? `\${step.s${i - 1}.response.sleptMs}` : 0 } }));
  fs.writeFileSync(path.join(work, `linear${n}.job.case.json`), JSON.stringify({ schemaVersion: 1, jobType: 'bench-linear', scenario: { steps } }));
  const ms = await runs(() => time(process.execPath, [bin, 'job', 'validate', '--case', `linear${n}.job.case.json`, '--json']), 3);
  record(`validate: ${n.toLocaleString('en')}-step chained job`, ms, undefined, 'ms', n === 10_000 ? '< 2000 ms' : '< 15000 ms');
}

async function remoteBench() {
  const which = await exec('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) return { error: 'redis-server is not installed (apt-get install redis-server)' };
  const port = 20000 + Math.floor(Math.random() * 20000);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 200 && (await exec('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() !== 'PONG'; i++);
    const local = await exec(
      process.execPath,
      ['-r', path.join(root, 'bench/maxrss.cjs'), bin, 'job', 'run-many', '--case', 'three.job.case.json', '--count', '2000', '--concurrency', '20', '--json'],
      { env: { BENCH_MAXRSS_FILE: rssFile } },
    );
    if (local.status !== 0) return { error: `local batch exit ${local.status}` };
    const workers = [0, 1, 2, 3].map((i) => {
      const home = path.join(work, `worker-${i}`);
      return spawn(process.execPath, ['-r', path.join(root, 'bench/maxrss.cjs'), bin, 'worker', '--redis', url, '--concurrency', '5'], {
        cwd: work,
        env: { ...env, DISPATCH_HOME: home, BENCH_MAXRSS_FILE: `${rssFile}-w${i}` },
        stdio: 'ignore',
      });
    });
    const remote = await exec(process.execPath, ['-r', path.join(root, 'bench/maxrss.cjs'), bin, 'job', 'run-many', '--case', 'three.job.case.json', '--count', '2000', '--redis', url, '--json'], {
      env: { BENCH_MAXRSS_FILE: `${rssFile}-p` },
    });
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.on('close', resolve), w.kill('SIGTERM')))));
    if (remote.status !== 0) return { error: `remote batch exit ${remote.status}: ${remote.stdout.slice(0, 200)}` };
    const rate = (out) => 2000 / (JSON.parse(out).durationMs / 1000);
    const mib = (f) => Number(fs.readFileSync(f, 'utf8')) / 1024;
    return { local: rate(local.stdout), remote: rate(remote.stdout), producerMiB: mib(`${rssFile}-p`), workerMiB: Math.max(...[0, 1, 2, 3].map((i) => mib(`${rssFile}-w${i}`))) };
  } finally {
    redis.kill('SIGTERM');
  }
}

server.close();
fs.rmSync(work, { recursive: true, force: true });

const out = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, repeat: REPEAT, results };
fs.writeFileSync(path.join(root, 'bench/results.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`dispatch benchmarks (node ${process.version}, ${os.cpus().length} cpus, median of ${REPEAT})`);
console.log('| benchmark | value | floor | ratio | target |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  if (r.error) console.log(`| ${r.name} | error: ${r.error} | | | |`);
  else console.log(`| ${r.name} | ${r.value} ${r.unit} | ${r.floor ?? ''}${r.floor ? ` ${r.unit}` : ''} | ${r.ratio ?? ''} | ${r.target} |`);
}
console.log('written to bench/results.json');
