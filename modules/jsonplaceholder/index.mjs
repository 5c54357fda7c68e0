// Example repo module over https://jsonplaceholder.typicode.com (or any server with its shape).
// Every request goes through ctx.http with a relative path, so the job's http.baseUrl decides
// which server answers: the public service by default, a local json-server in tests and the demo.
import { defineAction, defineModule, z } from 'dispatchkit';

const id = (what) => z.number().int().positive().describe(`${what} id`);
const limit = z.number().int().positive().max(5000).optional().describe('Return at most this many items');

/** Sends one request and returns the body of a 2xx answer; other statuses throw with their exit class. */
async function call(ctx, method, path, options = {}) {
  const res = await ctx.http.request({ method, path, ...options });
  return ctx.http.ensureOk(res).body;
}

/** A list action's result: the items as the response, their count and ids as exports. */
function listResult(items) {
  const list = Array.isArray(items) ? items : [];
  return { response: list, exports: { count: list.length, ids: list.map((item) => item.id) } };
}

const listExports = z.object({ count: z.number(), ids: z.array(z.number()) });

function listAction(description, schema, pathOf, queryOf = (p) => ({ _limit: p.limit })) {
  return defineAction({
    description,
    schema,
    exports: listExports,
    async handler(ctx, p) {
      return listResult(await call(ctx, 'GET', pathOf(p), { query: queryOf(p) }));
    },
  });
}

const getUser = defineAction({
  description: 'Fetch one user by id',
  schema: z.strictObject({ userId: id('User') }),
  exports: z.object({ userId: z.number(), name: z.string(), username: z.string(), email: z.string() }),
  async handler(ctx, p) {
    const user = await call(ctx, 'GET', `/users/${p.userId}`);
    return { response: user, exports: { userId: user.id, name: user.name, username: user.username, email: user.email } };
  },
});

const getPost = defineAction({
  description: 'Fetch one post by id',
  schema: z.strictObject({ postId: id('Post') }),
  exports: z.object({ postId: z.number(), userId: z.number(), title: z.string() }),
  async handler(ctx, p) {
    const post = await call(ctx, 'GET', `/posts/${p.postId}`);
    return { response: post, exports: { postId: post.id, userId: post.userId, title: post.title } };
  },
});

const createPost = defineAction({
  description: 'Create a post for a user (the public service answers with id 101 and stores nothing)',
  schema: z.strictObject({ title: z.string().min(1), body: z.string(), userId: id('Author user') }),
  exports: z.object({ createdId: z.number() }),
  async handler(ctx, p) {
    const post = await call(ctx, 'POST', '/posts', { json: { title: p.title, body: p.body, userId: p.userId } });
    return { response: post, exports: { createdId: post.id } };
  },
});

const updatePost = defineAction({
  description: 'Change the title and/or body of a post (PATCH)',
  schema: z.strictObject({ postId: id('Post'), title: z.string().min(1).optional(), body: z.string().optional() }),
  async handler(ctx, { postId, ...changes }) {
    return { response: await call(ctx, 'PATCH', `/posts/${postId}`, { json: changes }) };
  },
});

const deletePost = defineAction({
  description: 'Delete a post',
  schema: z.strictObject({ postId: id('Post') }),
  async handler(ctx, p) {
    await call(ctx, 'DELETE', `/posts/${p.postId}`);
    return { response: { deleted: true, postId: p.postId } };
  },
});

export default defineModule({
  name: 'jsonplaceholder',
  version: '0.2.0',
  description: 'Example module for the JSONPlaceholder API',
  actions: {
    'list-users': listAction('List users', z.strictObject({ limit }), () => '/users'),
    'get-user': getUser,
    'list-posts': listAction(
      'List posts, optionally of one user; offset skips that many posts first',
      z.strictObject({ userId: id('Author user').optional(), offset: z.number().int().nonnegative().optional(), limit }),
      () => '/posts',
      (p) => ({ userId: p.userId, _start: p.offset, _limit: p.limit ?? (p.offset !== undefined ? 10 : undefined) }),
    ),
    'get-post': getPost,
    'create-post': createPost,
    'update-post': updatePost,
    'delete-post': deletePost,
    'list-user-posts': listAction('List the posts of a user', z.strictObject({ userId: id('User'), limit }), (p) => `/users/${p.userId}/posts`),
    'list-post-comments': listAction('List the comments on a post', z.strictObject({ postId: id('Post'), limit }), (p) => `/posts/${p.postId}/comments`),
    'list-user-albums': listAction('List the albums of a user', z.strictObject({ userId: id('User'), limit }), (p) => `/users/${p.userId}/albums`),
    'list-album-photos': listAction('List the photos in an album', z.strictObject({ albumId: id('Album'), limit }), (p) => `/albums/${p.albumId}/photos`),
    'list-user-todos': listAction(
      'List the todos of a user, optionally only done or open ones',
      z.strictObject({ userId: id('User'), completed: z.boolean().optional(), limit }),
      (p) => `/users/${p.userId}/todos`,
      (p) => ({ completed: p.completed, _limit: p.limit }),
    ),
  },
});
