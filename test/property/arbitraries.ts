// Generators of hostile input shared by the property tests. Job documents are built as a tree
// whose objects are entry lists, then serialised by hand: that is the only way to put
// `__proto__` keys and duplicate keys into the JSON text, exactly as an attacker's file would.
import fc from 'fast-check';

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** JSONPath filters and script forms that must be refused, never run. */
export const SCRIPT_PATHS = [
  "$..[?(@.constructor.constructor('globalThis.__dispatchPwned = 1')())]",
  "$[?(@.constructor.constructor('return process')().exit(7))]",
  '$..[?(@.price < 10)]',
  '$[(@.length-1)]',
  "$[?(@property === 'a' && (globalThis.__dispatchPwned = 1))]",
  '$.a[?@.b]',
  "$['a']['(globalThis.__dispatchPwned = 1)']",
  '$..[?(this.constructor.constructor("globalThis.__dispatchPwned = 1")())]',
];

const WEIRD = [
  '',
  ' ',
  '\uFEFF',
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\u2028',
  '\n',
  '\r\n',
  '"',
  '\\',
  '}',
  '{',
  '$',
  '$$',
  '.',
  '..',
  '[',
  ']',
  '[0]',
  '[-1]',
  'length',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

/** Pieces of `${...}` syntax, glued at random: unterminated, nested, escaped and unknown references. */
export const TEMPLATE_PIECES = [
  '${',
  '$${',
  '${${',
  '}',
  '}}',
  '$',
  '{',
  '${env.HOME}',
  '${env.UNSET_VAR_X}',
  '${env.UNSET_VAR_X:-fallback}',
  '${env.A:-${env.B}}',
  '${run.index}',
  '${run.nope}',
  '${run.index.__proto__}',
  '${run.x.constructor.name}',
  '${run.a[0].b}',
  '${run.a[x]}',
  '${run.}',
  '${step.a.response}',
  '${step.a.response.__proto__.polluted}',
  '${step.a.exports.constructor}',
  '${step.a.response[0]}',
  '${step.zz.response.id}',
  '${step.a.response.toString}',
  '${step.a.response.length}',
  '${jsonpath(step:a, $.id)}',
  '${jsonpathAll(step:a, $..*)}',
  '${jsonpath(step:a, $[)}',
  `\${jsonpath(step:a, ${SCRIPT_PATHS[0]})}`,
  '${jsonpath(step:a, $..[?(@.x)])}',
  '${ env.HOME }',
  '${ENV.HOME}',
  '${process.exit}',
  '${this}',
  '${}',
  '${\n}',
  'plain',
  ' text ',
  '\u0000',
  '\uD800',
  '"quoted"',
  "'single'",
  '(',
  ')',
  '[',
  ']',
];

/** Any string an attacker might write where the job expects text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...WEIRD, ...PROTO_KEYS, ...SCRIPT_PATHS) },
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...TEMPLATE_PIECES), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.constantFrom(100_000, 300_000).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.nat({ max: 20 }).map((n) => '${'.repeat(n) + '}'.repeat(n)) },
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom('id', 'action', 'payload', 'steps', 'scenario', 'capture', 'http', 'inputs', 'schemaVersion', 'jobType', '$schema', 'sceanrio', 'paylaod') },
  { weight: 3, arbitrary: hostileString.filter((s) => s.length < 1000) },
);

/** A JSON document as written: objects are ordered entry lists (duplicates and `__proto__` allowed). */
type Node = null | boolean | number | string | Node[] | { entries: Array<[string, Node]> };

export const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 2 ** 53, 1e308, -0)),
    hostileString,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('node')), { maxLength: 4 }).map((entries) => ({ entries })),
  ),
})).node;

export function fromValue(v: unknown): Node {
  if (Array.isArray(v)) return v.map(fromValue);
  if (v !== null && typeof v === 'object') return { entries: Object.entries(v).map(([k, x]) => [k, fromValue(x)]) };
  return v as Node;
}

export function toJsonText(n: Node): string {
  if (Array.isArray(n)) return `[${n.map(toJsonText).join(',')}]`;
  if (n !== null && typeof n === 'object') return `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  return JSON.stringify(n) ?? 'null';
}

interface Mutation {
  path: number[];
  op: 'replace' | 'insert' | 'delete' | 'wrap';
  value: Node;
  key: string;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat({ max: 50 }), { maxLength: 8 }),
  op: fc.constantFrom('replace', 'insert', 'delete', 'wrap'),
  value: nodeArb,
  key: hostileKey,
});

/** Applies one mutation at the place `path` leads to (indexes wrap around at every level). */
export function mutate(root: Node, m: Mutation): Node {
  const go = (n: Node, depth: number): Node => {
    const children = Array.isArray(n) ? n : n !== null && typeof n === 'object' ? n.entries.map((e) => e[1]) : [];
    if (depth < m.path.length && children.length > 0) {
      const i = m.path[depth] % children.length;
      if (Array.isArray(n)) return n.map((c, j) => (j === i ? go(c, depth + 1) : c));
      const obj = n as { entries: Array<[string, Node]> };
      return { entries: obj.entries.map(([k, c], j) => [k, j === i ? go(c, depth + 1) : c] as [string, Node]) };
    }
    return applyHere(n, m);
  };
  return go(root, 0);
}

function applyHere(n: Node, m: Mutation): Node {
  if (m.op === 'replace') return m.value;
  if (m.op === 'wrap') return m.path.length % 2 ? [n] : { entries: [[m.key, n]] };
  if (Array.isArray(n)) return m.op === 'insert' ? [...n, m.value] : n.slice(1);
  if (n !== null && typeof n === 'object') return { entries: m.op === 'insert' ? [...n.entries, [m.key, m.value]] : n.entries.slice(1) };
  return m.op === 'insert' ? m.value : null;
}

/** `depth` levels of arrays or objects around a value, as text (JSON.parse copes; our walkers must refuse). */
export function nested(depth: number, kind: 'array' | 'object', inner = '1'): string {
  return kind === 'array' ? '['.repeat(depth) + inner + ']'.repeat(depth) : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

/** A valid job touching most of the schema: inputs, http, credentials, captures, poll, assertions. */
export const BASE_JOB = {
  $schema: '../schemas/job-case.schema.json',
  schemaVersion: 1,
  jobType: 'hostile-base',
  description: 'base document the property tests mutate',
  inputs: { name: 'x', count: 2, nested: { a: [1, 2] } },
  scenario: {
    steps: [
      { id: 'a', action: 'memory.recall', payload: { namespace: 'ns', key: 'k', default: { id: 7, items: [{ v: 1 }] } }, capture: { got: 'response.id' } },
      { id: 'b', action: 'memory.recall', payload: { namespace: 'ns', key: 'k2', default: 'run ${run.name} ${run.got} $${literal}' } },
      {
        id: 'c',
        action: 'flow.poll',
        payload: {
          action: 'memory.recall',
          payload: { namespace: 'ns', key: 'k3', default: { ok: true } },
          intervalMs: 1,
          maxDurationMs: 1000,
          conditions: { mode: 'ALL', rules: [{ path: '$.ok', op: 'eq', value: true }] },
          store: { ok: '$.ok' },
        },
      },
      { id: 'd', action: 'memory.recall', payload: { namespace: 'ns', key: 'k4', default: '${jsonpath(step:a, $.items[0].v)}' } },
    ],
  },
  assertions: [{ path: '$.steps.a.response.id', op: 'eq', value: 7 }],
};
