import { Writable } from 'node:stream';
import { StdioServerTransport } from '../../vendor/mcp.js';
import type { RunExtras } from '../../cli/types.js';
import { createLineGuard } from '../../mcp/line-guard.js';
import { createMcpServer } from '../../mcp/server.js';
import { toolsOf } from '../../mcp/tools.js';
import type { CommandSpec } from '../../cli/commands.js';
import { usageError } from '../../errors.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { claimStdoutForProtocol } from '../../output/stdio.js';

/**
 * `dispatch mcp`: serves the commands as MCP tools over stdio until the client closes stdin (or
 * SIGINT/SIGTERM). Stdout carries protocol messages only: everything else that would reach it
 * (a module's console.log, the closing envelope the entry prints) is sent to stderr.
 */
export async function serveMcp(commands: readonly CommandSpec[] | undefined): Promise<CommandResult> {
  if (!commands) throw usageError('CLI_ONLY', 'The MCP server is the dispatch CLI: run `dispatch mcp`.');
  const protocolOut = claimStdout();
  const { server, shutdown } = createMcpServer(commands);
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  // Every line is checked before the SDK sees it, so a bad one gets an answer (src/mcp/line-guard.ts).
  const input = process.stdin.pipe(createLineGuard((message) => protocolOut.write(`${JSON.stringify(message)}\n`)));
  const transport = new StdioServerTransport(input as unknown as typeof process.stdin, protocolOut);
  await server.connect(transport);
  const stop = () => void shutdown();
  process.stdin.once('end', stop);
  const signals = onSignals(stop);
  try {
    await closed;
  } finally {
    signals();
    process.stdin.off('end', stop);
    process.stdin.pause();
  }
  return { ...ok({ tools: toolsOf(commands).length }), view: (e, c) => `${c.dim(`dispatch mcp: client disconnected (${String(e.tools)} tools served)`)}\n` };
}

/** A stream for protocol messages on the real stdout; everything else already goes to stderr (src/output/stdio.ts). */
function claimStdout(): Writable {
  const write = claimStdoutForProtocol();
  return new Writable({
    write(chunk, _encoding, callback) {
      write(chunk, (err) => callback(err ?? null));
    },
  });
}

/** First signal: interrupt calls in flight and close; a second one gets the default behaviour (exit now). */
function onSignals(stop: () => void): () => void {
  const handler = (sig: NodeJS.Signals) => {
    off();
    process.once(sig, () => process.kill(process.pid, sig));
    stop();
  };
  const off = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return off;
}

export default (_opts: Record<string, unknown>, x: RunExtras) => serveMcp(x.commands);
