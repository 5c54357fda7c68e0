import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { TransportOptions } from './types.js';

/**
 * The connection pool for a run that needs more than Node's default: a proxy (the job's
 * http.proxy, else HTTP_PROXY/HTTPS_PROXY/NO_PROXY from the run's environment) or TLS settings
 * (http.tls). Built with the npm undici of the same major version as the one inside Node, whose
 * fetch takes it as its dispatcher; loaded only for such runs, so the common path pays nothing.
 */
export async function createDispatcher(o: TransportOptions): Promise<Dispatcher | undefined> {
  const env = o.proxyEnv ?? {};
  const envProxy = env.httpProxy || env.httpsProxy;
  if (!o.proxy && !envProxy && !o.tls) return undefined;
  const undici = await import('../vendor/undici.js');
  const connect = o.tls ? tlsOptions(o.tls, o.cwd ?? process.cwd()) : undefined;
  if (o.proxy) return new undici.ProxyAgent({ uri: o.proxy, ...(connect ? { requestTls: connect } : {}) });
  if (envProxy) {
    // TLS settings apply to the target whether it is reached through the proxy (requestTls, inside
    // the CONNECT tunnel) or directly because NO_PROXY names it (connect).
    const options = { httpProxy: env.httpProxy, httpsProxy: env.httpsProxy, noProxy: env.noProxy, ...(connect ? { connect, requestTls: connect } : {}) };
    return withoutWarning('UNDICI-EHPA', () => new undici.EnvHttpProxyAgent(options));
  }
  return new undici.Agent({ connect });
}

/**
 * undici marks EnvHttpProxyAgent experimental with a process warning on first use, which Node
 * prints to the user's stderr on every proxied run. The agent is pinned by our lockfile and
 * covered by tests, so that one warning (by its code) is dropped while the agent is built.
 */
function withoutWarning<T>(code: string, build: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const opts = rest[0] as { code?: string } | string | undefined;
    const got = typeof opts === 'object' ? opts?.code : rest[1];
    if (got === code) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return build();
  } finally {
    process.emitWarning = emit;
  }
}

function tlsOptions(tls: NonNullable<TransportOptions['tls']>, cwd: string) {
  const pem = (v: string | undefined) => (v === undefined ? undefined : v.includes('-----BEGIN ') ? v : readFileSync(path.resolve(cwd, v), 'utf8'));
  const ca = pem(tls.ca);
  return {
    // A CA is trusted besides the system ones (and NODE_EXTRA_CA_CERTS), not instead of them.
    ...(ca ? { ca: [...rootCertificates, ca] } : {}),
    ...(tls.cert ? { cert: pem(tls.cert) } : {}),
    ...(tls.key ? { key: pem(tls.key) } : {}),
    ...(tls.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  };
}
