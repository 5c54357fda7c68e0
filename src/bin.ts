#!/usr/bin/env node
import { CLI_VERSION } from './version.js';

// `--version` answers before anything else loads: agents call it often and it should cost
// no more than starting node.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  const { main } = await import('./main.js');
  const code = await main(argv);
  process.exitCode = code;
  // Idle keep-alive sockets or a module's stray timer must not hold the process open.
  setTimeout(() => process.exit(code), 200).unref();
}
