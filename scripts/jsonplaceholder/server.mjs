// In-process local stand-in for https://jsonplaceholder.typicode.com, built on json-server 0.17.
//
//   import { startJsonPlaceholder } from './scripts/jsonplaceholder/server.mjs';
//   const jp = await startJsonPlaceholder();   // free port on 127.0.0.1
//   await fetch(`${jp.url}/users/1`);
//   await jp.close();
//
// As a script:  node scripts/jsonplaceholder/server.mjs [--port 3999] [--host 127.0.0.1] [--verbose]
//
// The database is an in-memory object (lowdb Memory adapter): nothing is ever written to disk,
// and every start gets a fresh copy, so writes in one server never leak into another.
import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateJsonPlaceholderData } from './data.mjs';

const require = createRequire(import.meta.url);
const jsonServer = require('json-server');
// Serve json-server's own bundled homepage rather than whatever ./public the cwd happens to hold.
const STATIC_DIR = path.join(path.dirname(require.resolve('json-server/package.json')), 'public');

/**
 * Start a jsonplaceholder-compatible server.
 * @param {{ port?: number, host?: string, quiet?: boolean }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startJsonPlaceholder({ port = 0, host = '127.0.0.1', quiet = true } = {}) {
  const app = jsonServer.create();
  const router = jsonServer.router(generateJsonPlaceholderData());
  app.use(jsonServer.defaults({ logger: !quiet, noCors: false, static: STATIC_DIR }));
  app.use(router);

  const sockets = new Set();
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host);
    s.once('listening', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  /** @type {Promise<void> | undefined} */
  let closing;
  const close = () => {
    closing ??= new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Drop idle and in-flight keep-alive connections so close() resolves promptly.
      if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });
    return closing;
  };

  return { url: `http://${urlHost}:${boundPort}`, port: boundPort, close };
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

function parseArgs(argv) {
  const opts = { port: 3999, host: '127.0.0.1', quiet: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--port' || flag === '-p') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid --port: ${arg}`);
      opts.port = n;
    } else if (flag === '--host' || flag === '-H') {
      opts.host = value();
    } else if (flag === '--verbose' || flag === '-v') {
      opts.quiet = false;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: node scripts/jsonplaceholder/server.mjs [--port 3999] [--host 127.0.0.1] [--verbose]\n');
      process.exit(0);
    } else {
      throw new Error(`unknown argument: ${arg}`);
    }
  }
  return opts;
}

if (isMain()) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const jp = await startJsonPlaceholder(opts);
    process.stdout.write(`jsonplaceholder listening on ${jp.url}\n`);
    const shutdown = () => {
      jp.close().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`jsonplaceholder: close failed: ${err?.message ?? err}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (err) {
    process.stderr.write(`jsonplaceholder: ${err?.message ?? err}\n`);
    process.exit(1);
  }
}
