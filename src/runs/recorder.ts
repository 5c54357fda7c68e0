import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { usageError, type DispatchError } from '../errors.js';
import type { Redactor } from '../output/redact.js';
import type { RunEvent } from '../engine/events.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import type { HttpRecord, ModuleResolution, RunMeta, RunSummary, StepRecord } from './artifacts.js';

/** What a run folder holds from its first moment (DESIGN 9). Types from src/runs/artifacts.ts, which readers parse with. */
interface RunStart {
  /** summary.json while the run is in progress: status RUNNING, with pid and host. */
  summary: RunSummary;
  inputText: string;
  /** The job as read; replaced by the resolved job when the run ends. */
  job: unknown;
  meta: RunMeta;
  moduleResolution: ModuleResolution;
}

/** What replaces the in-progress files when the run ends. */
interface RunEnd {
  summary: RunSummary;
  resolvedJob: unknown;
}

/** The fields that mark a run in progress, and let a reader tell whether its process still lives. */
export function runningMarks(): { status: 'RUNNING'; pid: number; host: string } {
  return { status: 'RUNNING', pid: process.pid, host: os.hostname() };
}

/**
 * Writes a run's record as the run happens, so a crash loses at most the step in flight:
 * `start` creates the folder with every file (summary.json saying RUNNING and the pid), the
 * activity log, steps and HTTP exchanges are appended as they finish (synchronously, so each line
 * is on disk before the run moves on), and `finish` replaces job.case.resolved.json and then
 * summary.json atomically. A write that fails is kept, and `finish` reports it with the run id.
 */
export class RunRecorder {
  private pending: string[] = [];
  private started = false;
  /** The files that grow during the run, open for appending until finish (one open per run, not per line). */
  private readonly fds = new Map<string, number>();
  private failure: Error | undefined;

  constructor(
    readonly outputRoot: string,
    readonly runId: string,
    private readonly redactor: Redactor,
  ) {}

  get runDir(): string {
    return path.join(this.outputRoot, this.runId);
  }

  /** Creates the run folder before any step runs; an output root that takes no writes is exit 2 here. */
  async start(a: RunStart): Promise<void> {
    const r = <T>(v: T) => this.redactor.redact(v);
    const json = (v: unknown) => `${JSON.stringify(r(v), null, 2)}\n`;
    try {
      // Synchronous like every write of the record: a handful of small files, where each await
      // would add a thread-pool round trip to every run (docs/performance.md).
      mkdirSync(this.outputRoot, { recursive: true });
      mkdirSync(this.runDir);
      const files: Array<[string, string]> = [
        ['meta.json', json(a.meta)],
        ['job.case.input.json', this.redactor.redactJsonText(a.inputText)],
        ['job.case.resolved.json', json(a.job)],
        ['module_resolution.json', json(a.moduleResolution)],
      ];
      for (const [name, content] of files) writeFileSync(path.join(this.runDir, name), content);
      // The growing files are created by the open that keeps them for appending.
      for (const name of GROWING) this.fds.set(name, openSync(path.join(this.runDir, name), 'a'));
      const early = this.redactor.redactText(this.pending.map((l) => `${l}\n`).join(''));
      if (early) writeAll(this.fds.get('activity.log')!, early);
      // Last, and whole: a folder whose summary exists has every other file, and a process killed
      // while writing it leaves no summary at all rather than an empty one (which readers could
      // only call damaged, not ABANDONED). The temp name is not an artifact name.
      const tmp = path.join(this.runDir, '.summary.json.tmp');
      writeFileSync(tmp, json(a.summary));
      renameSync(tmp, path.join(this.runDir, 'summary.json'));
    } catch (err) {
      this.close();
      try {
        rmSync(this.runDir, { recursive: true, force: true });
      } catch {
        /* the error below is the one to report */
      }
      throw unwritable(this.outputRoot, err as Error);
    }
    this.pending = [];
    this.started = true;
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
        this.appendJsonl('http.jsonl', e.exchange satisfies HttpRecord);
        this.line(e.ts, `http ${e.exchange.method} ${e.exchange.url} -> ${e.exchange.status ?? e.exchange.error?.code} (${e.exchange.durationMs}ms)`);
        break;
      case 'run:end':
        this.line(e.ts, `run ${e.status} in ${e.durationMs}ms${e.error ? ` - ${e.error.code}: ${e.error.message}` : ''}`);
        break;
    }
  };

  /** One finished step, as steps.jsonl keeps it. */
  appendStep(record: StepRecord): void {
    this.appendJsonl('steps.jsonl', record);
  }

  /** Replaces the in-progress files; throws RUN_OUTPUT_UNWRITABLE (naming the run) if any write failed. */
  async finish(a: RunEnd): Promise<string> {
    const json = (v: unknown) => `${JSON.stringify(this.redactor.redact(v), null, 2)}\n`;
    this.close();
    if (!this.failure) {
      try {
        writeFileAtomicSync(path.join(this.runDir, 'job.case.resolved.json'), json(a.resolvedJob));
        writeFileAtomicSync(path.join(this.runDir, 'summary.json'), json(a.summary));
      } catch (err) {
        this.failure = err as Error;
      }
    }
    if (this.failure) throw unwritable(this.outputRoot, this.failure, this.runId);
    return this.runDir;
  }

  private line(ts: string, text: string): void {
    const line = `${ts} ${text.replace(/\r?\n/g, ' ')}`;
    if (!this.started) this.pending.push(line);
    else this.append('activity.log', `${this.redactor.redactText(line)}\n`);
  }

  private appendJsonl(file: string, row: unknown): void {
    this.append(file, `${JSON.stringify(this.redactor.redact(row))}\n`);
  }

  private append(file: string, text: string): void {
    const fd = this.fds.get(file);
    if (this.failure || !this.started || fd === undefined) return;
    try {
      // Synchronous, so the line is in the file before the run moves on (DESIGN 9).
      writeAll(fd, text);
    } catch (err) {
      this.failure = err as Error;
    }
  }

  /** Closes the growing files; finish calls it, and so does a run that ends without finishing. */
  close(): void {
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        /* already closed or gone: nothing more to keep */
      }
    }
    this.fds.clear();
  }
}

const GROWING = ['activity.log', 'steps.jsonl', 'http.jsonl'];

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
}

function unwritable(outputRoot: string, err: Error, runId?: string): DispatchError {
  const code = (err as NodeJS.ErrnoException).code;
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  return usageError('RUN_OUTPUT_UNWRITABLE', `Cannot write the run record${runId ? ` of run ${runId}` : ''} to ${outputRoot}: ${full ? 'the disk is full' : err.message}.`, {
    hint: runId
      ? `The steps ran, but their record is incomplete: dispatch job inspect --run-id ${runId} shows what was kept (its status stays RUNNING, listed as ABANDONED). Free space or point DISPATCH_RUN_OUTPUT at a writable folder before running again.`
      : 'Make the folder writable, or point DISPATCH_RUN_OUTPUT at a writable folder.',
    details: { outputRoot, ...(runId ? { runId } : {}), ...(code ? { errno: code } : {}) },
  });
}
