import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

// One command table (src/cli/commands.ts) checks options for the CLI, the SDK and MCP alike:
// the same mistake is the same error code, exit code and status on all three.

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

async function mcpClient(): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, 'mcp'], cwd: box.cwd, env: { ...process.env, ...box.env } as Record<string, string>, stderr: 'ignore' });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const envelopeOf = (r: Awaited<ReturnType<Client['callTool']>>) => r.structuredContent as Record<string, any>;

describe('options are checked once, the same way on every surface', () => {
  it('the SDK answers bad or missing options with a usage envelope, never a crash', async () => {
    const sdk = await import(pathToFileURL(path.join(repoRoot, 'dist/index.js')).href);
    const env = box.env;
    for (const opts of [undefined, {}, { case: 1, env }]) {
      const r = await sdk.runJob(opts);
      expect(r).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'USAGE' } });
    }
    const ok = await sdk.validateJob({ case: path.join(repoRoot, 'jobs/flow-sleep.job.case.json'), env });
    expect(ok.status).toBe('SUCCESS');
  });

  it('the SDK passes timeout and envFile on like the CLI flags', async () => {
    const sdk = await import(pathToFileURL(path.join(repoRoot, 'dist/index.js')).href);
    box.write('nap.job.case.json', { schemaVersion: 1, jobType: 'nap', scenario: { steps: [{ id: 'nap', action: 'flow.sleep', payload: { duration: '${env.NAP_FOR}' } }] } });
    box.write('nap.env', 'NAP_FOR=20s\n');
    const r = await sdk.runJob({ case: 'nap.job.case.json', cwd: box.cwd, env: box.env, timeout: '200ms', envFile: ['nap.env'] });
    expect(r).toMatchObject({ status: 'FAILED', exitCode: 3, error: { code: 'RUN_TIMEOUT' } });
    expect(r.steps[0].error.code).toBe('RUN_TIMEOUT');
  });

  it('a missing required option, a mistyped value and an unknown option are USAGE (exit 2) on the CLI, the SDK and MCP', async () => {
    const sdk = await import(pathToFileURL(path.join(repoRoot, 'dist/index.js')).href);
    const client = await mcpClient();
    try {
      // Missing required option: the job file.
      const cli = await box.json(['job', 'run']);
      const viaSdk = await sdk.runJob({ env: box.env, cwd: box.cwd });
      const viaMcp = envelopeOf(await client.callTool({ name: 'job_run', arguments: {} }));
      for (const e of [cli.json, viaSdk, viaMcp]) expect(e).toMatchObject({ command: 'job run', status: 'ERROR', exitCode: 2, error: { code: 'USAGE' } });
      expect(cli.code).toBe(2);
      expect(cli.json.error.message).toContain('--case');
      expect(viaSdk.error.message).toMatch(/missing required option case\b/);
      expect(viaMcp.error).toEqual(viaSdk.error);

      // An empty value where text is required.
      const emptyCli = await box.json(['job', 'validate', '--case', '']);
      const emptyMcp = envelopeOf(await client.callTool({ name: 'job_validate', arguments: { case: '' } }));
      for (const e of [emptyCli.json, emptyMcp]) expect(e).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'USAGE' } });
      expect(emptyCli.json.error.message).toContain('--case');

      // A name the command does not take: commander's unknown flag, a key a client made up. (The
      // SDK functions pass on only the options they declare.)
      const unknownCli = await box.json(['job', 'assert', '--run_id', 'x']);
      const unknownMcp = await client.callTool({ name: 'job_assert', arguments: { run_id: 'whatever' } });
      for (const e of [unknownCli.json, envelopeOf(unknownMcp)]) expect(e).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'USAGE' } });
      expect(unknownMcp.isError).toBe(true);
      expect(envelopeOf(unknownMcp).error.message).toBe('Invalid options for job assert: unknown option "run_id" (did you mean runId?).');
    } finally {
      await client.close();
    }
  });

  it('MCP advertises the options without the CLI-only presentation flags, and refuses them', async () => {
    const client = await mcpClient();
    try {
      const { tools } = await client.listTools();
      const schemaCase = tools.find((t) => t.name === 'schema_case')!;
      expect(Object.keys(schemaCase.inputSchema.properties ?? {})).toEqual(['cwd']);
      // Only standard JSON Schema keywords: the table's flag facts (placeholders, choices) stay out.
      const text = JSON.stringify(tools.map((t) => t.inputSchema));
      expect(text).not.toMatch(/"(value|choices|cliOnly)"/);
      const r = envelopeOf(await client.callTool({ name: 'schema_case', arguments: { print: true } }));
      expect(r).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'USAGE' } });
      const unknownTool = await client.callTool({ name: 'job_launch', arguments: {} });
      expect(unknownTool.isError).toBe(true);
      expect(JSON.stringify(unknownTool.content)).toContain('job_launch');
    } finally {
      await client.close();
    }
  });
});
