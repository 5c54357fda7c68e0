import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { job } from '../support/cli.js';
import { authServerSandbox } from '../support/auth-sandbox.js';

// `dispatch job report --format junit`: the XML is parsed, checked against the rules of the JUnit
// schema CI systems read (Jenkins junit-10.xsd), and its counts compared with the recorded runs.
// Each step is a testcase and so is each assertion, the expected status ($.status eq SUCCESS) first.

const USER = 'junit-user';
const PASSWORD = 'junit-SECRET-<&>-pass-77a1';
const env = { JUNIT_USER: USER, JUNIT_PASSWORD: PASSWORD };

const ctx = authServerSandbox({ username: USER, password: PASSWORD }, { inProcess: true });

const login = { id: 'login', action: 'auth.login', credential: 'admin', payload: {} };
const credentials = { admin: { fromEnv: { username: 'JUNIT_USER', password: 'JUNIT_PASSWORD' } } };

async function runCase(name: string, steps: unknown[], jobType: string) {
  ctx.box.write(name, job(steps, { jobType, http: { baseUrl: ctx.server.url }, credentials }));
  return ctx.box.json(['job', 'run', '--case', name], { env });
}

describe('dispatch job report --format junit', () => {
  it('reports a passing credentialed run: one testcase per step, no secret in the XML', async () => {
    const run = await runCase('pass.job.case.json', [login, { id: 'me', action: 'auth.me', payload: {} }], 'junit-pass');
    expect(run.code).toBe(0);
    const r = await ctx.box.json(['job', 'report', '--run-id', run.json.runId, '--format', 'junit', '--out', 'reports/junit.xml'], { env });
    const out = path.join(ctx.box.cwd, 'reports/junit.xml');
    expect(r.json).toMatchObject({ command: 'job report', status: 'SUCCESS', exitCode: 0, format: 'junit', runId: run.json.runId, out, suites: 1, tests: 3, failures: 0, errors: 0, skipped: 0 });
    expect(r.json.next[0].command).toBe(`dispatch job assert --run-id ${run.json.runId}`);
    const xml = fs.readFileSync(out, 'utf8');
    const doc = checkJunit(xml);
    expect(doc.attrs).toMatchObject({ tests: '3', failures: '0', errors: '0' });
    const [suite] = doc.suites;
    expect(suite.attrs).toMatchObject({ name: 'junit-pass', tests: '3', failures: '0', errors: '0', skipped: '0' });
    expect(suite.properties).toMatchObject({ runId: run.json.runId, runStatus: 'SUCCESS', casePath: 'pass.job.case.json' });
    expect(suite.cases.map((c) => [c.attrs.name, c.attrs.classname, c.children])).toEqual([
      ['login', 'junit-pass', []],
      ['me', 'junit-pass', []],
      ['assert $.status eq "SUCCESS"', 'junit-pass.assertions', []],
    ]);
    expect(suite.cases.slice(0, 2).map((c) => Number(c.attrs.time))).toEqual(run.json.steps.map((s: { durationMs: number }) => Number((s.durationMs / 1000).toFixed(3))));
    for (const form of [PASSWORD, USER, encodeURIComponent(PASSWORD), '&lt;&amp;&gt;']) expect(xml.includes(form)).toBe(false);

    // Human mode prints the document alone (latest by default), ready to redirect into a file.
    const human = await ctx.box.run(['job', 'report'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(xml);
  });

  it('reports a failing run: <failure> with message, type and details, later steps <skipped/>', async () => {
    const jobType = 'junit <fail> & "quotes"';
    const run = await runCase('fail.job.case.json', [login, { id: 'reject', action: 'auth.status', payload: { code: 422 } }, { id: 'after', action: 'auth.me', payload: {} }], jobType);
    expect(run.json).toMatchObject({ status: 'FAILED', exitCode: 2 });
    const r = await ctx.box.json(['job', 'report', '--run-id', 'latest']);
    // The report of a failed run is still a report: the command succeeds, the verdict is in the counts.
    expect(r.json).toMatchObject({ status: 'SUCCESS', exitCode: 0, passed: false, tests: 4, failures: 2, errors: 0, skipped: 1, next: [] });
    const doc = checkJunit(r.json.xml);
    const [suite] = doc.suites;
    expect(suite.attrs).toMatchObject({ name: jobType, tests: '4', failures: '2', errors: '0', skipped: '1' });
    expect(suite.properties.runStatus).toBe('FAILED');
    const [ok, reject, after, status] = suite.cases;
    expect(status.attrs.name).toBe('assert $.status eq "SUCCESS"');
    expect(status.children[0]).toMatchObject({ tag: 'failure', attrs: { type: 'ASSERTION_FAILED' } });
    expect(status.children[0].text).toContain('actual: "FAILED"');
    expect(ok.children).toEqual([]);
    expect(reject.children.map((c) => c.tag)).toEqual(['failure']);
    const failure = reject.children[0];
    const stepError = run.json.steps[1].error;
    expect(failure.attrs).toEqual({ message: stepError.message, type: stepError.code });
    expect(failure.text).toContain('action: auth.status');
    expect(failure.text).toContain('exit code: 2');
    expect(failure.text).toContain('"status": 422');
    expect(after.children.map((c) => c.tag)).toEqual(['skipped']);
    expect(after.attrs.classname).toBe(jobType);
  });

  it('reports a batch with one testsuite per run; a transient step failure is an <error>', async () => {
    ctx.box.write('modules/flaky/module.json', { name: 'flaky', version: '1.0.0', entry: 'index.mjs' });
    ctx.box.write(
      'modules/flaky/index.mjs',
      `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'flaky', version: '1.0.0', actions: {
  maybe: defineAction({ description: 'run #1 gets a 503', schema: z.object({}), async handler(ctx) {
    const res = await ctx.http.get(ctx.run.index === 1 ? '/status/503' : '/status/200');
    return { response: ctx.http.ensureOk(res).body };
  } }),
} });
`,
    );
    ctx.box.write(
      'batch.job.case.json',
      job(
        [
          { id: 'maybe', action: 'flaky.maybe', payload: {} },
          { id: 'again', action: 'flaky.maybe', payload: {} },
        ],
        { jobType: 'junit-batch', http: { baseUrl: ctx.server.url } },
      ),
    );
    const batch = await ctx.box.json(['job', 'run-many', '--case', 'batch.job.case.json', '--count', '3', '--concurrency', '2']);
    expect(batch.json).toMatchObject({ status: 'FAILED', exitCode: 3, counts: { SUCCESS: 2, FAILED: 1 } });

    const r = await ctx.box.json(['job', 'report', '--batch-id', batch.json.batchId, '--out', 'batch.xml']);
    expect(r.json).toMatchObject({ status: 'SUCCESS', batchId: batch.json.batchId, suites: 3, tests: 9, failures: 1, errors: 1, skipped: 1 });
    expect(r.json.next[0].command).toBe(`dispatch job inspect --run-id ${batch.json.runIds[1]}`);
    const doc = checkJunit(fs.readFileSync(r.json.out, 'utf8'));
    expect(doc.attrs).toMatchObject({ name: `dispatch batch ${batch.json.batchId}`, tests: '9', errors: '1', failures: '1' });
    expect(doc.suites.map((s) => s.attrs.name)).toEqual(['junit-batch #0', 'junit-batch #1', 'junit-batch #2']);
    expect(doc.suites.map((s) => s.properties.runId)).toEqual(batch.json.runIds);
    expect(doc.suites.every((s) => s.properties.batchId === batch.json.batchId)).toBe(true);
    const broken = doc.suites[1].cases;
    expect(broken.map((c) => c.children.map((x) => x.tag))).toEqual([['error'], ['skipped'], ['failure']]);
    expect(broken[0].children[0].attrs.type).toBe('HTTP_STATUS');
    expect(broken[0].children[0].text).toContain('exit code: 3');
  });

  it('refuses what it cannot report, with the exit class of the problem', async () => {
    const none = await ctx.box.json(['job', 'report']);
    expect(none.json).toMatchObject({ status: 'ERROR', exitCode: 4, error: { code: 'RUN_NOT_FOUND' } });
    const format = await ctx.box.json(['job', 'report', '--format', 'tap']);
    expect(format.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'BAD_OPTION' } });
    const both = await ctx.box.json(['job', 'report', '--run-id', 'latest', '--batch-id', 'latest']);
    expect(both.json).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'BAD_OPTION' } });
    const batch = await ctx.box.json(['job', 'report', '--batch-id', 'latest']);
    expect(batch.json).toMatchObject({ status: 'ERROR', exitCode: 4, error: { code: 'BATCH_NOT_FOUND' } });
  });
});

interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

interface Suite {
  attrs: Record<string, string>;
  properties: Record<string, string>;
  cases: XmlNode[];
}

// What junit-10.xsd allows: attributes per element, child elements (in this order where it matters).
const RULES: Record<string, { attrs: string[]; required: string[]; children: string[] }> = {
  testsuites: { attrs: ['name', 'time', 'tests', 'failures', 'disabled', 'errors'], required: [], children: ['testsuite'] },
  testsuite: {
    attrs: ['name', 'tests', 'failures', 'errors', 'group', 'time', 'disabled', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url', 'version'],
    required: ['name', 'tests'],
    children: ['properties', 'testcase', 'system-out', 'system-err'],
  },
  properties: { attrs: [], required: [], children: ['property'] },
  property: { attrs: ['name', 'value'], required: ['name', 'value'], children: [] },
  testcase: { attrs: ['name', 'assertions', 'time', 'classname', 'status', 'group', 'file', 'line'], required: ['name'], children: ['skipped', 'error', 'failure', 'system-out', 'system-err'] },
  skipped: { attrs: ['message'], required: [], children: [] },
  failure: { attrs: ['message', 'type'], required: [], children: [] },
  error: { attrs: ['message', 'type'], required: [], children: [] },
};
const TIME = /^\d+(\.\d{1,3})?$/;

/** Parses the report, checks it against RULES, and returns the testsuites in a handy shape. */
function checkJunit(xml: string): { attrs: Record<string, string>; suites: Suite[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parsed = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: false }).parse(xml);
  const roots = (parsed as Array<Record<string, unknown>>).map(toNode).filter((n): n is XmlNode => n !== null && n.tag !== '?xml');
  expect(roots.map((r) => r.tag)).toEqual(['testsuites']);
  const problems: string[] = [];
  check(roots[0], problems);
  expect(problems).toEqual([]);
  const suites = roots[0].children.map((s) => {
    const props = s.children.find((c) => c.tag === 'properties')?.children ?? [];
    const cases = s.children.filter((c) => c.tag === 'testcase');
    // Counts agree with the testcases they describe.
    const count = (tag: string) => String(cases.filter((c) => c.children.some((x) => x.tag === tag)).length);
    expect({ tests: s.attrs.tests, failures: s.attrs.failures, errors: s.attrs.errors, skipped: s.attrs.skipped }).toEqual({
      tests: String(cases.length),
      failures: count('failure'),
      errors: count('error'),
      skipped: count('skipped'),
    });
    expect(s.attrs.timestamp ?? '2000-01-01T00:00:00').toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    return { attrs: s.attrs, properties: Object.fromEntries(props.map((p) => [p.attrs.name, p.attrs.value])), cases };
  });
  return { attrs: roots[0].attrs, suites };
}

function check(node: XmlNode, problems: string[]): void {
  const rule = RULES[node.tag];
  if (!rule) return void problems.push(`unknown element <${node.tag}>`);
  for (const a of Object.keys(node.attrs)) if (!rule.attrs.includes(a)) problems.push(`<${node.tag}> has attribute ${a}`);
  for (const a of rule.required) if (node.attrs[a] === undefined) problems.push(`<${node.tag}> lacks ${a}`);
  if (node.attrs.time !== undefined && !TIME.test(node.attrs.time)) problems.push(`<${node.tag}> time="${node.attrs.time}"`);
  for (const a of ['tests', 'failures', 'errors', 'skipped']) if (node.attrs[a] !== undefined && !/^\d+$/.test(node.attrs[a])) problems.push(`<${node.tag}> ${a}="${node.attrs[a]}"`);
  let last = -1;
  for (const child of node.children) {
    const at = rule.children.indexOf(child.tag);
    if (at < 0) problems.push(`<${child.tag}> inside <${node.tag}>`);
    if (node.tag === 'testsuite' && at < last) problems.push(`<${child.tag}> out of order in <testsuite>`);
    last = Math.max(last, at);
    check(child, problems);
  }
  if (rule.children.length && node.text.trim()) problems.push(`text inside <${node.tag}>`);
}

function toNode(raw: Record<string, unknown>): XmlNode | null {
  const tag = Object.keys(raw).find((k) => k !== ':@');
  if (!tag || tag === '#text') return null;
  const kids = (raw[tag] as Array<Record<string, unknown>>) ?? [];
  const text = kids
    .filter((k) => '#text' in k)
    .map((k) => String(k['#text']))
    .join('');
  return { tag, attrs: (raw[':@'] as Record<string, string>) ?? {}, children: kids.map(toNode).filter((n): n is XmlNode => n !== null), text };
}
