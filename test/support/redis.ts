import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A real redis-server on a free loopback port, no persistence, for one test file. */
export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Resolves once the server answers PING (an event, not a sleep: each try waits for the answer or a refusal). */
async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('error', () => resolve(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      s.destroy();
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  while (!(await answers(port))) {
    if (exited) throw new Error('redis-server exited: is the Debian package redis-server installed? (.ci/run installs it)');
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await new Promise((r) => setImmediate(r));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Every key and value in the server, as text, to scan for what must never be stored there. */
export async function dumpRedis(port: number): Promise<string> {
  const { Redis } = await import('ioredis');
  const r = new Redis({ port, host: '127.0.0.1' });
  try {
    const out: string[] = [];
    for (const key of await r.keys('*')) {
      out.push(key);
      const type = await r.type(key);
      if (type === 'string') out.push((await r.getBuffer(key))?.toString('latin1') ?? '');
      else if (type === 'hash') out.push(JSON.stringify(await r.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await r.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await r.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await r.zrange(key, 0, -1)));
      else if (type === 'stream') out.push(JSON.stringify(await r.xrange(key, '-', '+')));
    }
    return out.join('\n');
  } finally {
    r.disconnect();
  }
}
