import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { job, readJsonl, readRunFiles, sandbox, type CliResult, type Sandbox } from '../support/cli.js';
import { installProbeModule, startEchoServer, type EchoServer } from '../support/redaction-server.js';

// Secrets nobody declared as credentials: values of sensitive env vars a job reads, well-known
// token shapes and URL userinfo passwords; and a numeric secret that comes back as a JSON number.

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWRhY3Rpb24ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const GHP = 'ghp_0123456789abcdefghijABCDEFGHIJklmnop';
const ENV_TOKEN = 'env-read-tok-5521';
const USERINFO_PW = 'userinfo-pw-8812';

let server: EchoServer;
let box: Sandbox;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.close());
beforeEach(() => {
  box = sandbox('dispatch-redact-shapes-');
  installProbeModule(box.cwd);
});
afterEach(() => box.cleanup());

function everything(r: CliResult[], runDir: string): Array<[string, string]> {
  return [
    ...r.flatMap(
      (x, i): Array<[string, string]> => [
        [`out ${i}`, x.stdout],
        [`err ${i}`, x.stderr],
      ],
    ),
    ...Object.entries(readRunFiles(runDir)),
  ];
}

describe('redaction of undeclared secrets', () => {
  it('masks sensitive env reads, token shapes and userinfo passwords in every artifact and output', async () => {
    const note = `jwt ${JWT} gh ${GHP} env \${env.SHAPES_API_TOKEN} url https://bob:${USERINFO_PW}@example.com/x password=hunter2222`;
    box.write('shapes.job.case.json', job([{ id: 'echo-shapes', action: 'probe.echo', payload: { note } }], { jobType: 'shapes', http: { baseUrl: server.url } }));
    const env = { SHAPES_API_TOKEN: ENV_TOKEN };
    const run = await box.json(['job', 'run', '--case', 'shapes.job.case.json'], { env });
    expect(run.json).toMatchObject({ status: 'SUCCESS', jobType: 'shapes' });
    // The values really went out.
    expect(server.received.at(-1)?.body).toContain(ENV_TOKEN);
    const human = await box.run(['job', 'run', '--case', 'shapes.job.case.json'], { env });
    const inspect = await box.run(['job', 'inspect', '--run-id', run.json.runId, '--step', 'echo-shapes'], { env });
    for (const [where, text] of everything([run, human, inspect], run.json.runDir)) {
      for (const secret of [JWT, GHP, ENV_TOKEN, USERINFO_PW, 'hunter2222']) expect({ where, secret, found: text.includes(secret) }).toEqual({ where, secret, found: false });
    }
    const [step] = readJsonl(path.join(run.json.runDir, 'steps.jsonl'));
    expect(step.payload.note).toBe('jwt [REDACTED] gh [REDACTED] env [REDACTED] url https://bob:[REDACTED]@example.com/x password=[REDACTED]');
    // The input file is the file as read, still valid JSON, with the ${env.X} reference kept.
    const input = JSON.parse(fs.readFileSync(path.join(run.json.runDir, 'job.case.input.json'), 'utf8'));
    expect(input.scenario.steps[0].payload.note).toContain('${env.SHAPES_API_TOKEN}');
    expect(input.scenario.steps[0].payload.note).toContain('https://bob:[REDACTED]@example.com');
  });

  it('a numeric secret that comes back as a number keeps --json, the record and the dump valid JSON', async () => {
    box.write(
      'num.job.case.json',
      job([{ id: 'echo-num', action: 'probe.echo', payload: { note: '${env.NUM_ACCOUNT_KEY}' }, capture: { accountId: 'response.asNumber' } }], {
        jobType: 'numeric-secret',
        http: { baseUrl: server.url },
      }),
    );
    const env = { NUM_ACCOUNT_KEY: '48213' };
    const run = await box.json(['job', 'run', '--case', 'num.job.case.json'], { env });
    expect(run.json).toMatchObject({ status: 'SUCCESS', exitCode: 0 });
    expect(run.stdout).not.toContain('48213');
    const summary = JSON.parse(fs.readFileSync(run.json.summaryPath, 'utf8'));
    expect(summary.run.accountId).toBe('[REDACTED]');
    const [step] = readJsonl(path.join(run.json.runDir, 'steps.jsonl'));
    expect(step.response.asNumber).toBe('[REDACTED]');
    for (const [name, text] of Object.entries(readRunFiles(run.json.runDir))) expect({ name, found: text.includes('48213') }).toEqual({ name, found: false });
    const dump = await box.json(['job', 'dump', '--run-id', run.json.runId], { env });
    expect(dump.json.status).toBe('SUCCESS');
    expect(dump.stdout).not.toContain('48213');
  });
});
