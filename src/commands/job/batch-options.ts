import type { RunExtras } from '../../cli/types.js';
import type { RunOutcome } from '../../engine/run-job.js';
import { usageError } from '../../errors.js';
import { executePrepared } from '../../job/execute.js';
import { isBatchId } from '../../runs/batch.js';
import { withRunTimeout } from '../../util/sleep.js';
import type { BaseOptions } from '../context.js';
import type { PreparedJob } from './prepare.js';

/* Options job run-many and job test share: counts, concurrency and CI shards. */

/** `--shard i/n`: the runs whose index modulo n is i-1, so n shards split a batch without overlap. */
export function parseShard(text: string | undefined): { index: number; total: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || index < 1 || total < 1 || index > total) {
    throw usageError('BAD_OPTION', `--shard ${JSON.stringify(text)} is not i/n with 1 <= i <= n.`, { hint: 'Example: --shard 2/4 runs the second quarter of the batch (in a CI matrix of 4 jobs).' });
  }
  return { index, total };
}

/** A whole number in 1..max, from a flag's text or a program's number. */
export function positiveInt(value: string | number, flag: string, max: number): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw usageError('BAD_OPTION', `${flag} must be a whole number from 1 to ${max}, got "${value}".`, { hint: `Example: ${flag} ${flag === '--count' ? 10 : 4}` });
  }
  return n;
}

/**
 * Runs `work` for slots 0..count-1, at most `concurrency` at once, in slot order. The command's
 * signal stops new starts and aborts the work in flight; `stopAfter` returning true stops new
 * starts too (a record that cannot be written, --fail-fast). Slots never started stay undefined.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  signal: AbortSignal,
  work: (slot: number, signal: AbortSignal) => Promise<T>,
  stopAfter: (result: T) => boolean,
): Promise<Array<T | undefined>> {
  const results: Array<T | undefined> = new Array(count).fill(undefined);
  // One listener on the command's signal fans out to per-slot controllers, so hundreds of runs
  // do not pile listeners onto a single AbortSignal.
  const inFlight = new Set<AbortController>();
  const onAbort = () => inFlight.forEach((c) => c.abort(signal.reason));
  signal.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && !signal.aborted && next < count) {
      const slot = next++;
      const controller = new AbortController();
      inFlight.add(controller);
      const result = await work(slot, controller.signal).finally(() => inFlight.delete(controller));
      results[slot] = result;
      if (stopAfter(result)) stopped = true;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return results;
}

/**
 * `--resume <batchId>` (with --redis): the batch to re-attach to. Its runs that finished meanwhile
 * are gathered from the queue, the ones never sent are sent (an index already queued is not sent
 * twice), and the record is written under the same id.
 */
export function resumeId(text: string | undefined, redis: URL | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!redis) throw usageError('RESUME_NEEDS_REDIS', '--resume re-attaches to a batch sent to workers: give it with --redis <url>.', { hint: 'A local batch cannot be resumed; run it again.' });
  if (!isBatchId(text))
    throw usageError('BAD_OPTION', `--resume ${JSON.stringify(text)} is not a batch id (YYYYMMDD-HHMMSS-batch-<7 hex>).`, {
      hint: 'Use the batchId the interrupted command printed, with the same --case (or paths), --count and --data.',
    });
  return text;
}

/** One run of a batch or suite: `run.index` and `run.batchId` set, the batch in its meta.json, its own time limit. */
export function executeInBatch(
  base: BaseOptions,
  prepared: PreparedJob,
  o: { casePath: string; outputRoot: string; batchId: string; index: number; setValues: Record<string, unknown>; timeoutMs?: number; signal: AbortSignal; x: RunExtras; command: string },
): Promise<RunOutcome> {
  return withRunTimeout(o.signal, o.timeoutMs, (runSignal) =>
    executePrepared(base, prepared, {
      casePath: o.casePath,
      outputRoot: o.outputRoot,
      setValues: o.setValues,
      runValues: { index: o.index, batchId: o.batchId },
      signal: runSignal,
      ...(o.x.verbose ? { onEvent: o.x.verbose } : {}),
      argv: o.x.argv,
      meta: { batchId: o.batchId, batchIndex: o.index },
      command: o.command,
    }),
  );
}
