// The same hostile job files, through the built binary: `job validate` and `job run` print one
// JSON document and exit 0 or 2 (4 only for something genuinely missing), with a one-line
// error that says where; never exit 1, a crash, a hang or a stack trace. Spawning costs about
// 200 ms a sample, so this is a small fixed-seed set; the in-process tests cover the breadth.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox, type CliResult, type Sandbox } from '../support/cli.js';
import { fromValue, hostileString, mutate, mutationArb, nested, toJsonText } from './arbitraries.js';

let box: Sandbox;
beforeAll(() => {
  box = sandbox('dispatch-prop-cli-');
});
afterAll(() => box.cleanup());

// No flow.poll or flow.sleep here: a mutated duration could legitimately run for hours.
const CLI_JOB = {
  schemaVersion: 1,
  jobType: 'hostile-cli',
  inputs: { name: 'x' },
  scenario: {
    steps: [
      { id: 'a', action: 'memory.recall', payload: { namespace: 'ns', key: 'k', default: { id: 7, items: [{ v: 1 }] } }, capture: { got: 'response.id' } },
      { id: 'b', action: 'memory.recall', payload: { namespace: 'ns', key: 'k2', default: 'run ${run.name} ${run.got} $${literal}' } },
      { id: 'c', action: 'memory.recall', payload: { namespace: 'ns', key: 'k3', default: '${jsonpath(step:a, $.items[0].v)}' } },
    ],
  },
  assertions: [{ path: '$.steps.a.response.id', op: 'eq', value: 7 }],
};
const base = fromValue(CLI_JOB);
const marker = (text: string, replacement: string) => text.replace('"__HOSTILE__"', replacement);
const at = <T>(m: fc.Arbitrary<T>) => mutationArb.map((x) => mutate(base, { ...x, op: 'replace', value: '__HOSTILE__' })).chain((n) => m.map((v) => [toJsonText(n), v] as const));

const hostileFile: fc.Arbitrary<Buffer> = fc.oneof(
  fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((ms) => Buffer.from(toJsonText(ms.reduce(mutate, base)))),
  at(hostileString).map(([t, s]) => Buffer.from(marker(t, JSON.stringify(s)))),
  at(fc.tuple(fc.integer({ min: 65, max: 4000 }), fc.constantFrom('array' as const, 'object' as const))).map(([t, [d, k]]) => Buffer.from(marker(t, nested(d, k)))),
  fc.tuple(fc.nat({ max: 400 }), fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.boolean()).map(([i, junk, bom]) => {
    const text = Buffer.from(JSON.stringify(CLI_JOB));
    return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), text.subarray(0, i), Buffer.from(junk), text.subarray(i)]);
  }),
);

const STACK = /\n\s+at .+:\d+:\d+/;

function expectContract(r: CliResult, what: string): void {
  expect(r.json, `${what}: stdout is one JSON document`).toBeDefined();
  expect([0, 2, 4], `${what} exit`).toContain(r.code);
  expect(r.json.exitCode).toBe(r.code);
  expect(r.stderr).not.toMatch(STACK);
  if (r.code === 4) expect(r.json.error.code).toMatch(/NOT_FOUND/);
  if (r.code !== 0) {
    expect(r.json.error.message).toMatch(/^[^\n\r\u2028\u2029]+$/);
    // Located: a JSON path, a line and column, or (for whole-file problems) the file itself.
    expect(r.json.error.message).toMatch(/\$|line \d+, column \d+|h\.job\.case\.json/);
  }
}

describe('hostile job files through the built CLI (fixed seed)', () => {
  it('validate and run end in 0 or 2 with a located one-line error', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileFile, async (content) => {
        fs.writeFileSync(path.join(box.cwd, 'h.job.case.json'), content);
        const validate = await box.run(['job', 'validate', '--case', 'h.job.case.json', '--json']);
        expectContract(validate, 'validate');
        const run = await box.run(['job', 'run', '--case', 'h.job.case.json', '--json']);
        expectContract(run, 'run');
        if (validate.code !== 0) expect(run.code).toBe(validate.code);
        if (run.code === 0) expect(fs.readdirSync(run.json.runDir)).toHaveLength(8);
        if (process.env.DISPATCH_FUZZ_LOG) fs.appendFileSync(process.env.DISPATCH_FUZZ_LOG, `${run.code} ${run.json.error?.code ?? ''} ${run.json.error?.message?.slice(0, 150) ?? ''}\n`);
      }),
      // DISPATCH_FUZZ_SEED / DISPATCH_FUZZ_RUNS explore further without changing the default set.
      { seed: Number(process.env.DISPATCH_FUZZ_SEED ?? 20240611), numRuns: Number(process.env.DISPATCH_FUZZ_RUNS ?? 25), endOnFailure: true },
    );
  });
});
