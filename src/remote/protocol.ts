/*
 * What a producer (run-many/job test --redis) and a worker (dispatch worker) exchange through the
 * queue. Secrets never travel: the job file as written (it names env vars, never their values), the
 * --set/--data values the user gave, and module bundles. Each worker resolves credentials and
 * ${env.*} from its own environment.
 */

/** One module a job needs from the repo or user layer, as a `module pack` bundle stored in Redis. */
export interface BundleRef {
  name: string;
  /** sha256 of the bundle bytes: the Redis key and the worker's cache folder. */
  hash: string;
}

/** The data of one queue job: one run of a batch. */
export interface RemoteRun {
  batchId: string;
  index: number;
  /** The job file's path as the producer shows it (records keep it). */
  casePath: string;
  /** The job file's text, as read. */
  jobText: string;
  bundles: BundleRef[];
  setValues: Record<string, unknown>;
  runValues: Record<string, unknown>;
  timeoutMs?: number;
  /** The run id's command segment: job-run-many or job-test. */
  command: string;
}

/** What a worker returns for a run: its outcome and its record as an export archive (base64). */
export interface RemoteResult {
  runId: string;
  status: 'SUCCESS' | 'FAILED' | 'INTERRUPTED';
  durationMs: number;
  exitCode: number;
  error?: { code: string; message: string };
  archive: string;
  /** The worker that ran it (hostname:pid), for batch-inspect. */
  worker: string;
}

/** One queue job per run index; the id makes enqueueing the same index twice a no-op. */
export const jobIdOf = (batchId: string, index: number) => `${batchId}-i${index}`;

export const bundleKey = (hash: string) => `dispatch:bundle:${hash}`;

/** Bundles and results outlive a batch by a day, so an interrupted producer can gather them later. */
export const KEEP_SECONDS = 24 * 3600;
