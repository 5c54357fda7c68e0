import { Transform, type TransformCallback } from 'node:stream';

/** Largest MCP message accepted on stdin; a longer line is refused without being held in memory. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

type Reply = (message: object) => void;

/**
 * Sits between stdin and the SDK's stdio transport, which drops a line it cannot parse without an
 * answer and buffers a line of any length. Here every line is checked first: one that is not
 * JSON gets a JSON-RPC parse error (-32700), one that is not a JSON-RPC 2.0 object or is longer
 * than MAX_MESSAGE_BYTES gets an invalid-request error (-32600), and the server keeps serving.
 * Good lines pass through unchanged.
 */
export function createLineGuard(reply: Reply, maxBytes = MAX_MESSAGE_BYTES): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // inside a line already refused as too long: drop until its newline

  const finishLine = (push: (b: Buffer) => void) => {
    const line = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const text = line.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      reply(rpcError(null, -32700, 'Parse error: the line is not JSON. Send one JSON-RPC message per line.'));
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value) || (value as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
      const id = (value as { id?: unknown } | null)?.id;
      reply(rpcError(typeof id === 'string' || typeof id === 'number' ? id : null, -32600, 'Invalid Request: expected one JSON-RPC 2.0 object ({"jsonrpc": "2.0", ...}).'));
      return;
    }
    push(Buffer.concat([line, Buffer.from('\n')]));
  };

  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); ; nl = chunk.indexOf(10, start)) {
        const end = nl === -1 ? chunk.length : nl;
        if (!skipping) {
          pending.push(chunk.subarray(start, end));
          pendingBytes += end - start;
          if (pendingBytes > maxBytes) {
            pending = [];
            pendingBytes = 0;
            skipping = true;
            reply(rpcError(null, -32600, `Invalid Request: the message is larger than ${maxBytes} bytes, the most dispatch mcp accepts.`));
          }
        }
        if (nl === -1) break;
        if (skipping) skipping = false;
        else finishLine((b) => this.push(b));
        start = nl + 1;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (!skipping && pendingBytes > 0) finishLine((b) => this.push(b));
      callback();
    },
  });
}

function rpcError(id: string | number | null, code: number, message: string): object {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
