// A minimal MCP client over stdio for the warm-path benchmark: starts `dispatch mcp`, initializes,
// and times tools/call requests against the long-lived server.
import { spawn } from 'node:child_process';

export async function startMcp(bin, opts) {
  const child = spawn(process.execPath, [bin, 'mcp'], { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let buffer = '';
  let nextId = 1;
  child.stdout.on('data', (d) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if (msg.id !== undefined && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      }
    }
  });
  const request = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    async call(name, args) {
      const t0 = process.hrtime.bigint();
      const msg = await request('tools/call', { name, arguments: args });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (msg.error || msg.result?.isError) throw new Error(`tools/call ${name}: ${JSON.stringify(msg.error ?? msg.result).slice(0, 300)}`);
      return ms;
    },
    close: () => new Promise((resolve) => (child.on('close', resolve), child.stdin.end())),
  };
}
