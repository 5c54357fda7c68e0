import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { binPath, job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { installAuthModule, startAuthServer, type AuthServer } from '../support/auth-server.js';

// The MCP server driven by the SDK's own client over a real stdio pipe to the built binary.

const USER = 'mcp-user';
const PASSWORD = 'mcp-SECRET-pass-5e1c';
const creds = { MCP_TEST_USER: USER, MCP_TEST_PASSWORD: PASSWORD };
const TOOL_NAMES = [
  'job_validate',
  'job_run',
  'job_run_many',
  'job_assert',
  'job_inspect',
  'job_readable',
  'job_replay',
  'job_list',
  'job_latest',
  'job_cases',
  'job_batch_inspect',
  'job_report',
  'job_merge',
  'job_test',
  'module_list',
  'module_inspect',
  'schema_case',
  'schema_action',
  'memory_list',
  'memory_inspect',
  'doctor',
  'schedule_add',
  'schedule_list',
  'schedule_pause',
  'send',
  'capture',
  'targets',
];

let server: AuthServer;
let box: Sandbox;
let client: Client;
let stderr: string;
beforeAll(async () => {
  server = await startAuthServer({ username: USER, password: PASSWORD });
});
afterAll(() => server.close());
beforeEach(async () => {
  box = sandbox();
  installAuthModule(box.cwd);
  stderr = '';
  const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, 'mcp'], cwd: box.cwd, env: { ...box.env, ...creds }, stderr: 'pipe' });
  transport.stderr?.on('data', (d) => (stderr += String(d)));
  client = new Client({ name: 'dispatch-e2e', version: '1.0.0' });
  await client.connect(transport);
});
afterEach(async () => {
  await client.close();
  box.cleanup();
});

async function call(name: string, args: Record<string, unknown> = {}) {
  const r = await client.callTool({ name, arguments: args });
  const text = (r.content as Array<{ type: string; text: string }>)[0].text;
  // The text content and the structured content are the same envelope.
  expect(JSON.parse(text)).toEqual(r.structuredContent);
  return { env: r.structuredContent as Record<string, any>, isError: r.isError, text };
}

function loginJob() {
  return job(
    [
      { id: 'login', action: 'auth.login', credential: 'admin', payload: {} },
      { id: 'me', action: 'auth.me', payload: {} },
    ],
    {
      jobType: 'mcp-login',
      http: { baseUrl: server.url },
      credentials: { admin: { fromEnv: { username: 'MCP_TEST_USER', password: 'MCP_TEST_PASSWORD' } } },
      assertions: [{ path: '$.steps.me.response.authenticated', op: 'eq', value: true }],
    },
  );
}

/** Run ids, run folders and timings differ between two runs of the same job; nothing else may. */
function sameRunShape(env: unknown): unknown {
  const text = JSON.stringify(env)
    .replace(/\d{8}-\d{6}-job-run-[0-9a-f]{7}/g, '<runId>')
    .replace(/"durationMs":\d+/g, '"durationMs":0');
  return JSON.parse(text);
}

describe('dispatch mcp', () => {
  it('lists one tool per command, its input schema built from the same options as the CLI flags', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    const program = buildProgram({});
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type, tool.name).toBe('object');
      const cmd = commandFor(program, tool.name);
      const flags = cmd.options.filter((o) => !['json', 'print', 'verbose'].includes(o.attributeName()));
      const props = (tool.inputSchema.properties ?? {}) as Record<string, { default?: unknown }>;
      const positional = cmd.registeredArguments.map((a) => a.name());
      expect(Object.keys(props).sort(), tool.name).toEqual([...flags.map((o) => o.attributeName()), ...positional].sort());
      const requiredArgs = cmd.registeredArguments.filter((a) => a.required).map((a) => a.name());
      const required = [...flags.filter((o) => o.mandatory).map((o) => o.attributeName()), ...requiredArgs].sort();
      expect([...(tool.inputSchema.required ?? [])].sort(), tool.name).toEqual(required);
      for (const o of flags) expect(props[o.attributeName()].default, `${tool.name} ${o.long}`).toEqual(o.defaultValue);
    }
    const run = tools.find((t) => t.name === 'job_run')!;
    expect(run.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(run.outputSchema?.required).toEqual(expect.arrayContaining(['cliVersion', 'command', 'status', 'exitCode', 'next']));
  });

  it('validates, runs against a loopback server and reads the run back, with the envelopes the CLI prints', async () => {
    box.write('login.job.case.json', loginJob());
    const cli = (args: string[]) => box.json(args, { env: creds });

    const validate = await call('job_validate', { case: 'login.job.case.json' });
    expect(validate.env).toMatchObject({ command: 'job validate', status: 'SUCCESS', exitCode: 0, valid: true });
    expect(validate.env).toEqual((await cli(['job', 'validate', '--case', 'login.job.case.json'])).json);

    const run = await call('job_run', { case: 'login.job.case.json' });
    expect(run.isError).toBe(false);
    expect(run.env).toMatchObject({ command: 'job run', status: 'SUCCESS', exitCode: 0, jobType: 'mcp-login' });
    expect(run.env.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(run.env.next[0].command).toBe(`dispatch job assert --run-id ${run.env.runId}`);
    expect(server.requests.filter((r) => r.url === '/me')).toHaveLength(1);
    const cliRun = await cli(['job', 'run', '--case', 'login.job.case.json']);
    expect(sameRunShape(run.env)).toEqual(sameRunShape(cliRun.json));

    const runId = run.env.runId as string;
    const assert = await call('job_assert', { runId });
    expect(assert.env).toMatchObject({ status: 'SUCCESS', runId, passed: 2, failed: 0 });
    expect(assert.env).toEqual((await cli(['job', 'assert', '--run-id', runId])).json);

    const inspect = await call('job_inspect', { runId });
    expect(inspect.env).toMatchObject({ runId, runStatus: 'SUCCESS', casePath: 'login.job.case.json' });
    expect(inspect.env).toEqual((await cli(['job', 'inspect', '--run-id', runId])).json);
    const step = await call('job_inspect', { runId, step: 'me' });
    // The user name is a credential value, so it is redacted like the password.
    expect(step.env.step).toMatchObject({ id: 'me', response: { authenticated: true, username: '[REDACTED]' } });

    const list = await call('job_list', {});
    expect(list.env.runs.map((r: { runId: string }) => r.runId)).toEqual([cliRun.json.runId, runId]);
    expect(list.env).toEqual((await cli(['job', 'list'])).json);

    // The password went out in a login body: no response carries it.
    for (const r of [validate, run, assert, inspect, step, list]) expect(r.text.includes(PASSWORD)).toBe(false);
  });

  it('answers a failure with the same ERROR envelope, exit class and next[] as the CLI', async () => {
    const missing = await call('job_run', { case: 'nope.job.case.json' });
    expect(missing.isError).toBe(true);
    expect(missing.env).toMatchObject({ status: 'ERROR', exitCode: 4 });
    expect(missing.env).toEqual((await box.json(['job', 'run', '--case', 'nope.job.case.json'])).json);

    const unknown = await call('job_inspect', { runId: '20200101-000000-job-run-0000000' });
    expect(unknown.env).toMatchObject({ status: 'ERROR', exitCode: 4, error: { code: 'RUN_NOT_FOUND' } });
    expect(unknown.env.next).toEqual([{ command: 'dispatch job list', description: 'list recorded runs' }]);

    const badLimit = await call('job_list', { limit: 'many' });
    expect(badLimit.env).toEqual((await box.json(['job', 'list', '--limit', 'many'])).json);
  });

  it('keeps stdout for protocol messages when a module prints to stdout', async () => {
    box.write('modules/noisy/module.json', { name: 'noisy', version: '1.0.0', entry: 'index.mjs' });
    box.write(
      'modules/noisy/index.mjs',
      `import { defineAction, defineModule, z } from 'dispatchkit';
console.log('noisy: loaded');
export default defineModule({ name: 'noisy', version: '1.0.0', actions: {
  shout: defineAction({ description: 'prints to stdout', schema: z.object({}), async handler() {
    console.log('noisy: console.log');
    process.stdout.write('noisy: stdout.write\\n');
    return { response: { shouted: true } };
  } }),
} });
`,
    );
    box.write('noisy.job.case.json', job([{ id: 'shout', action: 'noisy.shout', payload: {} }]));
    const raw = rawServer(box);
    await raw.initialize();
    raw.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'job_run', arguments: { case: 'noisy.job.case.json' } } });
    const { result } = await raw.waitFor((m) => m.id === 2);
    expect(await raw.end()).toBe(0);
    // Every stdout line is a JSON-RPC message; the noise went to stderr.
    expect(raw.stdout.map((l) => JSON.parse(l).jsonrpc)).toEqual(raw.stdout.map(() => '2.0'));
    expect(result.structuredContent).toMatchObject({ command: 'job run', status: 'SUCCESS' });
    expect(raw.stderr).toContain('noisy: console.log');
    expect(raw.stderr).toContain('noisy: stdout.write');
  });

  it('reports progress per step, and a client that goes away mid-run leaves an INTERRUPTED record', async () => {
    box.write(
      'slow.job.case.json',
      job([
        { id: 'quick', action: 'flow.sleep', payload: { duration: 1 } },
        { id: 'slow', action: 'flow.sleep', payload: { duration: '10m' } },
      ]),
    );
    const raw = rawServer(box);
    await raw.initialize();
    raw.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'job_run', arguments: { case: 'slow.job.case.json' }, _meta: { progressToken: 'p1' } } });
    const progress = await raw.waitFor((m) => m.method === 'notifications/progress');
    expect(progress.params).toMatchObject({ progressToken: 'p1', progress: 1, total: 2 });
    expect(progress.params.message).toContain('quick SUCCESS');
    expect(await raw.end()).toBe(0);
    const runs = fs.readdirSync(box.output).filter((n) => /-job-run-/.test(n));
    expect(runs).toHaveLength(1);
    const summary = JSON.parse(fs.readFileSync(path.join(box.output, runs[0], 'summary.json'), 'utf8'));
    expect(summary.status).toBe('INTERRUPTED');
    expect(summary.steps.map((st: { status: string }) => st.status)).toEqual(['SUCCESS', 'INTERRUPTED']);
  });

  it('checks cwd like --cwd: a missing folder is CWD_NOT_FOUND, and next[] keeps the folder', async () => {
    const missing = await call('job_cases', { cwd: path.join(box.root, 'no-such-folder') });
    expect(missing.env).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'CWD_NOT_FOUND' } });
    box.write('jobs/s.job.case.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: '1ms' } }]));
    const v = await call('job_validate', { case: 'jobs/s.job.case.json', cwd: box.cwd });
    expect(v.env.next[0].command).toBe(`dispatch job run --case jobs/s.job.case.json --cwd ${box.cwd}`);
  });

  it("counts a fill job's steps in the progress of a run with resolveDeps: progress only grows and ends at the total", async () => {
    fs.cpSync(path.join(repoRoot, 'test/fixtures/memory-module'), box.cwd, { recursive: true });
    const updates: Array<{ progress: number; total?: number; message?: string }> = [];
    const r = await client.callTool({ name: 'job_run', arguments: { case: 'jobs/greet.job.case.json', resolveDeps: true } }, undefined, { onprogress: (p) => updates.push(p) });
    const env = r.structuredContent as Record<string, any>;
    expect(env).toMatchObject({ command: 'job run', status: 'SUCCESS' });
    expect(env.fills).toHaveLength(1);
    // one seed step, then the main job's two steps
    expect(updates.map((u) => u.progress)).toEqual([1, 2, 3]);
    for (const u of updates) expect(u.progress).toBeLessThanOrEqual(u.total!);
    expect(updates.at(-1)!.total).toBe(3);
  });
});

function commandFor(program: Command, tool: string): Command {
  const words = tool.split('_');
  const group = program.commands.find((c) => c.name() === words[0])!;
  if (words.length === 1) return group;
  const sub = group.commands.find((c) => c.name().replace(/-/g, '_') === words.slice(1).join('_'));
  if (!sub) throw new Error(`no command for tool ${tool}`);
  return sub;
}

/** Speaks newline-delimited JSON-RPC to `dispatch mcp` by hand, so every stdout byte is seen. */
function rawServer(b: Sandbox) {
  const child = spawn(process.execPath, [binPath, 'mcp'], { cwd: b.cwd, env: { ...process.env, ...b.env } });
  const stdout: string[] = [];
  let buffer = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d) => {
    buffer += String(d);
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    stdout.push(...lines.filter(Boolean));
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    stdout,
    get stderr() {
      return stderr;
    },
    send: (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`),
    /** Resolves with the first stdout message that satisfies `test`. */
    waitFor(test: (m: any) => boolean): Promise<any> {
      return new Promise((resolve) => {
        const check = () => {
          const hit = stdout.map((l) => JSON.parse(l)).find(test);
          if (hit) resolve(hit);
        };
        waiters.push(check);
        check();
      });
    },
    async initialize() {
      this.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
      await this.waitFor((m) => m.id === 1);
      this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    },
    /** Closes stdin, as a host does when it is done, and waits for the exit code. */
    end: () => (child.stdin.end(), exited),
  };
}

describe('dispatch mcp heartbeat', () => {
  it('keeps a client that resets its timeout on progress waiting through a step longer than the timeout', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binPath, 'mcp'],
      cwd: box.cwd,
      env: { ...box.env, DISPATCH_MCP_HEARTBEAT_MS: '100' } as Record<string, string>,
      stderr: 'ignore',
    });
    const slowClient = new Client({ name: 'dispatch-heartbeat', version: '1.0.0' });
    await slowClient.connect(transport);
    try {
      box.write('nap.job.case.json', job([{ id: 'nap', action: 'flow.sleep', payload: { duration: '1500ms' } }]));
      const updates: Array<{ progress: number; message?: string }> = [];
      // A 700 ms timeout would end the call long before the 1.5 s step, unless progress resets it.
      const r = await slowClient.callTool({ name: 'job_run', arguments: { case: 'nap.job.case.json' } }, undefined, {
        timeout: 700,
        resetTimeoutOnProgress: true,
        onprogress: (p) => updates.push(p),
      });
      expect((r.structuredContent as { status: string }).status).toBe('SUCCESS');
      const beats = updates.filter((u) => u.progress < 1);
      expect(beats.length).toBeGreaterThanOrEqual(3);
      // Before the step starts (modules loading, on a busy machine) a heartbeat says "working".
      expect(beats.some((b) => /^nap running \(\d+ s\)$/.test(b.message ?? ''))).toBe(true);
      for (const b of beats) expect(b.message).toMatch(/^(nap running \(\d+ s\)|working)$/);
      // Progress only grows; the step's own notification says 1, and heartbeats after it (the run
      // record being finished, on a slow machine) stay below the next whole step.
      for (let i = 1; i < updates.length; i++) expect(updates[i].progress).toBeGreaterThan(updates[i - 1].progress);
      const stepDone = updates.findIndex((u) => u.progress === 1);
      expect(updates[stepDone]?.message).toMatch(/^nap SUCCESS/);
      for (const u of updates.slice(stepDone + 1)) expect(u.progress).toBeLessThan(2);
    } finally {
      await slowClient.close();
    }
  });
});
