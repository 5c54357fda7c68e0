// Typed test helper: a local, offline stand-in for https://jsonplaceholder.typicode.com.
// Each call starts an independent in-memory json-server on a free loopback port.
import { startJsonPlaceholder as start } from '../../scripts/jsonplaceholder/server.mjs';

export interface JsonPlaceholderHandle {
  /** Base URL without trailing slash, e.g. 'http://127.0.0.1:43123'. */
  url: string;
  close(): Promise<void>;
}

export async function startJsonPlaceholder(): Promise<JsonPlaceholderHandle> {
  const server = await start({ port: 0, host: '127.0.0.1', quiet: true });
  return { url: server.url, close: () => server.close() };
}
