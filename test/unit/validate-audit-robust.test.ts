import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Problems } from '../../src/job/problems.js';
import { validateJob } from '../../src/job/validate.js';
import { checkPayloadSchema } from '../../src/job/validate-payload.js';
import { builtinModules } from '../../src/modules/builtin/index.js';
import { Registry } from '../../src/modules/registry.js';

// Per-field salvage (audit item 1) reads partial steps and sections: no shape of breakage may make
// validation throw, and a job broken in one place reports that place and nothing made up.

function registry(): Registry {
  const r = new Registry();
  for (const mod of builtinModules) r.addModule({ name: mod.name, version: mod.version, layer: 'builtin', dir: `builtin:${mod.name}`, definition: mod });
  r.addModule({
    name: 'auth',
    version: '1.0.0',
    layer: 'repo',
    dir: '/auth',
    definition: {
      name: 'auth',
      version: '1.0.0',
      actions: {
        login: { description: 'login', schema: z.strictObject({ note: z.string().optional() }), credentialSchema: z.object({ username: z.string() }), handler: async () => ({ response: null }) },
      },
    },
  });
  return r;
}

const sound = {
  schemaVersion: 1,
  jobType: 'robust',
  http: { baseUrl: 'http://127.0.0.1:1', defaultHeaders: { 'x-a': 'b' }, timeoutMs: 1000 },
  credentials: { admin: { fromEnv: { username: 'ROBUST_USER' } } },
  dependencies: { modules: [{ name: 'auth', version: '^1' }], memory: [{ namespace: 'ns', key: 'k' }], http: { required: ['baseUrl'] } },
  inputs: { n: 1 },
  scenario: {
    steps: [
      { id: 'a', action: 'auth.login', credential: 'admin', payload: { note: '${run.n}' }, capture: { c: 'response.x' }, timeoutMs: 10 },
      {
        id: 'p',
        action: 'flow.poll',
        credential: 'admin',
        payload: { action: 'auth.login', payload: {}, conditions: { mode: 'ALL', rules: [{ path: '$.x', op: 'eq', value: '${run.c}' }] }, store: { s: '$.x' } },
      },
      { id: 'b', action: 'flow.sleep', payload: { duration: '${run.c}' } },
    ],
  },
  assertions: [{ path: '$.steps.a.response', op: 'exists' }],
};

/** Every path into the sound job, with the value there. */
function* paths(v: unknown, at: Array<string | number> = []): Generator<Array<string | number>> {
  yield at;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* paths(v[i], [...at, i]);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield* paths(x, [...at, k]);
}

function replaced(path: Array<string | number>, value: unknown): unknown {
  const doc = structuredClone(sound) as Record<string, unknown>;
  if (path.length === 0) return value;
  let cur = doc as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
  return doc;
}

describe('validation of partly broken jobs', () => {
  const env = { ROBUST_USER: 'u' };

  it('the sound job is valid', () => {
    const r = validateJob(sound, { kind: 'case', registry: registry(), env });
    expect(r.errors).toEqual([]);
  });

  it('never throws, whatever part is broken and however', () => {
    const reg = registry();
    let checked = 0;
    for (const path of paths(sound)) {
      for (const bad of [null, 7, 'x y', [], {}, true]) {
        const doc = replaced(path, bad);
        const r = validateJob(doc, { kind: 'case', registry: reg, env });
        checked++;
        expect(r.exitCode, JSON.stringify(path)).not.toBe(1);
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('a broken step field leaves no false reference errors in later steps', () => {
    const reg = registry();
    for (const field of ['id', 'action', 'credential', 'timeoutMs', 'description']) {
      const r = validateJob(replaced(['scenario', 'steps', 0, field], { bad: true }), { kind: 'case', registry: reg, env });
      const later = r.errors.filter((e) => /^\$\.scenario\.steps\[[12]\]/.test(e.path) || e.path.startsWith('$.assertions'));
      expect({ field, later }).toEqual({ field, later: [] });
    }
  });
});

describe('payload schema checks around interpolated values (item 3)', () => {
  const check = (schema: z.ZodType, payload: unknown) => {
    const problems = new Problems();
    checkPayloadSchema(schema, payload, ['payload'], problems, registry());
    return problems.errors.map((e) => [e.code, e.path]);
  };

  it('a refine or union that may hold once the value is known waits; one that cannot is reported', () => {
    const range = z.strictObject({ min: z.number(), max: z.number() }).refine((v) => v.min <= v.max, 'min > max');
    expect(check(range, { min: '${run.a}', max: 1 })).toEqual([]);
    expect(check(range, { min: '${run.a}', max: 'x' })).toEqual([['SCHEMA', '$.payload.max']]);
    const shape = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('a'), n: z.number() }), z.strictObject({ kind: z.literal('b'), s: z.string() })]);
    expect(check(shape, { kind: '${run.k}', n: 1 })).toEqual([]);
    const either = z.union([z.strictObject({ n: z.number() }), z.strictObject({ s: z.string() })]);
    expect(check(either, { n: '${run.n}' })).toEqual([]);
    expect(check(either, { n: '${run.n}', typo: 1 })).toEqual([['UNKNOWN_KEY', '$.payload.typo']]);
  });

  it('an escaped $${ is literal text, and is checked like any string', () => {
    expect(check(z.strictObject({ n: z.number() }), { n: '$${x}' })).toEqual([['SCHEMA', '$.payload.n']]);
  });
});
