import { ensureOk } from './status.js';
import type { HttpClient, HttpMethodOptions, HttpRequestOptions, TransportOptions } from './types.js';

/**
 * An HttpClient that loads undici and the cookie jar only on the first request, so runs that
 * never touch HTTP (flow/memory jobs, replays) skip that start-up cost entirely.
 */
export function lazyTransport(options: TransportOptions): HttpClient {
  let real: Promise<HttpClient> | undefined;
  const root = () =>
    (real ??= (async () => {
      const [{ createTransport }, { createDispatcher }] = await Promise.all([import('./transport.js'), import('./dispatcher.js')]);
      return createTransport(options, await createDispatcher(options));
    })());
  return derive(root);
}

function derive(get: () => Promise<HttpClient>): HttpClient {
  const method = (m: string) => (path: string, opts?: HttpMethodOptions) => get().then((c) => c.request({ ...opts, method: m, path }));
  return {
    request: (opts: HttpRequestOptions) => get().then((c) => c.request(opts)),
    get: method('GET'),
    post: method('POST'),
    put: method('PUT'),
    patch: method('PATCH'),
    delete: method('DELETE'),
    withDefaults(defaults) {
      let child: Promise<HttpClient> | undefined;
      return derive(() => (child ??= get().then((c) => c.withDefaults(defaults))));
    },
    ensureOk,
  } as HttpClient;
}
