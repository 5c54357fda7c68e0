#!/usr/bin/env node
import { CLI_VERSION } from './version.js';

// `--version` answers before anything else loads: agents call it often and it should cost
// no more than starting node.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  // A Ctrl-C while the core loads is kept, not fatal: the command then ends as INTERRUPTED
  // with its envelope (and a run records that it was interrupted).
  const received: NodeJS.Signals[] = [];
  const onEarly = (sig: NodeJS.Signals) => void received.push(sig);
  process.on('SIGINT', onEarly);
  process.on('SIGTERM', onEarly);
  // `ps` and `top` show "dispatch", not "node"; set only once signals are caught, so a test (or a
  // supervisor) that sees the name knows a Ctrl-C from now on is answered.
  process.title = 'dispatch';
  const release = () => {
    process.off('SIGINT', onEarly);
    process.off('SIGTERM', onEarly);
  };
  // The core is compiled with a code cache (src/boot.ts); boot stays a separate file so that
  // `--version` never loads it. The entry is CommonJS (dist/bin.cjs): an ES module entry costs
  // Node's ESM loader and its builtins before the first line runs (~5 ms, docs/performance.md).
  const { loadCore } = require('./boot.cjs') as typeof import('./boot.js');
  // The command's name picks its code cache (src/boot.ts): `job run` gives job-run. Commands have
  // at most two words and their positionals come after them (`completion <shell>` is the one
  // exception, with a handful of values), so values and flags never name a cache.
  const word = /^[a-z][a-z0-9-]{0,30}$/;
  const command = word.test(argv[0] ?? '') ? (word.test(argv[1] ?? '') ? `${argv[0]}-${argv[1]}` : argv[0]) : 'cli';
  const core = loadCore(command);
  core.guardStdio(); // stdout carries only dispatch's own output; module output goes to stderr, redacted
  void core.main(argv, { received, release }).then((code) => {
    process.exitCode = code;
    // Every handler's work is awaited before main returns, so once stdout has drained nothing is
    // left but idle keep-alive sockets and their timers (tens of ms of teardown): exit now.
    // The MCP server is the exception: it keeps serving until its transport closes.
    if (argv[0] !== 'mcp') {
      if (process.stdout.writableLength === 0) process.exit(code);
      else process.stdout.once('drain', () => process.exit(code));
    }
  });
}
