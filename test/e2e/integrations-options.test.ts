import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

describe('options from programs are checked like flags', () => {
  it('the SDK answers bad or missing options with a usage envelope, never a crash', async () => {
    const sdk = await import(pathToFileURL(path.join(repoRoot, 'dist/index.js')).href);
    const env = box.env;
    for (const opts of [undefined, {}, { case: 1, env }]) {
      const r = await sdk.runJob(opts);
      expect(r).toMatchObject({ status: 'ERROR', exitCode: 2, error: { code: 'BAD_OPTIONS' } });
    }
    const ok = await sdk.validateJob({ case: path.join(repoRoot, 'jobs/flow-sleep.job.case.json'), env });
    expect(ok.status).toBe('SUCCESS');
  });

  it('the MCP server refuses an unknown argument name instead of ignoring it', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [binPath, 'mcp'], env: { ...process.env, ...box.env } as Record<string, string>, stderr: 'ignore' });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const r = await client.callTool({ name: 'job_assert', arguments: { run_id: 'whatever' } });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).toMatch(/run_id/);
    } finally {
      await client.close();
    }
  });
});
