import { CallToolRequestSchema, ListToolsRequestSchema, Server, type CallToolResult, type Tool } from '../vendor/mcp.js';
import { z } from 'zod';
import type { RunEvent } from '../engine/events.js';
import type { Envelope } from '../output/envelope.js';
import { invokeCommand } from '../sdk/invoke.js';
import { CLI_VERSION } from '../version.js';
import type { CommandSpec } from '../cli/commands.js';
import { toolsOf, type ToolSpec } from './tools.js';

/** What every tool returns as structuredContent: the `--json` envelope (its own fields beside these). */
const EnvelopeOutputSchema = z.looseObject({
  cliVersion: z.string(),
  command: z.string(),
  status: z.enum(['SUCCESS', 'FAILED', 'ERROR', 'INTERRUPTED']),
  exitCode: z.number().int(),
  next: z.array(z.object({ command: z.string(), description: z.string() })),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
});

const INSTRUCTIONS = [
  'Each tool runs one dispatch CLI command and returns the envelope `dispatch <command> --json` prints, as structuredContent and as JSON text.',
  'Decide from status, exitCode and next[]. next[] names CLI commands; the tool for `dispatch job assert --run-id X` is job_assert with {"runId": "X"} (command words joined by "_", flags camelCased).',
  'Exit classes: 0 ok, 1 internal, 2 fix the input (do not retry), 3 transient (retry), 4 not found.',
].join(' ');

interface DispatchMcpServer {
  server: Server;
  /** Interrupts calls in flight (runs still write their records) and closes the server once they settle. */
  shutdown(): Promise<void>;
}

/**
 * The MCP server with one tool per command that has tool facts in the command table; no I/O until
 * a transport is connected. It answers tools/list and tools/call itself rather than through the
 * SDK's McpServer, because that one checks arguments before the tool runs and answers a mistake
 * with its own text: here the check is the one the CLI and the SDK make (src/cli/check-options.ts),
 * so a wrong argument is the same USAGE envelope on every surface.
 */
export function createMcpServer(commands: readonly CommandSpec[]): DispatchMcpServer {
  const TOOLS = toolsOf(commands);
  const server = new Server({ name: 'dispatch', version: CLI_VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const inFlight = new Map<Promise<unknown>, AbortController>();
  const byName = new Map(TOOLS.map((t) => [t.name, t]));
  const outputSchema = z.toJSONSchema(EnvelopeOutputSchema, { target: 'draft-7', io: 'output' }) as Tool['outputSchema'];
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS.map((t) => toolDefinition(t, outputSchema)) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) return { content: [{ type: 'text', text: `Unknown tool "${request.params.name}": tools/list names the tools this server has.` }], isError: true };
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, extra.signal]);
    const token = request.params._meta?.progressToken;
    // Progress goes out before the result: a client stops listening for it once the answer is in.
    const sent: Array<Promise<void>> = [];
    const reporter =
      token === undefined
        ? undefined
        : progressReporter((params) => {
            const p = extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...params } });
            sent.push(p);
            return p;
          });
    // A long step sends nothing for a while: a heartbeat keeps clients that reset their timeout on
    // progress waiting (docs/integrations.md).
    const beat = reporter ? setInterval(reporter.heartbeat, heartbeatMs()) : undefined;
    const args = request.params.arguments ?? {};
    const call = invokeCommand(tool.spec, { ...args }, { signal, onEvent: reporter?.onEvent });
    inFlight.set(call, controller);
    try {
      const env = await call;
      if (sent.length > 0) {
        await Promise.allSettled(sent);
        // The SDK client handles a notification a microtask later but a response at once: if
        // both arrive in one read, the response wins and the last progress is dropped. A
        // macrotask between them lets the client read the notifications first.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return toolResult(env);
    } finally {
      clearInterval(beat);
      inFlight.delete(call);
    }
  });
  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      for (const c of inFlight.values()) c.abort('SIGTERM');
      await Promise.allSettled(inFlight.keys());
      await server.close();
    })());
  return { server, shutdown };
}

/** tools/list entry: the input schema is the command's options object as JSON Schema. */
function toolDefinition(t: ToolSpec, outputSchema: Tool['outputSchema']): Tool {
  return {
    name: t.name,
    title: `dispatch ${t.command}`,
    description: t.description,
    inputSchema: z.toJSONSchema(t.input, { target: 'draft-7', io: 'input' }) as Tool['inputSchema'],
    outputSchema,
    annotations: { readOnlyHint: t.readOnly, destructiveHint: false, idempotentHint: t.readOnly, openWorldHint: t.network },
  };
}

/** The envelope as JSON text (what the CLI prints) and as structured content; a non-zero exit is a tool error. */
function toolResult(env: Envelope): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(env, null, 2) }], structuredContent: env, isError: env.exitCode !== 0 };
}

type ProgressParams = { progress: number; total?: number; message?: string };

/**
 * MCP progress notifications for a client that asked for them: one per finished step. With
 * --resolve-deps a fill job runs first, as its own run: its steps count too, and each run's
 * start adds its steps to the total, so progress only grows and never passes the total.
 */
function progressReporter(send: (p: ProgressParams) => Promise<void>): { onEvent: (e: RunEvent) => void; heartbeat: () => void } {
  let total: number | undefined;
  let done = 0;
  let beats = 0;
  let running: { id: string; since: number } | undefined;
  const emit = (progress: number, message: string) => void send({ progress, ...(total === undefined ? {} : { total }), message }).catch(() => undefined);
  return {
    onEvent(e) {
      if (e.type === 'run:start') total = (total ?? 0) + e.stepCount;
      if (e.type === 'step:start') running = { id: e.id, since: Date.now() };
      if (e.type !== 'step:end') return;
      done++;
      beats = 0;
      running = undefined;
      emit(done, `${e.id} ${e.status} (${e.durationMs} ms)`);
    },
    // Progress must grow with every notification: a heartbeat adds a shrinking fraction, so it
    // never reaches the next whole step.
    heartbeat() {
      beats++;
      const what = running ? `${running.id} running (${Math.round((Date.now() - running.since) / 1000)} s)` : 'working';
      emit(done + beats / (beats + 1), what);
    },
  };
}

/** How often a call in progress says so: 10 s, or DISPATCH_MCP_HEARTBEAT_MS (tests use a short one). */
function heartbeatMs(): number {
  const n = Number(process.env.DISPATCH_MCP_HEARTBEAT_MS);
  return Number.isInteger(n) && n >= 50 ? n : 10_000;
}
