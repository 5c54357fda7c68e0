export interface JsonPlaceholderOptions {
  /** Port to listen on; 0 (default) picks a free port. */
  port?: number;
  /** Host/interface to bind; default '127.0.0.1'. */
  host?: string;
  /** Suppress json-server's request logger; default true. */
  quiet?: boolean;
}

export interface JsonPlaceholderServer {
  /** Base URL without trailing slash, e.g. 'http://127.0.0.1:43123'. */
  url: string;
  port: number;
  /** Stop listening and destroy open (keep-alive) connections. Idempotent. */
  close(): Promise<void>;
}

export declare function startJsonPlaceholder(options?: JsonPlaceholderOptions): Promise<JsonPlaceholderServer>;
