import { isDeepStrictEqual } from 'node:util';
import { DispatchError, usageError, type ExitCode } from '../errors.js';
import type { StepAnswerer } from '../engine/run-job.js';
import type { ErrorRecordRead, RunSummary, StepRecord } from './artifacts.js';

type Obj = Record<string, unknown>;

/** The first place a replay differs from its record; values are short JSON excerpts. */
export interface Divergence {
  /** Step id, or null when the difference is in the run as a whole (status, run values). */
  stepId: string | null;
  index?: number;
  /** What differs: `step`, `action`, `status`, `payload.<path>`, `response.<path>`, `exports`, `error`, `run.<path>`. */
  field: string;
  recorded: string;
  replayed: string;
}

/** Mutable state shared between the answerer (during the run) and the caller (after it). */
export interface ReplayState {
  divergence?: Divergence;
}

/**
 * Answers every step from steps.jsonl: the recorded response and exports, or the recorded error
 * thrown again. A step without a record, or sent a different payload, stops the replay there.
 * `interruptAfterRecord` aborts the run once the last record is answered when the original was
 * interrupted between steps, so the replay stops at the same place.
 */
export function answerFromRecord(records: StepRecord[], state: ReplayState, interruptAfterRecord?: () => void): StepAnswerer {
  const byId = new Map(records.map((r) => [r.id, r]));
  const last = records.at(-1);
  return async (step, payload) => {
    const rec = byId.get(step.id);
    const diverge = (field: string, recorded: string, replayed: string) => {
      state.divergence ??= { stepId: step.id, index: step.index, field, recorded, replayed };
      throw divergedError(state.divergence);
    };
    if (!rec) return diverge('step', '(no record of this step)', `${step.action} ran`);
    if (rec.action !== step.action) return diverge('action', brief(rec.action), brief(step.action));
    const diff = firstDifference(rec.payload ?? {}, payload ?? {}, 'payload');
    if (diff) return diverge(diff.path, brief(diff.recorded), brief(diff.replayed));
    if (rec === last && rec.status === 'SUCCESS') interruptAfterRecord?.();
    // A step whose handler answered but whose capture then failed recorded both: answer, and let the capture fail again.
    if (rec.error && rec.response === undefined) throw recordedError(rec.error);
    return { response: rec.response, exports: rec.exports ?? {}, ...(typeof rec.detail === 'string' ? { detail: rec.detail } : {}) };
  };
}

/** The parts of a run record a replay is compared on. */
type RecordPart = { summary: RunSummary; steps: StepRecord[] };

const STEP_FIELDS = ['action', 'status', 'payload', 'response', 'exports', 'detail', 'error'] as const;

/** Compares the replay's record with the original: step by step, then the run's status and values. */
export function compareRecords(recorded: RecordPart, replayed: RecordPart): Divergence | undefined {
  const n = Math.max(recorded.steps.length, replayed.steps.length);
  for (let i = 0; i < n; i++) {
    const r = recorded.steps[i];
    const p = replayed.steps[i];
    if (!r || !p || r.id !== p.id) {
      return {
        stepId: (r ?? p).id,
        index: i,
        field: 'step',
        recorded: r ? `${r.id} ${String(r.status)}` : '(not recorded)',
        replayed: p ? `${p.id} ${String(p.status)}${p.error ? ` ${p.error.code}` : ''}` : '(not run)',
      };
    }
    for (const field of STEP_FIELDS) {
      const diff = field === 'error' ? firstDifference(errorCore(r.error), errorCore(p.error), field) : firstDifference(r[field], p[field], field);
      if (diff) {
        // A status change is clearer with the error that caused it.
        const replayed = field === 'status' && p.error ? `${brief(p.status)} (${p.error.code}: ${clip(p.error.message)})` : brief(diff.replayed);
        return { stepId: r.id, index: i, field: diff.path, recorded: brief(diff.recorded), replayed };
      }
    }
  }
  const status = firstDifference(recorded.summary.status, replayed.summary.status, 'status');
  if (status) return { stepId: null, field: 'status', recorded: brief(status.recorded), replayed: brief(status.replayed) };
  const run = firstDifference(recorded.summary.run ?? {}, replayed.summary.run ?? {}, 'run');
  if (run) return { stepId: null, field: run.path, recorded: brief(run.recorded), replayed: brief(run.replayed) };
  return undefined;
}

/** Deep comparison of two JSON values; returns the first differing path, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, at: string): { path: string; recorded: unknown; replayed: unknown } | undefined {
  const x = normalise(a);
  const y = normalise(b);
  if (isDeepStrictEqual(x, y)) return undefined;
  const bothObjects = x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y);
  if (bothObjects) {
    const keys = new Set([...Object.keys(x as Obj), ...Object.keys(y as Obj)]);
    for (const k of keys) {
      const sub = Array.isArray(x) ? `${at}[${k}]` : `${at}.${k}`;
      const d = firstDifference((x as Obj)[k], (y as Obj)[k], sub);
      if (d) return d;
    }
  }
  return { path: at, recorded: x, replayed: y };
}

export function divergedError(d: Divergence): DispatchError {
  const where = d.stepId === null ? 'the run result' : `step "${d.stepId}"`;
  return usageError('REPLAY_DIVERGED', `Replay diverged at ${where}: ${d.field} was ${d.recorded} in the record but ${d.replayed} in the replay.`, {
    hint: 'The recorded job and steps.jsonl no longer agree (one was edited, or a capture no longer finds its value). Inspect the original step to see what was recorded.',
    details: { divergence: d },
  });
}

/** Makes a recorded step error throwable again, with its code, exit class, hint and details. */
function recordedError(e: ErrorRecordRead): DispatchError {
  const exit = e.exitCode ?? 1;
  return new DispatchError({
    code: e.code,
    exitCode: ([1, 2, 3, 4] as number[]).includes(exit) ? (exit as ExitCode) : 1,
    message: e.message,
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    ...(e.details ? { details: e.details } : {}),
  });
}

/** Hints may name the run id, so errors are compared by what failed, not how to follow up. */
function errorCore(e: unknown): unknown {
  if (!e || typeof e !== 'object') return e;
  const { code, message, exitCode } = e as Obj;
  return { code, message, exitCode };
}

/** JSON round trip: what the record would hold (undefined members dropped). */
function normalise(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

const BRIEF_CHARS = 200;
/** A value as short JSON text, for messages. */
function brief(v: unknown): string {
  return v === undefined ? '(absent)' : clip(JSON.stringify(v));
}

function clip(text: string): string {
  return text.length > BRIEF_CHARS ? `${text.slice(0, BRIEF_CHARS)}… (${text.length - BRIEF_CHARS} more characters)` : text;
}
