import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installAuthModule, startAuthServer, type AuthServer } from '../support/auth-server.js';
import { job, readJsonl, readRunFiles, sandbox, type Sandbox } from '../support/cli.js';
import { ACCT_MODULE, startEchoServer, type EchoServer } from '../support/echo-server.js';

// DESIGN 14: redaction masks secret values and never the job's structure; and it works on data
// before serialising, so every document stays valid whatever the secret looks like.

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-redact-structure-', { inProcess: true });
});
afterEach(() => box.cleanup());

/** Text with the job's own names taken out, so what is left can be searched for the secret. */
const withoutNames = (text: string, names: string[]) => names.sort((a, b) => b.length - a.length).reduce((t, n) => t.split(n).join(''), text);

describe('a credential value inside the job names (username "admin")', () => {
  let server: AuthServer;
  beforeAll(async () => {
    server = await startAuthServer({ username: 'admin', password: 'hunter2-Secret' });
  });
  afterAll(() => server.close());

  it('keeps jobType, step ids and rule paths whole, so assert, replay and JUnit work, and still masks the value as data', async () => {
    installAuthModule(box.cwd);
    box.write(
      'jobs/w.job.case.json',
      job(
        [
          { id: 'login-admin', action: 'auth.login', credential: 'ops', payload: {} },
          { id: 'whoami-admin', action: 'auth.me', payload: {} },
        ],
        {
          jobType: 'admin-whoami',
          http: { baseUrl: server.url },
          credentials: { ops: { fromEnv: { username: 'W_USER', password: 'W_PASS' } } },
          assertions: [{ path: "$.steps['whoami-admin'].response.authenticated", op: 'eq', value: true }],
        },
      ),
    );
    const env = { W_USER: 'admin', W_PASS: 'hunter2-Secret' };
    const run = await box.json(['job', 'run', '--case', 'jobs/w.job.case.json'], { env });
    expect(run.code).toBe(0);
    expect(run.json.jobType).toBe('admin-whoami');
    expect(run.json.steps.map((s: { id: string }) => s.id)).toEqual(['login-admin', 'whoami-admin']);
    const files = readRunFiles(run.json.runDir);
    const summary = JSON.parse(files['summary.json']);
    expect(summary.jobType).toBe('admin-whoami');
    expect(summary.steps.map((s: { id: string }) => s.id)).toEqual(['login-admin', 'whoami-admin']);
    expect(files['activity.log']).toContain('step 1 login-admin (auth.login)');
    const steps = readJsonl(path.join(run.json.runDir, 'steps.jsonl'));
    expect(steps[1].response).toEqual({ authenticated: true, username: '[REDACTED]' });

    const human = await box.run(['job', 'run', '--case', 'jobs/w.job.case.json'], { env });
    expect(human.stdout).toContain('admin-whoami');
    expect(human.stdout).toContain('login-admin');

    const assert = await box.json(['job', 'assert', '--run-id', run.json.runId], { env });
    expect(assert.code).toBe(0);
    expect(assert.json.status).toBe('SUCCESS');
    const replay = await box.json(['job', 'replay', '--run-id', run.json.runId], { env });
    expect(replay.code, replay.stdout).toBe(0);
    expect(replay.json.status).toBe('SUCCESS');
    const report = await box.json(['job', 'report', '--run-id', run.json.runId], { env });
    expect(report.code).toBe(0);
    expect(report.json.xml).toContain('name="admin-whoami"');
    expect(report.json.xml).toContain('login-admin');

    // Outside the names, "admin" (and the password) appear nowhere.
    const names = ['admin-whoami', 'login-admin', 'whoami-admin'];
    for (const [where, text] of [
      ...Object.entries(files),
      ['run stdout', run.stdout],
      ['human', human.stdout + human.stderr],
      ['assert', assert.stdout],
      ['replay', replay.stdout],
      ['report', report.stdout],
    ]) {
      const rest = withoutNames(text, names);
      expect({ where, admin: rest.includes('admin'), password: text.includes('hunter2-Secret') }).toEqual({ where, admin: false, password: false });
    }
  });
});

describe('a password in every encoding a module produces, a numeric account id, a non-secret username', () => {
  const USER = 'operator-7';
  const PASSWORD = 'p@ss:/[w]$&+,;= "rd\\x';
  const ACCOUNT = '48213';
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer({ username: USER, password: PASSWORD });
  });
  afterAll(() => server.close());

  /** The forms the password can take on the way out, computed independently of the redactor. */
  function forms(): string[] {
    const pathEncoded = new URL(`http://h/${PASSWORD}`).pathname.slice(1);
    const query = new URL(`http://h/?q=${PASSWORD}`).search.slice(3);
    const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const list = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      encodeURIComponent(PASSWORD).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams({ p: PASSWORD }).toString().slice(2),
      pathEncoded,
      query,
      basic,
    ];
    return [...new Set([...list, ...list.map((f) => JSON.stringify(f).slice(1, -1))])];
  }

  it('masks each form everywhere, keeps the username and every name, and every JSON output parses', async () => {
    box.write('modules/acct/module.json', { name: 'acct', version: '1.0.0', entry: 'index.mjs' });
    box.write('modules/acct/index.mjs', ACCT_MODULE);
    box.write(
      'jobs/a.job.case.json',
      job([{ id: 'whoami-48213', action: 'acct.whoami', credential: 'acct', payload: {} }], {
        jobType: 'acct-48213-check',
        http: { baseUrl: server.url },
        credentials: { acct: { fromEnv: { username: 'A_USER', password: 'A_PASS', account: 'A_ACCOUNT' } } },
      }),
    );
    const env = { A_USER: USER, A_PASS: PASSWORD, A_ACCOUNT: ACCOUNT };
    const outputs: Array<[string, string]> = [];
    const run = await box.json(['job', 'run', '--case', 'jobs/a.job.case.json'], { env });
    expect(run.code).toBe(0);
    expect(run.json.jobType).toBe('acct-48213-check');
    outputs.push(['run --json', run.stdout + run.stderr]);
    const runId = run.json.runId;
    for (const args of [
      ['job', 'inspect', '--run-id', runId, '--step', 'whoami-48213'],
      ['job', 'dump', '--run-id', runId],
      ['job', 'readable', '--run-id', runId],
      ['job', 'list'],
    ]) {
      const j = await box.json(args, { env });
      expect(j.code, args.join(' ')).toBe(0);
      outputs.push([`${args.join(' ')} --json`, j.stdout + j.stderr]);
      const h = await box.run(args, { env });
      outputs.push([args.join(' '), h.stdout + h.stderr]);
      // Human-mode dump is the document itself, for redirecting into a file: still valid JSON.
      // A longer number that merely contains the secret's digits is data, and stays a number.
      if (args[1] === 'dump') expect(JSON.parse(h.stdout).steps[0].response).toMatchObject({ accountId: '[REDACTED]', ref: Number(`${ACCOUNT}7`) });
    }
    const human = await box.run(['job', 'run', '--case', 'jobs/a.job.case.json'], { env });
    outputs.push(['run', human.stdout + human.stderr]);

    const inspect = await box.json(['job', 'inspect', '--run-id', runId, '--step', 'whoami-48213'], { env });
    const response = inspect.json.step?.response ?? readJsonl(path.join(run.json.runDir, 'steps.jsonl'))[0].response;
    expect(response.username).toBe(USER);
    expect(response.accountId).toBe('[REDACTED]');
    expect(response.sig).toBe('[REDACTED]');

    const files = readRunFiles(run.json.runDir);
    for (const [name, text] of Object.entries(files)) {
      if (name.endsWith('.json')) expect(() => JSON.parse(text), name).not.toThrow();
      if (name.endsWith('.jsonl')) for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line), name).not.toThrow();
      outputs.push([name, text]);
    }
    expect(JSON.parse(files['summary.json']).steps[0].id).toBe('whoami-48213');
    expect(files['activity.log']).toContain(`signed [REDACTED] for ${USER}`);
    for (const [where, text] of outputs) {
      for (const form of forms()) expect({ where, form, found: text.includes(form) }).toEqual({ where, form, found: false });
      expect({ where, account: new RegExp(`(?<!\\d)${ACCOUNT}(?!\\d)`).test(withoutNames(text, ['acct-48213-check', 'whoami-48213'])) }).toEqual({ where, account: false });
    }
  });
});
