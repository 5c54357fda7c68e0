/** Query values: arrays repeat the key; null/undefined entries are dropped. */
export type QueryValue = string | number | boolean | null | undefined | Array<string | number | boolean>;

/** Options of one request through the run transport (`ctx.http`). */
export interface HttpRequestOptions {
  method?: string;
  /** Resolved against the client's baseUrl. */
  path?: string;
  /** Absolute URL; wins over `path`. */
  url?: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string | undefined>;
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  /** Raw body; mutually exclusive with `json`. */
  body?: string | Uint8Array;
  timeoutMs?: number;
}

export type HttpMethodOptions = Omit<HttpRequestOptions, 'method' | 'path' | 'url'>;

/** Every status is returned (no throw on 4xx/5xx); body is JSON-parsed when the content type says JSON. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface HttpClient {
  request<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>>;
  get<T = unknown>(path: string, options?: HttpMethodOptions): Promise<HttpResponse<T>>;
  post<T = unknown>(path: string, options?: HttpMethodOptions): Promise<HttpResponse<T>>;
  put<T = unknown>(path: string, options?: HttpMethodOptions): Promise<HttpResponse<T>>;
  patch<T = unknown>(path: string, options?: HttpMethodOptions): Promise<HttpResponse<T>>;
  delete<T = unknown>(path: string, options?: HttpMethodOptions): Promise<HttpResponse<T>>;
  /** A narrower client (own baseUrl/headers) sharing the run's cookie jar and recorder. */
  withDefaults(defaults: { baseUrl?: string; headers?: Record<string, string>; secretHeaders?: string[]; signal?: AbortSignal }): HttpClient;
  /** Returns the response when 2xx, else throws a DispatchError with the status's exit class. */
  ensureOk<T>(response: HttpResponse<T>): HttpResponse<T>;
}

/** One recorded request/response pair, written (redacted) to http.jsonl. */
export type HttpExchange = {
  ts: string;
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  request: { headers: Record<string, string>; body?: unknown };
  /** `bodyOmitted` instead of `body` when the body was too large to record twice (docs/http.md). */
  response?: { headers: Record<string, string>; body?: unknown; bodyOmitted?: { bytes: number; sha256: string } };
  error?: { code: string; message: string };
  /** Step that made the request, when known. */
  stepId?: string;
};

export interface TransportOptions {
  baseUrl?: string;
  /** http.proxy: every request goes through it. */
  proxy?: string;
  /** HTTP_PROXY/HTTPS_PROXY/NO_PROXY as the run's environment has them (either case). */
  proxyEnv?: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
  /** http.tls, as written: PEM file paths (relative to cwd) or PEM text. */
  tls?: { ca?: string; cert?: string; key?: string; insecureSkipVerify?: boolean };
  /** Working folder, for http.tls paths. */
  cwd?: string;
  /** The pool built from proxy/tls (src/http/dispatcher.ts); Node's default when absent. */
  dispatcher?: import('undici').Dispatcher;
  defaultHeaders?: Record<string, string>;
  timeoutMs?: number;
  /** Largest response body read, counted after decompression (DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Aborts in-flight requests (run interruption). */
  signal?: AbortSignal;
  /** Called once per exchange, already redacted. */
  onExchange?: (exchange: HttpExchange) => void;
  /** Redacts a value before it is handed to onExchange. */
  redact?: <T>(value: T) => T;
}
