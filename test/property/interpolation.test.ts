// In-process properties of `${...}` templates: any string parses or fails with one exit-2
// error; escapes round-trip; evaluation returns plain JSON data or an exit-2 error naming the
// location, and never reads inherited properties or writes to a prototype.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { interpolate, type Scope } from '../../src/engine/interpolate.js';
import { parseTemplate } from '../../src/engine/template.js';
import { isDispatchError } from '../../src/errors.js';
import { hostileString, PROTO_KEYS, SCRIPT_PATHS, TEMPLATE_PIECES } from './arbitraries.js';
import { expectPrototypesClean, snapshotPrototypes } from './prototypes.js';

const protos = snapshotPrototypes();
afterAll(() => expectPrototypesClean(protos));

const ONE_LINE = /^[^\n\r\u2028\u2029]+$/;

// Step responses as a hostile server would send them: parsed JSON with own `__proto__` keys.
const scope: Scope = {
  env: { HOME: '/home/x', EMPTY: '', A: 'a' },
  run: { index: 0, name: 'n', a: [{ b: 1 }], x: JSON.parse('{"__proto__":{"polluted":true},"y":2}') },
  steps: {
    a: { response: JSON.parse('{"id":1,"items":[{"v":1},{"v":2}],"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'), exports: { n: 1 } },
    b: { response: 'text', exports: {} },
  },
};

function expectInputError(err: unknown): void {
  if (!isDispatchError(err)) throw err;
  expect(err.exitCode).toBe(2);
  expect(err.message).toMatch(ONE_LINE);
}

/** Nothing but plain JSON data: no functions, no prototype objects, no class instances. */
function expectPlainJson(v: unknown, depth = 0): void {
  expect(depth).toBeLessThan(300);
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return;
  expect(typeof v).toBe('object');
  expect([Object.prototype, Array.prototype, null]).toContain(Object.getPrototypeOf(v));
  expect(v).not.toBe(Object.prototype);
  expect(v).not.toBe(Array.prototype);
  for (const x of Object.values(v as object)) expectPlainJson(x, depth + 1);
}

const refPath = fc.array(
  fc.oneof(
    fc.constantFrom(...PROTO_KEYS, 'id', 'items', 'v', 'length', 'toString', '0', 'y', 'polluted', 'prototype'),
    fc.nat({ max: 3 }).map((n) => `[${n}]`),
  ),
  { maxLength: 4 },
);
const reference: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('HOME', 'EMPTY', 'UNSET', 'A', '__proto__', 'constructor', 'toString').chain((n) =>
    fc.oneof(
      fc.constant(`env.${n}`),
      hostileString.map((f) => `env.${n}:-${f.replace(/}/g, '')}`),
    ),
  ),
  fc.tuple(fc.constantFrom('index', 'name', 'a', 'x', 'nope', '__proto__', 'constructor'), refPath).map(([n, p]) => `run.${n}${p.map((s) => (s.startsWith('[') ? s : `.${s}`)).join('')}`),
  fc.tuple(fc.constantFrom('a', 'b', 'zz'), fc.constantFrom('response', 'exports'), refPath).map(([id, f, p]) => `step.${id}.${f}${p.map((s) => (s.startsWith('[') ? s : `.${s}`)).join('')}`),
  fc
    .tuple(
      fc.constantFrom('jsonpath', 'jsonpathAll'),
      fc.constantFrom('a', 'b', 'zz'),
      fc.constantFrom('$', '$.id', '$..v', '$.items[*].v', '$.__proto__', '$.constructor.prototype', '$..*', '$[', ...SCRIPT_PATHS),
    )
    .map(([f, id, p]) => `${f}(step:${id}, ${p})`),
);
const template = fc
  .array(
    fc.oneof(
      reference.map((r) => `\${${r}}`),
      fc.constantFrom(...TEMPLATE_PIECES),
      fc.string({ maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((a) => a.join(''));

describe('template parsing (in process)', () => {
  it('any string parses, or fails with one exit-2 INTERPOLATION_SYNTAX error', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, template), (s) => {
        try {
          const t = parseTemplate(s);
          if (t === null) expect(s.includes('${')).toBe(false);
        } catch (err) {
          expectInputError(err);
          expect((err as { code: string }).code).toBe('INTERPOLATION_SYNTAX');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('escaping every "${" as "$${" gives back the literal text', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, template), (s) => {
        const t = parseTemplate(s.replaceAll('${', () => '$${'));
        if (t === null) {
          expect(s.includes('${')).toBe(false);
          return;
        }
        expect(t.parts.every((p) => typeof p === 'string')).toBe(true);
        expect(t.parts.join('')).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('interpolation (in process)', () => {
  it('resolves to plain JSON data or fails with an exit-2 error naming the location', () => {
    fc.assert(
      fc.property(template, (s) => {
        try {
          const out = interpolate({ deep: [{ value: s }] }, scope, '$.scenario.steps[3].payload');
          expectPlainJson(out);
        } catch (err) {
          expectInputError(err);
          const e = err as { code: string; message: string };
          if (e.code === 'REFERENCE_UNRESOLVED') expect(e.message).toContain('$.scenario.steps[3].payload.deep[0].value');
        }
        expectPrototypesClean(protos);
      }),
      { numRuns: 1000 },
    );
  });

  it('a whole-string reference keeps its JSON type; anything around it makes a string', () => {
    expect(interpolate('${run.a}', scope, '$')).toEqual([{ b: 1 }]);
    expect(interpolate('${step.a.response.id}', scope, '$')).toBe(1);
    expect(interpolate('x${step.a.response.id}', scope, '$')).toBe('x1');
    expect(interpolate('$${run.a}', scope, '$')).toBe('${run.a}');
  });

  it('prototype members are never reachable: refused by name, or simply not found', () => {
    for (const expr of ['${run.x.constructor}', '${step.a.response.__proto__}', '${run.a.prototype}']) {
      expect(() => interpolate(expr, scope, '$.p')).toThrow(expect.objectContaining({ exitCode: 2, code: 'FORBIDDEN_KEY' }));
    }
    for (const expr of ['${run.name.toString}', '${step.a.response.hasOwnProperty}', '${run.a.valueOf}']) {
      expect(() => interpolate(expr, scope, '$.p')).toThrow(expect.objectContaining({ exitCode: 2, code: 'REFERENCE_UNRESOLVED' }));
    }
    expectPrototypesClean(protos);
  });

  it('payload keys are copied as data: a "__proto__" key stays an own property', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":"${run.name}"},"a":{"constructor":{"prototype":{"polluted":1}}}}');
    const out = interpolate(payload, scope, '$.payload') as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"n"},"a":{"constructor":{"prototype":{"polluted":1}}}}');
    expectPrototypesClean(protos);
  });
});
