// A loopback API that answers every request with what it received, for redaction tests:
//   POST /login {username, password} -> 200 {ok} when they match, else 401
//   anything else -> 200 {method, url, headers, body}
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  url: string;
  close(): Promise<void>;
}

export async function startEchoServer(creds: { username: string; password: string }): Promise<EchoServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/login' && req.method === 'POST') {
        let sent: { username?: unknown; password?: unknown } = {};
        try {
          sent = JSON.parse(body) as typeof sent;
        } catch {
          /* 401 below */
        }
        return sent.username === creds.username && sent.password === creds.password ? json(200, { ok: true }) : json(401, { error: 'bad login' });
      }
      json(200, { method: req.method, url: req.url, headers: req.headers, body });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A repo-layer module whose action logs in with its credential, then sends the password in a path
 * segment, a query, a form body and a Basic header it builds itself, and answers with the account
 * number as a JSON number. The username is declared non-secret.
 */
export const ACCT_MODULE = `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'acct', version: '1.0.0', actions: {
  whoami: defineAction({
    description: 'log in, then send the password in every form a module might',
    schema: z.strictObject({}),
    credentialSchema: z.object({ username: z.string().meta({ secret: false }), password: z.string(), account: z.string() }),
    async handler(ctx) {
      const { username, password, account } = ctx.credential;
      ctx.http.ensureOk(await ctx.http.post('/login', { json: { username, password } }));
      const basic = Buffer.from(username + ':' + password).toString('base64');
      const path = ctx.http.ensureOk(await ctx.http.get('/p/' + encodeURIComponent(password) + '/raw/' + password, { query: { q: password, sig: basic } }));
      const form = ctx.http.ensureOk(await ctx.http.post('/form', { body: new URLSearchParams({ pw: password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + basic, 'private-token': encodeURIComponent(password) } }));
      ctx.log.info('signed ' + basic + ' for ' + username);
      return { response: { username, accountId: Number(account), ref: Number(account + '7'), pathUrl: path.body.url, formBody: form.body.body, sig: basic } };
    },
  }),
} });
`;
