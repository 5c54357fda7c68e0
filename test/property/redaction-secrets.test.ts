// The proof issue 14 asks for: a generated secret (URL and JSON metacharacters, spaces, unicode,
// digits only) is sent by a real job to a loopback server that echoes it back in its body, headers,
// path, query, form and Basic forms; then every artifact, every printed line (human and --json,
// stdout and stderr), job dump, job export's archive, the JUnit report and the MCP job_run answer
// are searched for the secret in each of its encodings. Structure names built from pieces of the
// secret must come out intact and every JSON document must parse.
// Each sample spawns about ten processes, so numRuns is small; reproduce a failure with
// DISPATCH_REDACTION_SEED=<seed> (and DISPATCH_REDACTION_RUNS for more samples).
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipSafe } from '../../src/util/zip-read.js';
import { binPath, readRunFiles, sandbox, type CliResult } from '../support/cli.js';
import { installProbeModule, startEchoServer, type EchoServer } from '../support/redaction-server.js';

const SPECIALS = ['@', ':', '/', '[', ']', '$', '&', '+', ',', ';', '=', '"', '\\', ' ', 'é', '日本', '😀', '?', "'", '<'];
const core = fc.stringMatching(/^[a-z][a-z0-9]{3,7}$/);
const special = fc.constantFrom(...SPECIALS);
/** A secret and the plain piece of it that the structure names are built from. */
const secretArb = fc.oneof(
  fc.tuple(fc.array(special, { minLength: 1, maxLength: 3 }), core, fc.array(special, { maxLength: 3 })).map(([a, c, b]) => ({ secret: `${a.join('')}${c}${b.join('')}`, core: c })),
  // Digits only: the value also comes back as a JSON number. Leading 9 and 7+ digits keep it out of timestamps.
  fc.stringMatching(/^9[0-9]{6,9}$/).map((s) => ({ secret: s, core: s })),
);
const sampleArb = fc.record({ s: secretArb, cut: fc.tuple(fc.nat(), fc.nat()) });

let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.close());

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);
const asciiJson = (s: string) => jsonInner(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Every form the secret may take in what dispatch writes. */
function formsOf(secret: string, user: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const forms = [secret, jsonInner(secret), asciiJson(secret), xml(secret), encodeURIComponent(secret), form, encodeURI(secret), b64(secret), b64(`${user}:${secret}`)];
  const urlPath = new URL(`/raw/${secret}`, 'http://x').pathname.slice(5);
  if (safeDecode(urlPath) === secret) forms.push(urlPath);
  return [...new Set([...forms, ...forms.map(lowerHex)])].filter((f) => f.length >= 4);
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

describe('redaction of a generated secret everywhere it can surface (fixed seed)', () => {
  it('never leaks the secret in any encoding, keeps every name and every JSON valid', async () => {
    await fc.assert(
      fc.asyncProperty(sampleArb, async ({ s, cut }) => {
        const { secret } = s;
        const [i, j] = [cut[0] % secret.length, cut[1] % (secret.length + 1)].sort((a, b) => a - b);
        const names = {
          jobType: `${secret.slice(i, Math.max(j, i + 1))}-job ${s.core}`,
          step: `send-${s.core}`,
          capture: `sent_${s.core}`,
          profile: `p-${s.core}`,
          input: `in_${s.core}`,
        };
        const user = `reader-user`;
        const apiToken = `tok-${s.core}-${s.core.length}x`;
        const env = { PROP_USER: user, PROP_PASSWORD: secret, PROP_API_TOKEN: apiToken };
        const box = sandbox('dispatch-prop-redact-');
        try {
          installProbeModule(box.cwd);
          box.write('prop.job.case.json', {
            schemaVersion: 1,
            jobType: names.jobType,
            http: { baseUrl: server.url },
            credentials: { [names.profile]: { fromEnv: { username: 'PROP_USER', password: 'PROP_PASSWORD' } } },
            inputs: { [names.input]: 'note ${env.PROP_API_TOKEN}' },
            scenario: { steps: [{ id: names.step, action: 'probe.send', credential: names.profile, payload: { note: `\${run.${names.input}}` }, capture: { [names.capture]: 'exports.sent' } }] },
            assertions: [{ path: `$.run.${names.capture}`, op: 'exists' }],
          });
          const seen: Array<[string, string]> = [];
          const cli = async (label: string, args: string[], json = true): Promise<CliResult> => {
            const r = json ? await box.json(args, { env }) : await box.run(args, { env });
            seen.push([`${label} stdout`, r.stdout], [`${label} stderr`, r.stderr]);
            return r;
          };

          const run = await cli('run --json', ['job', 'run', '--case', 'prop.job.case.json']);
          expect(run.json, JSON.stringify(run.json.error)).toMatchObject({ status: 'SUCCESS', exitCode: 0, jobType: names.jobType, steps: [{ id: names.step, status: 'SUCCESS' }] });
          // The secret really travelled: the JSON body the server received holds it.
          expect(server.received.some((q) => q.body.includes(jsonInner(secret)))).toBe(true);
          const runId: string = run.json.runId;
          expect((await cli('run', ['job', 'run', '--case', 'prop.job.case.json'], false)).code).toBe(0);
          expect((await cli('assert', ['job', 'assert', '--run-id', runId])).json.status).toBe('SUCCESS');
          expect((await cli('inspect', ['job', 'inspect', '--run-id', runId, '--step', '1'], false)).code).toBe(0);
          expect((await cli('replay', ['job', 'replay', '--run-id', runId])).json).toMatchObject({ status: 'SUCCESS', jobType: names.jobType });
          const report = await cli('report', ['job', 'report', '--run-id', runId, '--format', 'junit']);
          expect(report.json.xml).toContain(`<testcase name="${xml(names.step)}" classname="${xml(names.jobType)}"`);
          const dump = await cli('dump', ['job', 'dump', '--run-id', runId]);
          expect(dump.json.status).toBe('SUCCESS');
          const zip = path.join(box.root, 'run.zip');
          expect((await cli('export', ['job', 'export', '--run-id', runId, '--out', zip])).json.status).toBe('SUCCESS');
          for (const e of readZipSafe(fs.readFileSync(zip))) seen.push([`export ${e.path}`, Buffer.from(e.data).toString('utf8')]);
          seen.push(['mcp job_run', await mcpRun(box.cwd, { ...box.env, ...env }, names.jobType)]);

          for (const dir of fs.readdirSync(box.output).filter((n) => !n.startsWith('.'))) {
            for (const [name, text] of Object.entries(readRunFiles(path.join(box.output, dir)))) {
              seen.push([`${dir}/${name}`, text]);
              if (name.endsWith('.json')) expect(() => JSON.parse(text), `${dir}/${name} parses`).not.toThrow();
              if (name.endsWith('.jsonl')) for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line), `${dir}/${name} line parses`).not.toThrow();
            }
          }
          const summary = JSON.parse(fs.readFileSync(path.join(run.json.runDir, 'summary.json'), 'utf8'));
          expect(summary.jobType).toBe(names.jobType);
          expect(summary.steps.map((x: { id: string }) => x.id)).toEqual([names.step]);
          expect(Object.keys(summary.run)).toContain(names.capture);
          // The readable username stays readable (declared .meta({ secret: false })).
          expect(fs.readFileSync(path.join(run.json.runDir, 'steps.jsonl'), 'utf8')).toContain(`"user":"${user}"`);

          const nameForms = Object.values(names)
            .flatMap((n) => [n, jsonInner(n), xml(n), `run.${n}`])
            .sort((a, b) => b.length - a.length);
          const secrets = [...formsOf(secret, user), ...formsOf(apiToken, user)];
          for (const [where, text] of seen) {
            let data = text;
            for (const n of nameForms) data = data.split(n).join('<name>');
            const leaked = secrets.filter((f) => data.includes(f));
            expect({ where, leaked }).toEqual({ where, leaked: [] });
          }
        } finally {
          box.cleanup();
        }
      }),
      { seed: Number(process.env.DISPATCH_REDACTION_SEED ?? 20261204), numRuns: Number(process.env.DISPATCH_REDACTION_RUNS ?? 4), endOnFailure: true },
    );
  }, 240_000);
});

/** Runs the job through `dispatch mcp` and returns the answer's text, after checking it is the envelope. */
async function mcpRun(cwd: string, env: Record<string, string>, jobType: string): Promise<string> {
  let stderr = '';
  const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, 'mcp'], cwd, env, stderr: 'pipe' });
  transport.stderr?.on('data', (d) => (stderr += String(d)));
  const client = new Client({ name: 'redaction-prop', version: '1.0.0' });
  await client.connect(transport);
  try {
    const r = await client.callTool({ name: 'job_run', arguments: { case: 'prop.job.case.json' } });
    const text = (r.content as Array<{ type: string; text: string }>)[0].text;
    expect(JSON.parse(text)).toEqual(r.structuredContent);
    expect(r.structuredContent).toMatchObject({ command: 'job run', status: 'SUCCESS', exitCode: 0, jobType });
    return `${text}\n${stderr}`;
  } finally {
    await client.close();
  }
}
