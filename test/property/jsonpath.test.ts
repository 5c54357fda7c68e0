// In-process properties of JSONPath and the rule evaluator: any expression returns matches or
// one exit-2 JSONPATH_INVALID error; filters and script are refused, never run; results are the
// document's own data, never a prototype or a function.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/engine/conditions.js';
import { checkJsonPathSyntax, queryJsonPath } from '../../src/engine/jsonpath.js';
import { resolvePath } from '../../src/engine/resolve-path.js';
import { isDispatchError } from '../../src/errors.js';
import { RULE_OPS, type Rule } from '../../src/job/schema.js';
import { hostileString, nodeArb, PROTO_KEYS, SCRIPT_PATHS, toJsonText } from './arbitraries.js';
import { expectPrototypesClean, snapshotPrototypes } from './prototypes.js';

const protos = snapshotPrototypes();
afterAll(() => expectPrototypesClean(protos));

const DOC = JSON.parse('{"a":{"b":[1,2,{"c":3}]},"items":[{"id":1,"price":5},{"id":2,"price":50}],"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}');

const segment = fc.oneof(
  fc.constantFrom('.a', '.b', '.c', '.items', '..id', '..*', '[*]', '[0]', '[-1]', '[1:]', '[::2]', '[0,1]', "['a']", '["b"]', '.length', '~', '^', '.*', '..'),
  fc.constantFrom(...PROTO_KEYS).chain((k) => fc.constantFrom(`.${k}`, `['${k}']`, `..${k}`)),
  fc.constantFrom('[?(@.price < 10)]', '[(@.length-1)]', '[?@.id]', "[?(@.constructor.constructor('globalThis.__dispatchPwned = 1')())]", '[', ']', "'", '"', '(', ')', '@', '`', '$', '?', ' '),
  fc.string({ maxLength: 4 }),
);
const jsonPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(segment, { maxLength: 6 }).map((s) => `$${s.join('')}`) },
  { weight: 2, arbitrary: fc.constantFrom(...SCRIPT_PATHS) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constant(`$${'.a'.repeat(1200)}`) },
);

/** Every value returned must be a value found in the document: plain data, never Object.prototype or a function. */
function expectOwnData(v: unknown, depth = 0): void {
  if (v === null || typeof v !== 'object') return expect(typeof v).not.toBe('function');
  expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(v));
  expect(v).not.toBe(Object.prototype);
  if (depth < 50) for (const x of Object.values(v)) expectOwnData(x, depth + 1);
}

function expectInvalidPath(err: unknown): void {
  if (!isDispatchError(err)) throw err;
  expect(err).toMatchObject({ exitCode: 2, code: expect.stringMatching(/^(JSONPATH_INVALID|INVALID_PATH|FORBIDDEN_KEY)$/) });
  expect(err.message).toMatch(/^[^\n\r\u2028\u2029]+$/);
}

describe('JSONPath (in process)', () => {
  it('any expression gives matches of own data or one exit-2 error; no script ever runs', () => {
    fc.assert(
      fc.property(
        jsonPath,
        fc.oneof(
          fc.constant(DOC),
          nodeArb.map((n) => JSON.parse(toJsonText(n)) as unknown),
        ),
        (p, doc) => {
          try {
            const matches = queryJsonPath(doc, p);
            expect(Array.isArray(matches)).toBe(true);
            matches.forEach((m) => expectOwnData(m));
          } catch (err) {
            expectInvalidPath(err);
          }
          expectPrototypesClean(protos);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses every filter and script form before jsonpath-plus sees it', () => {
    for (const p of SCRIPT_PATHS) {
      expect(() => checkJsonPathSyntax(p), p).toThrow(expect.objectContaining({ code: 'JSONPATH_INVALID', exitCode: 2 }));
      expect(() => queryJsonPath(DOC, p), p).toThrow(expect.objectContaining({ code: 'JSONPATH_INVALID' }));
    }
    expectPrototypesClean(protos);
  });

  it('Object members are not found through a path; own "__proto__" data is', () => {
    expect(queryJsonPath({ a: 1 }, '$.constructor')).toEqual([]);
    expect(queryJsonPath({ a: 1 }, '$.toString')).toEqual([]);
    expect(queryJsonPath(DOC, '$.__proto__.polluted')).toEqual([1]);
    expect(resolvePath({ a: 1 }, '$..constructor')).toEqual({ found: false, matches: [] });
  });
});

describe('rules (in process)', () => {
  const rule: fc.Arbitrary<Rule> = fc.record({
    path: fc.oneof(jsonPath, fc.constantFrom('a.b[0]', 'a.b.length', 'items[1].price', 'constructor', '__proto__.x', 'a..b', 'a[x]', 'toString')),
    op: fc.constantFrom(...RULE_OPS),
    value: fc.oneof(
      nodeArb.map((n) => JSON.parse(toJsonText(n)) as unknown),
      fc.constantFrom('[', '(a', '^\\d+$', '.*', 5, [1, 2]),
    ),
  });

  it('evaluate to pass/fail with a one-line message, or one exit-2 error for a bad path', () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), fc.constantFrom('ALL', 'ANY') as fc.Arbitrary<'ALL' | 'ANY'>, (rules, mode) => {
        try {
          const r = evaluateRules(DOC, rules, mode);
          expect(typeof r.pass).toBe('boolean');
          for (const x of r.results) expect(x.message).toMatch(/^[^\n\r\u2028\u2029]*$/);
        } catch (err) {
          expectInvalidPath(err);
        }
        expectPrototypesClean(protos);
      }),
      { numRuns: 500 },
    );
  });
});
