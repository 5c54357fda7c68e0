import { createServer, type Server } from 'node:http';
import { job, type Sandbox } from './cli.js';
import { closeLoopback, listenLoopback } from './loopback.js';

/*
 * A small suite of job cases against a real loopback API, for job test, its reporters and the
 * HTML report: two cases pass, one runs but breaks an assertion, one gets a 404 (exit 4), one is
 * not a valid job (exit 2), and a seed in the folder is left out of a folder search.
 */

/** The API token the `secret` case sends as a bearer header; no report may contain it. */
export const SUITE_TOKEN = 'suite-tok-5f0c9a7e-never-in-a-report';

export interface SuiteApi {
  url: string;
  close(): Promise<void>;
}

/** GET /ok -> {name: "ok"}; GET /whoami -> {auth: <authorization header>}; anything else -> 404. */
export async function startSuiteApi(): Promise<SuiteApi> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/ok') send(200, { name: 'ok', items: [1, 2, 3] });
      else if (req.url === '/whoami') send(200, { auth: req.headers.authorization ?? null });
      else send(404, { error: 'no such thing' });
    });
  });
  const url = await listenLoopback(server);
  return { url, close: () => closeLoopback(server) };
}

const get = (id: string, path: string, extra: Record<string, unknown> = {}) => ({ id, action: 'http.request', payload: { method: 'GET', path }, ...extra });

/** Writes the suite under <cwd>/jobs; returns the case paths in the order job test sorts them. */
export function writeSuite(box: Sandbox, apiUrl: string): Record<'ok' | 'nested' | 'secret' | 'assertFails' | 'notFound' | 'invalid', string> {
  const http = { baseUrl: apiUrl };
  const okRule = { path: '$.steps.get.response.body.name', op: 'eq', value: 'ok' };
  box.write('jobs/a-ok.job.case.json', job([get('get', '/ok')], { jobType: 'suite-ok', http, assertions: [okRule] }));
  box.write('jobs/sub/b-nested.job.case.json', job([get('get', '/ok'), get('again', '/ok')], { jobType: 'suite-nested', http, assertions: [okRule] }));
  box.write(
    'jobs/c-secret.job.case.json',
    job([{ ...get('me', '/whoami'), credential: 'api' }], {
      jobType: 'suite-secret',
      http,
      credentials: { api: { fromEnv: { token: 'SUITE_API_TOKEN' }, apply: 'bearer' } },
      assertions: [{ path: '$.steps.me.response.status', op: 'eq', value: 200 }],
    }),
  );
  box.write(
    'jobs/d-assert-fails.job.case.json',
    job([get('get', '/ok')], { jobType: 'suite-assert-fails', http, assertions: [okRule, { path: '$.steps.get.response.body.items[0]', op: 'eq', value: 5 }] }),
  );
  box.write('jobs/e-not-found.job.case.json', job([get('get', '/missing'), get('after', '/ok')], { jobType: 'suite-not-found', http }));
  box.write('jobs/f-invalid.job.case.json', { schemaVersion: 1, jobType: 'suite-invalid', scenario: { steps: [{ id: 'x', action: 'nope.missing', payload: {} }] } });
  box.write('jobs/template.job.seed.json', job([get('get', '/ok')], { jobType: 'suite-seed', http }));
  return {
    ok: 'jobs/a-ok.job.case.json',
    secret: 'jobs/c-secret.job.case.json',
    assertFails: 'jobs/d-assert-fails.job.case.json',
    notFound: 'jobs/e-not-found.job.case.json',
    invalid: 'jobs/f-invalid.job.case.json',
    nested: 'jobs/sub/b-nested.job.case.json',
  };
}

/** The env the suite needs: the token the `secret` case sends. */
export const suiteEnv = { SUITE_API_TOKEN: SUITE_TOKEN };
