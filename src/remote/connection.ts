import { transientError, usageError } from '../errors.js';

/** The queue name when --queue is not given. */
export const DEFAULT_QUEUE = 'dispatch';

type RedisCtor = typeof import('../vendor/queue.js')['Redis'];
export type RedisClient = InstanceType<RedisCtor>;

/** `--redis <url>`: redis:// or rediss:// with a host; anything else is a usage error (exit 2). */
export function checkRedisUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError('REDIS_URL_INVALID', `--redis ${JSON.stringify(url)} is not a URL.`, {
      hint: 'Example: --redis redis://127.0.0.1:6379 (rediss:// for TLS; redis://:password@host:6379/0 with a password).',
    });
  }
  if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
    throw usageError('REDIS_URL_INVALID', `--redis must be a redis:// or rediss:// URL with a host, not ${JSON.stringify(`${u.protocol}//${u.host}`)}.`, {
      hint: 'Example: --redis redis://127.0.0.1:6379',
    });
  }
  return u;
}

/** The URL as it may be shown: never its password. */
export const shownUrl = (u: URL) => `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;

const CONNECT_TIMEOUT_MS = 5000;

/**
 * A connection BullMQ can use (it needs maxRetriesPerRequest null), checked with a PING first: a
 * server that does not answer is REDIS_UNREACHABLE, exit 3 (try again), not a hang.
 */
export async function connectRedis(url: URL): Promise<RedisClient> {
  const { Redis } = await import('../vendor/queue.js');
  const client = new Redis(url.href, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: () => null });
  // An error event with no listener would crash the process; the first one is reported below.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw transientError('REDIS_UNREACHABLE', `Redis at ${shownUrl(url)} did not answer: ${(err as Error).message.replace(/\.+$/, '')}.`, {
      hint: 'Start Redis (or check the host, port and password in --redis), then run the command again.',
    });
  }
  // From here, reconnect as BullMQ expects of a long-lived connection.
  client.options.retryStrategy = (times: number) => Math.min(times * 200, 2000);
  return client;
}
