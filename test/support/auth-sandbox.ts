import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { installAuthModule, startAuthServer, type AuthServer } from './auth-server.js';
import { sandbox, type Sandbox } from './cli.js';

/**
 * The set-up of the HTTP tests: one loopback auth server for the file, and for each test a fresh
 * sandbox with the auth module installed and the server's request log emptied.
 */
export function authServerSandbox(creds: { username: string; password: string }, o: { inProcess?: boolean } = {}): { readonly server: AuthServer; readonly box: Sandbox } {
  let server: AuthServer | undefined;
  let box: Sandbox | undefined;
  beforeAll(async () => {
    server = await startAuthServer(creds);
  });
  afterAll(() => server?.close());
  beforeEach(() => {
    box = sandbox(undefined, o);
    installAuthModule(box.cwd);
    server!.requests.length = 0;
  });
  afterEach(() => box?.cleanup());
  return {
    get server() {
      return server!;
    },
    get box() {
      return box!;
    },
  };
}
