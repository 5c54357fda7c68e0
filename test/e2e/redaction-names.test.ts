import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, readRunFiles, sandbox, type CliResult, type Sandbox } from '../support/cli.js';
import { installProbeModule, startEchoServer, type EchoServer } from '../support/redaction-server.js';

// Issue 14: a credential value equal to part of a name (username `admin`, jobType `admin-whoami`,
// step id `login-admin`) must be masked as data and leave every name alone, so assert, replay and
// the JUnit report still find the steps they name.

const USER = 'admin';
const PASSWORD = 'S3cret"pass/77';
const env = { REDACT_USER: USER, REDACT_PASSWORD: PASSWORD };
const NAMES = ['admin-whoami', 'login-admin', 'admin_name', 'admin-creds', '$.steps.login-admin.response.username', '$.run.admin_name'];

let server: EchoServer;
let box: Sandbox;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.close());
beforeEach(() => {
  box = sandbox('dispatch-redact-names-', { inProcess: true });
  installProbeModule(box.cwd);
});
afterEach(() => box.cleanup());

function whoamiJob(
  assertions: unknown[] = [
    { path: '$.steps.login-admin.response.username', op: 'exists' },
    { path: '$.run.admin_name', op: 'exists' },
  ],
) {
  return job([{ id: 'login-admin', action: 'probe.whoami', credential: 'admin-creds', payload: {}, capture: { admin_name: 'response.username' } }], {
    jobType: 'admin-whoami',
    http: { baseUrl: server.url },
    credentials: { 'admin-creds': { fromEnv: { username: 'REDACT_USER', password: 'REDACT_PASSWORD' } } },
    assertions,
  });
}

/** The text with every name (as written, JSON-escaped and XML-escaped) cut out: what is left is data. */
function dataOnly(text: string): string {
  let out = text;
  for (const name of [...NAMES].sort((a, b) => b.length - a.length)) out = out.split(name).join('<name>');
  return out;
}

function expectNoSecretData(where: string, text: string): void {
  const data = dataOnly(text);
  for (const secret of [USER, PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), encodeURIComponent(PASSWORD), Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]) {
    expect({ where, secret, found: data.includes(secret) }).toEqual({ where, secret, found: false });
  }
}

describe('redaction keeps names', () => {
  it('masks the username as data while jobType, step ids, capture names and rule paths survive run, assert, replay and report', async () => {
    // The file name holds the username too: file names are names.
    box.write('admin-whoami.job.case.json', whoamiJob());
    const outputs: Array<[string, CliResult]> = [];
    const validate = await box.run(['job', 'validate', '--case', 'admin-whoami.job.case.json'], { env });
    outputs.push(['validate', validate]);
    expect(validate.code).toBe(0);
    expect(validate.stdout + validate.stderr).toContain('admin-whoami.job.case.json');
    const run = await box.json(['job', 'run', '--case', 'admin-whoami.job.case.json'], { env });
    outputs.push(['run --json', run]);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'SUCCESS', jobType: 'admin-whoami', steps: [{ id: 'login-admin', action: 'probe.whoami', status: 'SUCCESS' }] });
    // The server really got the username: the Basic header carried it.
    expect(server.received.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);

    const human = await box.run(['job', 'run', '--case', 'admin-whoami.job.case.json'], { env });
    outputs.push(['run', human]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('admin-whoami');
    expect(human.stdout).toContain('login-admin');

    const files = readRunFiles(run.json.runDir);
    const summary = JSON.parse(files['summary.json']);
    expect(summary).toMatchObject({ jobType: 'admin-whoami', steps: [{ id: 'login-admin' }], run: { admin_name: '[REDACTED]' } });
    expect(summary.casePath).toMatch(/admin-whoami\.job\.case\.json$/);
    const [step] = readJsonl(path.join(run.json.runDir, 'steps.jsonl'));
    expect(step).toMatchObject({ id: 'login-admin', action: 'probe.whoami', response: { username: '[REDACTED]' } });
    expect(files['activity.log']).toContain('job admin-whoami');
    expect(files['activity.log']).toContain('step 1 login-admin (probe.whoami)');
    const resolved = JSON.parse(files['job.case.resolved.json']);
    expect(Object.keys(resolved.credentials)).toEqual(['admin-creds']);
    expect(resolved.credentials['admin-creds'].fromEnv).toEqual({ username: 'REDACT_USER', password: 'REDACT_PASSWORD' });
    expect(JSON.parse(files['job.case.input.json']).jobType).toBe('admin-whoami');

    const assert = await box.json(['job', 'assert', '--run-id', run.json.runId], { env });
    outputs.push(['assert', assert]);
    expect(assert.json).toMatchObject({ status: 'SUCCESS', exitCode: 0 });

    const replay = await box.json(['job', 'replay', '--run-id', run.json.runId], { env });
    outputs.push(['replay', replay]);
    expect(replay.json).toMatchObject({ status: 'SUCCESS', exitCode: 0, jobType: 'admin-whoami', steps: [{ id: 'login-admin', status: 'SUCCESS' }] });

    const report = await box.json(['job', 'report', '--run-id', run.json.runId, '--format', 'junit'], { env });
    outputs.push(['report', report]);
    expect(report.json.status).toBe('SUCCESS');
    expect(report.json.xml).toContain('<testcase name="login-admin" classname="admin-whoami"');
    expect(report.json.xml).toMatch(/name="casePath" value="[^"]*admin-whoami\.job\.case\.json"/);

    for (const [label, r] of outputs) {
      expectNoSecretData(`${label} stdout`, r.stdout);
      expectNoSecretData(`${label} stderr`, r.stderr);
    }
    for (const dir of fs.readdirSync(box.output).filter((n) => !n.startsWith('.'))) {
      for (const [name, text] of Object.entries(readRunFiles(path.join(box.output, dir)))) expectNoSecretData(`${dir}/${name}`, text);
    }
  });

  it('a rule that compares against a redacted value fails with a clear message instead of passing', async () => {
    box.write('whoami.job.case.json', whoamiJob([{ path: '$.steps.login-admin.response.username', op: 'eq', value: 'admin' }]));
    const run = await box.json(['job', 'run', '--case', 'whoami.job.case.json'], { env });
    expect(run.code).toBe(0);
    const assert = await box.json(['job', 'assert', '--run-id', run.json.runId], { env });
    expect(assert.code).toBe(2);
    expect(assert.json.status).toBe('FAILED');
    expect(JSON.stringify(assert.json)).toContain('cannot be checked offline');
    expect(JSON.stringify(assert.json)).toContain('$.steps.login-admin.response.username');
  });
});
