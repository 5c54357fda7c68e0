// `npm run demo`: the README's main command, offline. Starts the local jsonplaceholder stand-in on
// a free loopback port, runs the kitchen-sink job against it with the built CLI (its module version,
// then its http.request version), asserts each run, stops the server and exits with the worst exit code of the commands.
//
//   npm run demo            human output
//   npm run demo -- --json  each command's JSON envelope instead
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJsonPlaceholder } from './jsonplaceholder/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'dist/bin.cjs');
// The module version of the tour, then the same tour written with the built-in http.request only.
const CASES = ['modules/jsonplaceholder/jobs/jsonplaceholder-kitchen-sink.job.case.json', 'modules/jsonplaceholder/jobs/jsonplaceholder-kitchen-sink-http.job.case.json'];
const RUN_ID = /\b\d{8}-\d{6}-job-run-[0-9a-f]{7}\b/;
const extra = process.argv.slice(2);

// `npm ci` builds through the prepare script; building here covers a clone where that was skipped.
if (!existsSync(bin)) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

/** Runs the CLI, echoing its output as it comes, and resolves with the exit code and stdout. */
function dispatch(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, ...extra], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', (err) => {
      process.stderr.write(`demo: could not start ${bin}: ${err.message}\n`);
      resolve({ code: 1, stdout });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 3 : 1), stdout }));
  });
}

/** Demo narration; on stderr under --json so stdout holds only the commands' JSON. */
function say(text) {
  (extra.includes('--json') ? process.stderr : process.stdout).write(`${text}\n`);
}

const server = await startJsonPlaceholder({ port: 0, host: '127.0.0.1', quiet: true });
// The child sees Ctrl-C itself and records an INTERRUPTED run; the demo only has to stop the server after.
const ignore = () => undefined;
process.on('SIGINT', ignore);
process.on('SIGTERM', ignore);
const env = { ...process.env, JSONPLACEHOLDER_BASE_URL: server.url };
// Output is piped through us, so keep colours when our own stdout is a terminal.
if (process.stdout.isTTY && !env.NO_COLOR && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';

const codes = [];
try {
  say(`demo: local jsonplaceholder at ${server.url} (JSONPLACEHOLDER_BASE_URL)`);
  for (const CASE of CASES) {
    say(`\n$ dispatch job run --case ${CASE}`);
    const run = await dispatch(['job', 'run', '--case', CASE], env);
    codes.push(run.code);
    const runId = RUN_ID.exec(run.stdout)?.[0] ?? 'latest';
    say(`\n$ dispatch job assert --run-id ${runId}`);
    codes.push((await dispatch(['job', 'assert', '--run-id', runId], env)).code);
  }
} finally {
  await server.close();
  process.off('SIGINT', ignore);
  process.off('SIGTERM', ignore);
}
process.exitCode = Math.max(...codes);
