// In-process properties of loading and validating hostile job files: every input ends in
// "valid" or an exit-2 (or 4: a declared module missing) result whose problems are one line
// and located by a JSON path; nothing crashes, hangs or touches Object.prototype.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidJobError } from '../../src/commands/job/prepare.js';
import { isDispatchError, oneLine } from '../../src/errors.js';
import { loadJobFile, parseJobJson } from '../../src/job/load.js';
import { validateJob } from '../../src/job/validate.js';
import { loadRegistry } from '../../src/modules/loader.js';
import type { Registry } from '../../src/modules/registry.js';
import { BASE_JOB, fromValue, mutate, mutationArb, nested, nodeArb, toJsonText } from './arbitraries.js';
import { expectPrototypesClean, snapshotPrototypes } from './prototypes.js';

let dir: string;
let registry: Registry;
const protos = snapshotPrototypes();
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-prop-'));
  registry = await loadRegistry({ cwd: dir, home: path.join(dir, 'home') });
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  expectPrototypesClean(protos);
});

const ONE_LINE = /^[^\n\r\u2028\u2029]+$/;
const env = { HOME: '/home/x' };

/** Parses and validates as `job validate` does; returns the exit code it would print. */
function check(text: string, kind: 'case' | 'seed' = 'case'): number {
  let raw: unknown;
  try {
    raw = parseJobJson(text, 'h.job.case.json');
  } catch (err) {
    expectInputError(err);
    return 2;
  }
  const v = validateJob(raw, { kind, registry, env });
  expect([0, 2, 4]).toContain(v.exitCode);
  for (const p of v.errors) {
    expect(p.path).toMatch(/^\$/);
    expect(p.message).toMatch(ONE_LINE);
    if (p.exitCode === 4) expect(p.code).toMatch(/MODULE_NOT_FOUND|UNKNOWN_ACTION/);
  }
  if (v.exitCode === 0) {
    expect(v.errors).toEqual([]);
    expect(v.job).toBeDefined();
  } else {
    const e = invalidJobError('h.job.case.json', v);
    expect(e.message).toMatch(ONE_LINE);
    expect(e.message).toContain(`first at ${oneLine(v.errors[0].path)}`);
  }
  expectPrototypesClean(protos);
  return v.exitCode;
}

function expectInputError(err: unknown): void {
  if (!isDispatchError(err)) throw err;
  expect(err.exitCode).toBe(2);
  expect(err.message).toMatch(ONE_LINE);
}

describe('hostile job documents (in process)', () => {
  it('the unmutated base job is valid', () => {
    expect(check(JSON.stringify(BASE_JOB))).toBe(0);
  });

  it('names of Object members are unknown references, never inherited values', () => {
    const steps = [
      { id: 'a', action: 'memory.recall', payload: { namespace: 'ns', key: 'k', default: ['${env.constructor}', '${env.__proto__}', '${run.toString}', '${step.constructor.response}'] } },
    ];
    const v = validateJob({ schemaVersion: 1, jobType: 'x', scenario: { steps } }, { kind: 'case', registry, env });
    expect(v.errors.map((e) => e.code)).toEqual(['ENV_MISSING', 'ENV_MISSING', 'RUN_UNKNOWN', 'STEP_UNKNOWN']);
    expect(v.errors.map((e) => e.path)).toEqual([0, 1, 2, 3].map((i) => `$.scenario.steps[0].payload.default[${i}]`));
  });

  it('random values, wrong types, unknown and prototype keys at random places', () => {
    const base = fromValue(BASE_JOB);
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => {
        check(toJsonText(ms.reduce(mutate, base)));
      }),
      { numRuns: 600 },
    );
  });

  it('random JSON documents of any shape', () => {
    fc.assert(
      fc.property(nodeArb, (n) => void check(toJsonText(n), 'seed')),
      { numRuns: 300 },
    );
  });

  it('deep nesting anywhere is refused, naming the path where it gets too deep', () => {
    const base = fromValue(BASE_JOB);
    fc.assert(
      fc.property(fc.integer({ min: 65, max: 5000 }), fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>, mutationArb, (depth, kind, m) => {
        const marker = '"__DEEP__"';
        const text = toJsonText(mutate(base, { ...m, op: 'replace', value: '__DEEP__' })).replace(marker, nested(depth, kind));
        if (!text.includes('"a":{"a":') && !text.includes('[[[')) return; // the marker replaced the whole job
        expect(check(text)).toBe(2);
        expect(() => parseJobJson(text, 'h.job.case.json')).toThrow(/: \$[^ ]* is nested more than 64 levels/);
      }),
      { numRuns: 60 },
    );
  });

  it('broken JSON text: cut, spliced and garbage-filled files name a line and column', () => {
    const text = JSON.stringify(BASE_JOB, null, 2);
    fc.assert(
      fc.property(fc.nat({ max: text.length }), fc.nat({ max: 20 }), fc.string({ unit: 'binary', maxLength: 8 }), (at, cut, junk) => {
        const broken = text.slice(0, at) + junk + text.slice(Math.min(text.length, at + cut));
        let parsed = true;
        try {
          JSON.parse(broken);
        } catch {
          parsed = false;
        }
        const code = check(broken);
        if (!parsed) {
          expect(code).toBe(2);
          expect(() => parseJobJson(broken, 'h.job.case.json')).toThrow(/line \d+, column \d+/);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('hostile job files on disk (in process)', () => {
  it('invalid UTF-8 bytes and BOMs anywhere end in exit 2 or a valid job', async () => {
    const bytes = Buffer.from(JSON.stringify(BASE_JOB));
    const file = path.join(dir, 'bytes.job.case.json');
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bytes.length }),
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 6 }),
          fc.constantFrom(Uint8Array.of(0xef, 0xbb, 0xbf), Uint8Array.of(0xff, 0xfe), Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xed, 0xa0, 0x80)),
        ),
        fc.boolean(),
        async (at, junk, bom) => {
          const content = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), bytes.subarray(0, at), junk, bytes.subarray(at)]);
          fs.writeFileSync(file, content);
          try {
            const loaded = await loadJobFile(file, dir);
            check(loaded.text.replace(/^\uFEFF/, ''));
          } catch (err) {
            expectInputError(err);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a leading BOM is accepted; one in the middle is a located JSON error', async () => {
    const file = path.join(dir, 'bom.job.case.json');
    fs.writeFileSync(file, `\uFEFF${JSON.stringify(BASE_JOB)}`);
    const loaded = await loadJobFile(file, dir);
    expect(validateJob(loaded.raw, { kind: 'case', registry, env }).exitCode).toBe(0);
    fs.writeFileSync(file, `{"schemaVersion":1,\uFEFF"jobType":"x"}`);
    await expect(loadJobFile(file, dir)).rejects.toMatchObject({ exitCode: 2, code: 'JOB_JSON_INVALID', message: expect.stringMatching(/line 1, column 20/) });
  });
});
