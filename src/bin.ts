#!/usr/bin/env node
import { CLI_VERSION } from './version.js';

// `--version` answers before anything else loads: agents call it often and it should cost
// no more than starting node.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  // Node 22.1+ can keep compiled bytecode of the bundle between runs (about 40 ms a run; a
  // no-op before 22.1). Its folder lives in the OS temp dir, which is never created for it.
  const nodeModule = (await import('node:module')) as { enableCompileCache?: () => unknown };
  if (nodeModule.enableCompileCache) {
    const [{ existsSync }, { tmpdir }] = await Promise.all([import('node:fs'), import('node:os')]);
    try {
      if (existsSync(tmpdir())) nodeModule.enableCompileCache();
    } catch {
      /* an unwritable cache folder only costs speed */
    }
  }
  const { main } = await import('./main.js');
  const code = await main(argv);
  process.exitCode = code;
  // Every handler's work is awaited before main returns, so once stdout has drained nothing is
  // left but idle keep-alive sockets and their timers (tens of ms of teardown): exit now.
  // The MCP server is the exception: it keeps serving until its transport closes.
  if (argv[0] !== 'mcp') {
    if (process.stdout.writableLength === 0) process.exit(code);
    else process.stdout.once('drain', () => process.exit(code));
  }
}
