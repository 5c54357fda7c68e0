import path from 'node:path';
import type { OptionsOf } from '../../cli/command-options.js';
import type { RunExtras } from '../../cli/types.js';
import { colorsFor } from '../../output/colors.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { checkRedisUrl, connectRedis, DEFAULT_QUEUE, shownUrl } from '../../remote/connection.js';
import type { RemoteResult, RemoteRun } from '../../remote/protocol.js';
import { executeRemote, workerName, type WorkerPlace } from '../../remote/worker.js';
import { positiveInt } from '../job/batch-options.js';
import { homeOf, resolveBase } from '../context.js';

const MAX_CONCURRENCY = 256;

/**
 * `dispatch worker --redis <url>`: takes runs from the queue and executes them as local runs,
 * sending each record back. SIGINT/SIGTERM: no new runs, the ones in progress finish and are
 * sent, then it exits 0; a second signal exits at once, and the runs it held are taken over by
 * other workers when their lock expires (BullMQ's stalled-job recovery).
 */
export async function runWorker(opts: OptionsOf<'worker'>, x: RunExtras): Promise<CommandResult> {
  const url = checkRedisUrl(opts.redis);
  const concurrency = positiveInt(opts.concurrency ?? 4, '--concurrency', MAX_CONCURRENCY);
  const queue = opts.queue ?? DEFAULT_QUEUE;
  const base = resolveBase(opts);
  const root = path.join(homeOf(base), 'worker');
  const place: WorkerPlace = { projects: path.join(root, 'projects'), runs: path.join(root, 'runs'), scratch: path.join(root, 'scratch') };
  const redis = await connectRedis(url);
  const { Worker } = await import('../../vendor/queue.js');
  // How long a run stays claimed without a heartbeat before another worker takes it over.
  const lockMs = Number(process.env.DISPATCH_WORKER_LOCK_MS) || 30_000;
  const counts = { SUCCESS: 0, FAILED: 0, INTERRUPTED: 0, errors: 0 };
  const inFlight = new Set<AbortController>();
  const err = process.stderr;
  const c = colorsFor(err);
  const say = (line: string) => void (x.json ? undefined : err.write(`${line}\n`));
  const worker = new Worker<RemoteRun, RemoteResult>(
    queue,
    async (job) => {
      const controller = new AbortController();
      inFlight.add(controller);
      try {
        return await executeRemote(job.data, place, redis, controller.signal);
      } finally {
        inFlight.delete(controller);
      }
    },
    { connection: redis, concurrency, lockDuration: lockMs, stalledInterval: Math.max(500, Math.floor(lockMs / 2)), maxStalledCount: 10 },
  );
  worker.on('completed', (job, r) => {
    counts[r.status]++;
    say(`${r.status === 'SUCCESS' ? c.green('✓') : c.red('✗')} ${job.data.batchId} #${job.data.index} ${c.dim(`${r.runId} ${r.durationMs}ms`)}`);
  });
  worker.on('failed', (job, e) => {
    counts.errors++;
    say(`${c.red('✗')} ${job?.data.batchId ?? ''} #${job?.data.index ?? '?'} ${c.red(e.message)}`);
  });
  worker.on('error', (e) => say(`${c.yellow('!')} ${e.message}`));
  await worker.waitUntilReady();
  say(`${c.bold('dispatch worker')} ${workerName()} on queue ${queue} at ${shownUrl(url)}, ${concurrency} run(s) at once ${c.dim('(Ctrl-C stops after the runs in progress)')}`);
  await new Promise<void>((resolve) => (x.signal.aborted ? resolve() : x.signal.addEventListener('abort', () => resolve(), { once: true })));
  say(c.dim('stopping: finishing the runs in progress...'));
  await worker.close();
  redis.disconnect();
  return ok({ worker: workerName(), queue, redis: shownUrl(url), concurrency, runs: counts });
}

export default (opts: OptionsOf<'worker'>, x: RunExtras) => runWorker(opts, x);
