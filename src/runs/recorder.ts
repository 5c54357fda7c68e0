import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { Redactor } from '../output/redact.js';
import type { RunEvent } from '../engine/events.js';
import type { HttpExchange } from '../http/types.js';

/** Everything a run directory holds, gathered during the run and written once at the end. */
export interface RunArtifacts {
  summary: Record<string, unknown>;
  inputText: string;
  resolvedJob: unknown;
  meta: Record<string, unknown>;
  moduleResolution: Record<string, unknown>;
  steps: Array<Record<string, unknown>>;
}

// A second Ctrl-C exits at once; folders still being written are removed on the way out, so
// no half-written run is ever left behind. One listener serves every run of a batch.
const unfinished = new Set<string>();
let exitHookInstalled = false;

function trackTmp(dir: string): void {
  unfinished.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of unfinished) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * Collects the activity log and HTTP exchanges from run events, then writes every artifact into
 * a temporary folder and renames it into place, so readers never see half a run.
 */
export class RunRecorder {
  private activity: string[] = [];
  private exchanges: HttpExchange[] = [];

  constructor(
    readonly outputRoot: string,
    readonly runId: string,
    private readonly redactor: Redactor,
  ) {}

  get runDir(): string {
    return path.join(this.outputRoot, this.runId);
  }

  onEvent = (e: RunEvent): void => {
    switch (e.type) {
      case 'run:start':
        this.line(e.ts, `run ${e.runId} started: job ${e.jobType}, ${e.stepCount} step(s)`);
        break;
      case 'step:start':
        this.line(e.ts, `step ${e.index + 1} ${e.id} (${e.action}) started`);
        break;
      case 'step:log':
        this.line(e.ts, `step ${e.id} ${e.level}: ${e.message}`);
        break;
      case 'step:end':
        this.line(e.ts, `step ${e.index + 1} ${e.id} ${e.status} in ${e.durationMs}ms${e.error ? ` - ${e.error.code}: ${e.error.message}` : ''}`);
        break;
      case 'http':
        this.exchanges.push(e.exchange);
        this.line(e.ts, `http ${e.exchange.method} ${e.exchange.url} -> ${e.exchange.status ?? e.exchange.error?.code} (${e.exchange.durationMs}ms)`);
        break;
      case 'run:end':
        this.line(e.ts, `run ${e.status} in ${e.durationMs}ms${e.error ? ` - ${e.error.code}: ${e.error.message}` : ''}`);
        break;
    }
  };

  private line(ts: string, text: string): void {
    this.activity.push(`${ts} ${text.replace(/\r?\n/g, ' ')}`);
  }

  async write(a: RunArtifacts): Promise<string> {
    const r = <T>(v: T) => this.redactor.redact(v);
    const json = (v: unknown) => `${JSON.stringify(r(v), null, 2)}\n`;
    const jsonl = (rows: unknown[]) => rows.map((row) => JSON.stringify(r(row))).join('\n') + (rows.length ? '\n' : '');
    const files: Array<[string, string]> = [
      ['summary.json', json(a.summary)],
      ['activity.log', this.redactor.redactText(this.activity.join('\n') + '\n')],
      ['job.case.input.json', this.redactor.redactJsonText(a.inputText)],
      ['job.case.resolved.json', json(a.resolvedJob)],
      ['meta.json', json(a.meta)],
      ['module_resolution.json', json(a.moduleResolution)],
      ['steps.jsonl', jsonl(a.steps)],
      ['http.jsonl', jsonl(this.exchanges)],
    ];
    const tmp = path.join(this.outputRoot, `.tmp-${this.runId}`);
    trackTmp(tmp);
    try {
      await fs.mkdir(tmp, { recursive: true });
      await Promise.all(files.map(([name, content]) => fs.writeFile(path.join(tmp, name), content)));
      await fs.rename(tmp, this.runDir);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw usageError('RUN_OUTPUT_UNWRITABLE', `Cannot write the run record to ${this.outputRoot}: ${(err as Error).message}.`, {
        hint: 'Make the folder writable, or point DISPATCH_RUN_OUTPUT at a writable folder.',
      });
    } finally {
      unfinished.delete(tmp);
    }
    return this.runDir;
  }
}
