import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJsonPlaceholder, type JsonPlaceholderHandle } from '../support/jsonplaceholder.js';

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('local jsonplaceholder server', () => {
  let jp: JsonPlaceholderHandle;

  beforeAll(async () => {
    jp = await startJsonPlaceholder();
  });
  afterAll(async () => {
    await jp?.close();
  });

  it('listens on a free loopback port', () => {
    expect(jp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(jp.url).port)).toBeGreaterThan(0);
  });

  it.each([
    ['/users', 10],
    ['/posts', 100],
    ['/comments', 500],
    ['/albums', 100],
    ['/photos', 5000],
    ['/todos', 200],
  ])('GET %s returns %i records', async (path, count) => {
    const { status, body } = await getJson(jp.url + path);
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(count);
    expect(body.map((r: { id: number }) => r.id)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });

  it('serves jsonplaceholder-shaped users', async () => {
    const u1 = await getJson(`${jp.url}/users/1`);
    expect(u1.status).toBe(200);
    expect(u1.body).toMatchObject({
      id: 1,
      name: 'Leanne Graham',
      username: 'Bret',
      email: 'Sincere@april.biz',
      address: {
        street: expect.any(String),
        suite: expect.any(String),
        city: expect.any(String),
        zipcode: expect.any(String),
        geo: { lat: expect.any(String), lng: expect.any(String) },
      },
      phone: expect.any(String),
      website: expect.any(String),
      company: { name: expect.any(String), catchPhrase: expect.any(String), bs: expect.any(String) },
    });
    const u2 = await getJson(`${jp.url}/users/2`);
    expect(u2.body).toMatchObject({ id: 2, name: 'Ervin Howell', username: 'Antonette' });
  });

  it('serves /posts/1', async () => {
    const { status, body } = await getJson(`${jp.url}/posts/1`);
    expect(status).toBe(200);
    expect(body).toEqual({ userId: 1, id: 1, title: expect.any(String), body: expect.any(String) });
  });

  it.each([
    ['/users/1/albums', 10, 'userId', 1],
    ['/albums/1/photos', 50, 'albumId', 1],
    ['/posts/1/comments', 5, 'postId', 1],
    ['/users/1/posts', 10, 'userId', 1],
    ['/users/3/todos', 20, 'userId', 3],
    ['/comments?postId=1', 5, 'postId', 1],
  ])('GET %s returns %i records linked by %s', async (path, count, fk, id) => {
    const { status, body } = await getJson(jp.url + path);
    expect(status).toBe(200);
    expect(body).toHaveLength(count);
    for (const r of body) expect(r[fk]).toBe(id);
  });

  it('POST /posts creates id 101 and returns 201', async () => {
    const res = await fetch(`${jp.url}/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 1, title: 'foo', body: 'bar' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ userId: 1, title: 'foo', body: 'bar', id: 101 });
  });

  it('returns 404 for a missing record', async () => {
    const res = await fetch(`${jp.url}/posts/99999`);
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});

describe('server isolation and shutdown', () => {
  it('two servers started at once do not share writes', async () => {
    const [a, b] = await Promise.all([startJsonPlaceholder(), startJsonPlaceholder()]);
    try {
      expect(a.url).not.toBe(b.url);
      const post = await fetch(`${a.url}/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 2, title: 'only in a' }),
      });
      expect(post.status).toBe(201);
      expect((await post.json()).id).toBe(101);
      const put = await fetch(`${a.url}/users/1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Changed' }),
      });
      expect(put.status).toBe(200);
      await put.arrayBuffer();

      expect((await getJson(`${a.url}/posts`)).body).toHaveLength(101);
      expect((await getJson(`${a.url}/users/1`)).body.name).toBe('Changed');
      expect((await getJson(`${b.url}/posts`)).body).toHaveLength(100);
      expect((await getJson(`${b.url}/posts/101`)).status).toBe(404);
      expect((await getJson(`${b.url}/users/1`)).body.name).toBe('Leanne Graham');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    // A fresh start does not see earlier writes either.
    const c = await startJsonPlaceholder();
    try {
      expect((await getJson(`${c.url}/posts`)).body).toHaveLength(100);
    } finally {
      await c.close();
    }
  });

  it('close() resolves promptly despite keep-alive connections, and the port is then refused', async () => {
    const jp = await startJsonPlaceholder();
    // fetch (undici) keeps the connection alive after this request.
    const res = await fetch(`${jp.url}/users`);
    expect(res.status).toBe(200);
    await res.json();

    const t0 = performance.now();
    await jp.close();
    expect(performance.now() - t0).toBeLessThan(1000);

    // Requests now fail (undici may first report its pooled socket as closed)...
    await expect(fetch(`${jp.url}/users`)).rejects.toThrow();
    // ...and a fresh TCP connection to the port is refused.
    const { hostname, port } = new URL(jp.url);
    const code = await new Promise<string | undefined>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port) });
      socket.once('connect', () => {
        socket.destroy();
        resolve('CONNECTED');
      });
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    expect(code).toBe('ECONNREFUSED');
    // close() is idempotent.
    await jp.close();
  });
});
