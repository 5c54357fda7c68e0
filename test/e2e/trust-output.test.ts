import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, job, sandbox, type Sandbox } from '../support/cli.js';

// Issue 14's small output items: terminal safety, records that are never followed out of their
// folder, defaults for loose schemas, a clear runtime unset, and an MCP server that answers junk.
let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-trust-output-');
});
afterEach(() => box.cleanup());

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('human output never carries terminal control sequences from data', () => {
  it('escape codes and carriage returns in jobType and messages are shown visibly, in live lines, errors and views', async () => {
    const evil = 'evil\u001b[2J\u001b]0;owned\u0007\rjob';
    box.write(
      'jobs/evil.job.case.json',
      job(
        [
          { id: 'a', action: 'flow.sleep', payload: { duration: 0 } },
          { id: 'b', action: 'flow.sleep', payload: { duration: '${run.nope\u001b[31m}' } },
        ],
        { jobType: evil },
      ),
    );
    box.write('jobs/ok.job.case.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: 0 } }], { jobType: evil }));
    const outputs = [
      await box.run(['job', 'validate', '--case', 'jobs/evil.job.case.json']),
      await box.run(['job', 'run', '--case', 'jobs/ok.job.case.json']),
      await box.run(['job', 'inspect', '--run-id', 'latest']),
      await box.run(['job', 'list']),
    ];
    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toMatch(CONTROL);
    }
    expect(outputs[1].code).toBe(0);
    expect(outputs[1].stdout).toContain('evil\\x1b[2J\\x1b]0;owned\\x07\\rjob');
    // --json keeps the exact value (JSON escapes it), so nothing is lost for an agent.
    const json = await box.json(['job', 'inspect', '--run-id', 'latest']);
    expect(json.json.jobType).toBe(evil);
  });
});

describe('job dump and the other record readers never follow a symlinked artifact', () => {
  it('a summary.json or steps.jsonl that is a link is refused (exit 2) and the target is never printed', async () => {
    box.write('jobs/ok.job.case.json', job([{ id: 'a', action: 'flow.sleep', payload: { duration: 0 } }]));
    const run = await box.json(['job', 'run', '--case', 'jobs/ok.job.case.json']);
    const target = box.write('private.txt', 'TOP-SECRET-FILE-CONTENT\n');
    for (const artifact of ['steps.jsonl', 'summary.json']) {
      const file = path.join(run.json.runDir, artifact);
      fs.renameSync(file, `${file}.orig`);
      fs.symlinkSync(target, file);
      for (const cmd of [
        ['job', 'dump'],
        ['job', 'inspect'],
        ['job', 'readable'],
        ['job', 'assert'],
      ]) {
        const r = await box.json([...cmd, '--run-id', run.json.runId]);
        expect(r.code, `${cmd.join(' ')} ${artifact}`).toBe(2);
        expect(r.json.error.code).toBe('RUN_RECORD_CORRUPT');
        expect(r.stdout + r.stderr).not.toContain('TOP-SECRET-FILE-CONTENT');
      }
      fs.rmSync(file);
      fs.renameSync(`${file}.orig`, file);
    }
  });
});

describe('defaults set and loose payload schemas', () => {
  it('accepts any key for an action whose schema takes any key, and still refuses unknown keys on a strict one', async () => {
    box.write('modules/loose/module.json', { name: 'loose', version: '1.0.0', entry: 'index.mjs' });
    box.write(
      'modules/loose/index.mjs',
      `import { defineAction, defineModule, z } from 'dispatchkit';
const echo = (description, schema) => defineAction({ description, schema, async handler(_ctx, p) { return { response: p }; } });
export default defineModule({ name: 'loose', version: '1.0.0', actions: {
  open: echo('looseObject', z.looseObject({ id: z.number() })),
  pass: echo('passthrough', z.object({ id: z.number() }).passthrough()),
  rest: echo('catchall of strings', z.object({ id: z.number() }).catchall(z.string())),
  tight: echo('strictObject', z.strictObject({ id: z.number() })),
} });
`,
    );
    box.write('d.json', { region: 'eu', id: 1 });
    for (const action of ['loose.open', 'loose.pass', 'loose.rest']) {
      const r = await box.json(['defaults', 'set', '--action', action, '--file', 'd.json']);
      expect(r.code, action).toBe(0);
      expect(r.json.defaults).toEqual({ region: 'eu', id: 1 });
    }
    box.write('n.json', { region: 7 });
    const wrongType = await box.json(['defaults', 'set', '--action', 'loose.rest', '--file', 'n.json']);
    expect(wrongType.code).toBe(0); // partial defaults: a mismatch is a warning, judged again at validate
    expect(wrongType.json.warnings.map((w: { path: string }) => w.path)).toEqual(['$.region']);
    const strict = await box.json(['defaults', 'set', '--action', 'loose.tight', '--file', 'd.json']);
    expect(strict.code).toBe(2);
    expect(strict.json.error.code).toBe('DEFAULTS_INVALID');
    expect(strict.json.error.message).toContain('region');
  });
});

describe('runtime unset', () => {
  it('with neither --action nor --all says what to pass (exit 2), and its help shows the same usage', async () => {
    const r = await box.json(['runtime', 'unset']);
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'UNSET_TARGET' });
    expect(r.json.error.message).toContain('--action <module.action>, or --all');
    const human = await box.run(['runtime', 'unset']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('--action <module.action>, or --all');
    const help = await box.run(['runtime', 'unset', '--help']);
    expect(help.stdout).toContain('Usage: dispatch runtime unset (--action <module.action> | --all)');
    const readme = fs.readFileSync(path.join(binPath, '../../README.md'), 'utf8');
    expect(readme).toContain('dispatch runtime unset (--action <module.action> | --all)');
  });
});

describe('dispatch mcp answers lines it cannot use and keeps serving', () => {
  it('a non-JSON line, a non-JSON-RPC object and an oversized message each get a JSON-RPC error, then tools/list works', async () => {
    const child = spawn(process.execPath, [binPath, 'mcp'], { cwd: box.cwd, env: { ...process.env, ...box.env } });
    const messages: any[] = [];
    let buffer = '';
    const waiters: Array<() => void> = [];
    child.stdout.on('data', (d) => {
      buffer += String(d);
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const l of lines.filter(Boolean)) messages.push(JSON.parse(l));
      waiters.forEach((w) => w());
    });
    const waitCount = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => messages.length >= n && resolve();
        waiters.push(check);
        check();
      });
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.stdin.write('this is not json\n');
    await waitCount(1);
    child.stdin.write('{"hello": "world"}\n');
    await waitCount(2);
    // 5 MiB in several writes, as a pipe delivers it: refused without being held whole.
    child.stdin.write('{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"pad":"');
    for (let i = 0; i < 5; i++) child.stdin.write('x'.repeat(1024 * 1024));
    child.stdin.write('"}}\n');
    await waitCount(3);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
    await waitCount(4);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    await waitCount(5);
    child.stdin.end();
    await exited;
    expect(messages[0]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect(messages[1]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    expect(messages[2]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    expect(messages[2].error.message).toContain('4194304 bytes');
    expect(messages[3]).toMatchObject({ id: 1, result: { serverInfo: { name: 'dispatch' } } });
    expect(messages[4].id).toBe(2);
    const tools = messages[4].result.tools;
    const validate = tools.find((t: { name: string }) => t.name === 'job_validate');
    expect(validate.annotations.readOnlyHint).toBe(false);
    expect(validate.description).toContain('runs their code');
    expect(tools.find((t: { name: string }) => t.name === 'job_assert').annotations.readOnlyHint).toBe(true);
  });
});
