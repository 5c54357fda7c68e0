// DESIGN 14, proven by scanning: a generated secret (URL and JSON syntax, spaces, digits-only,
// non-ASCII) is a credential of a real run against a loopback server that echoes it back in body,
// headers, path, query, form and Basic forms; the job's names are made of the secret's own pieces.
// Then every artifact, every printed line (human and --json), dump, the export archive, the JUnit
// report and the MCP job_run answer are searched for every encoding of the secret, and the names
// must come out whole. Fixed seed (DISPATCH_FUZZ_SEED to vary it); each sample spawns ~15 processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipSafe } from '../../src/util/zip-read.js';
import { binPath, job, readRunFiles, sandbox, type Sandbox } from '../support/cli.js';
import { ACCT_MODULE, startEchoServer, type EchoServer } from '../support/echo-server.js';

const USER = 'scan-operator';
const SPECIALS = ['@', ':', '/', '[', ']', '$', '&', '+', ',', ';', '=', ' ', '"', '\\', '%', '?', '#', 'é', '€'];

const secretArb = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), fc.constantFrom(...SPECIALS)), { minLength: 8, maxLength: 20 })
    .map((cs) => `k${cs.join('')}`),
  fc.integer({ min: 100_000, max: 99_999_999 }).map(String),
);

/** Names of the job built from pieces of the secret (allowed characters only). */
function namesFrom(secret: string, cut: number): { jobType: string; stepId: string; capture: string } {
  const safe = secret.replace(/[^A-Za-z0-9_-]/g, '') || 'x';
  const piece = safe.slice(cut % safe.length, (cut % safe.length) + 5) || safe;
  return { jobType: `job-${piece}-${secret.slice(0, 3)}`, stepId: `step-${piece}`, capture: `c_${piece.replace(/-/g, '_')}` };
}

/** Every form of the secret a leak could take, computed independently of the redactor. */
function formsOf(secret: string): string[] {
  const basic = Buffer.from(`${USER}:${secret}`).toString('base64');
  const list = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ p: secret }).toString().slice(2),
    new URL(`http://h/${secret.replace(/[?#]/g, '')}`).pathname.slice(1),
    basic,
  ];
  return [...new Set([...list, ...list.map((f) => JSON.stringify(f).slice(1, -1))])].filter((f) => f.length >= 4);
}

let server: EchoServer | undefined;
let current = '';
beforeAll(async () => {
  // The echo server checks the password of the sample at hand.
  server = await startEchoServer({
    username: USER,
    get password() {
      return current;
    },
  });
});
afterAll(() => server?.close());

describe('a generated secret never leaves in any encoding, and names stay whole', () => {
  it('scans artifacts, human and --json output, dump, export, JUnit and MCP', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, fc.nat(), async (secret, cut) => {
        current = secret;
        const box = sandbox('dispatch-redact-scan-');
        try {
          await scan(box, secret, namesFrom(secret, cut));
        } finally {
          box.cleanup();
        }
      }),
      { seed: Number(process.env.DISPATCH_FUZZ_SEED ?? 20261204), numRuns: Number(process.env.DISPATCH_FUZZ_RUNS ?? 5), endOnFailure: true },
    );
  });
});

async function scan(box: Sandbox, secret: string, names: { jobType: string; stepId: string; capture: string }): Promise<void> {
  box.write('modules/acct/module.json', { name: 'acct', version: '1.0.0', entry: 'index.mjs' });
  box.write('modules/acct/index.mjs', ACCT_MODULE);
  box.write('jobs/p.job.case.json', job([{ id: names.stepId, action: 'acct.whoami', credential: 'acct', payload: {}, capture: { [names.capture]: 'response.pathUrl' } }], {
    jobType: names.jobType,
    http: { baseUrl: server!.url },
    credentials: { acct: { fromEnv: { username: 'S_USER', password: 'S_PASS', account: 'S_ACCOUNT' } } },
    assertions: [{ path: `$.run.${names.capture}`, op: 'exists' }],
  }));
  const env = { S_USER: USER, S_PASS: secret, S_ACCOUNT: '7' };
  const seen: Array<[string, string]> = [];
  const run = await box.json(['job', 'run', '--case', 'jobs/p.job.case.json'], { env });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.json.jobType).toBe(names.jobType);
  expect(run.json.steps[0].id).toBe(names.stepId);
  seen.push(['run --json', run.stdout + run.stderr]);
  const runId: string = run.json.runId;

  const commands = [
    ['job', 'run', '--case', 'jobs/p.job.case.json'],
    ['job', 'inspect', '--run-id', runId, '--step', names.stepId],
    ['job', 'dump', '--run-id', runId],
    ['job', 'readable', '--run-id', runId],
    ['job', 'assert', '--run-id', runId],
    ['job', 'report', '--run-id', runId],
    ['job', 'list'],
  ];
  for (const args of commands) {
    const human = await box.run(args, { env });
    seen.push([args.join(' '), human.stdout + human.stderr]);
    if (args[1] === 'run') continue;
    const j = await box.json(args, { env });
    expect(j.code, `${args.join(' ')}: ${j.stdout}`).toBe(0);
    seen.push([`${args.join(' ')} --json`, j.stdout + j.stderr]);
    if (args[1] === 'report') expect(j.json.xml).toContain(`name="${names.jobType}"`);
  }

  const files = readRunFiles(run.json.runDir);
  expect(JSON.parse(files['summary.json']).jobType).toBe(names.jobType);
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('.json')) JSON.parse(text);
    if (name.endsWith('.jsonl')) text.split('\n').filter(Boolean).forEach((l) => JSON.parse(l));
    seen.push([name, text]);
  }

  const zip = path.join(box.root, 'run.zip');
  const exported = await box.json(['job', 'export', '--run-id', runId, '--out', zip], { env });
  expect(exported.code).toBe(0);
  for (const entry of readZipSafe(new Uint8Array(fs.readFileSync(zip)))) seen.push([`export ${entry.path}`, Buffer.from(entry.data).toString('utf8')]);

  const mcp = await mcpJobRun(box, env);
  expect(mcp.structuredContent.status).toBe('SUCCESS');
  expect(JSON.parse(mcp.content[0].text).jobType).toBe(names.jobType);
  seen.push(['mcp job_run', JSON.stringify(mcp)]);

  const forms = formsOf(secret);
  for (const [where, text] of seen) {
    const rest = [names.jobType, names.stepId, names.capture].sort((a, b) => b.length - a.length).reduce((t, n) => t.split(n).join(''), text);
    const leaked = forms.filter((f) => rest.includes(f));
    expect({ where, leaked }).toEqual({ where, leaked: [] });
  }
}

/** One tools/call job_run over a real `dispatch mcp` on stdio. */
function mcpJobRun(box: Sandbox, env: Record<string, string>): Promise<any> {
  const child = spawn(process.execPath, [binPath, 'mcp'], { cwd: box.cwd, env: { ...process.env, ...box.env, ...env } });
  let buffer = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      buffer += String(d);
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        const m = JSON.parse(line);
        if (m.id === 1) {
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'job_run', arguments: { case: 'jobs/p.job.case.json' } } })}\n`);
        } else if (m.id === 2) {
          child.stdin.end();
          resolve(m.result);
        }
      }
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'scan', version: '1' } } })}\n`);
  });
}
