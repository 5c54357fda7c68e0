import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../../src/http/transport.js';
import { echo, sendJson, startServer, type TestServer } from './_server.js';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, body, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/posts/1') return sendJson(res, 200, { id: 1, title: 'hello' });
    if (path.startsWith('/status/')) return sendJson(res, Number(path.slice(8)), { error: 'nope' });
    if (path === '/bad-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{not json');
    }
    if (path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('plain words');
    }
    if (path === '/empty') {
      res.writeHead(204);
      return res.end();
    }
    if (path === '/multi') {
      res.writeHead(200, [
        ['x-multi', 'a'],
        ['x-multi', 'b'],
        ['X-Upper', 'yes'],
      ]);
      return res.end();
    }
    return echo(req, body, res);
  });
});

afterAll(() => server.close());

describe('createTransport requests', () => {
  it('parses JSON responses and lowercases headers', async () => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.get<{ id: number; title: string }>('/posts/1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 1, title: 'hello' });
    expect(res.headers['content-type']).toContain('application/json');
    expect(Object.keys(res)).toEqual(['status', 'headers', 'body']);
  });

  it('sends json bodies with a JSON content type', async () => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.post<Echo>('/echo', { json: { name: 'Ada', tags: ['x'] } });
    expect(res.body.method).toBe('POST');
    expect(res.body.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.body)).toEqual({ name: 'Ada', tags: ['x'] });
  });

  it('sends raw bodies untouched', async () => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.put<Echo>('/echo', { body: 'a=1&b=2', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res.body.body).toBe('a=1&b=2');
    expect(res.body.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('repeats array query keys and drops null/undefined', async () => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.get<Echo>('/echo', { query: { tag: ['a', 'b'], page: 2, draft: false, skip: null, gone: undefined } });
    expect(res.body.url).toBe('/echo?tag=a&tag=b&page=2&draft=false');
  });

  it('joins baseUrl with leading-slash and bare paths, and lets an absolute url win', async () => {
    const http = createTransport({ baseUrl: `${server.url}/api` });
    expect((await http.get<Echo>('/posts/1')).body.url).toBe('/api/posts/1');
    expect((await http.get<Echo>('posts/1')).body.url).toBe('/api/posts/1');
    const trailing = createTransport({ baseUrl: `${server.url}/api/` });
    expect((await trailing.get<Echo>('/posts')).body.url).toBe('/api/posts');
    const abs = await http.request<Echo>({ path: '/ignored', url: `${server.url}/direct?x=1`, query: { y: 2 } });
    expect(abs.body.url).toBe('/direct?x=1&y=2');
  });

  it('narrows baseUrl with withDefaults', async () => {
    const http = createTransport({ baseUrl: `${server.url}/api` });
    expect((await http.withDefaults({ baseUrl: '/v2' }).get<Echo>('/users')).body.url).toBe('/api/v2/users');
    expect((await http.withDefaults({ baseUrl: `${server.url}/other` }).get<Echo>('/users')).body.url).toBe('/other/users');
  });

  it('applies default headers, per-request overrides and removals', async () => {
    const http = createTransport({ baseUrl: server.url, defaultHeaders: { 'X-Team': 'core', Accept: 'application/json', 'X-Drop': 'me' } });
    const res = await http.get<Echo>('/echo', { headers: { accept: 'text/plain', 'x-drop': undefined } });
    expect(res.body.headers['x-team']).toBe('core');
    expect(res.body.headers.accept).toBe('text/plain');
    expect(res.body.headers['x-drop']).toBeUndefined();

    const scoped = http.withDefaults({ headers: { 'X-Scope': 'narrow', 'X-Team': 'edge' } });
    const scopedRes = await scoped.delete<Echo>('/echo');
    expect(scopedRes.body.method).toBe('DELETE');
    expect(scopedRes.body.headers['x-scope']).toBe('narrow');
    expect(scopedRes.body.headers['x-team']).toBe('edge');
    expect((await http.get<Echo>('/echo')).body.headers['x-scope']).toBeUndefined();
  });

  it('returns 4xx and 5xx without throwing', async () => {
    const http = createTransport({ baseUrl: server.url });
    const notFound = await http.get('/status/404');
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({ error: 'nope' });
    expect((await http.patch('/status/500')).status).toBe(500);
  });

  it('keeps invalid JSON as text, reads text bodies, and maps empty bodies to null', async () => {
    const http = createTransport({ baseUrl: server.url });
    expect((await http.get('/bad-json')).body).toBe('{not json');
    expect((await http.get('/text')).body).toBe('plain words');
    const empty = await http.get('/empty');
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('joins repeated response headers', async () => {
    const http = createTransport({ baseUrl: server.url });
    const res = await http.get('/multi');
    expect(res.headers['x-multi']).toBe('a, b');
    expect(res.headers['x-upper']).toBe('yes');
  });
});
