import type { HttpExchange } from '../http/types.js';

export type StepStatus = 'SUCCESS' | 'FAILED' | 'INTERRUPTED' | 'SKIPPED';
export type RunStatus = 'SUCCESS' | 'FAILED' | 'INTERRUPTED';

export type ErrorRecord = {
  code: string;
  message: string;
  exitCode: number;
  hint?: string;
  details?: Record<string, unknown>;
};

/** Typed events of one run; the human renderer, activity log and artifact writer consume them. */
export type RunEvent =
  | { type: 'run:start'; ts: string; runId: string; jobType: string; stepCount: number }
  | { type: 'step:start'; ts: string; id: string; index: number; action: string }
  | { type: 'step:log'; ts: string; id: string; level: 'info' | 'warn'; message: string }
  | { type: 'step:end'; ts: string; id: string; index: number; action: string; status: StepStatus; durationMs: number; error?: ErrorRecord }
  | { type: 'http'; ts: string; exchange: HttpExchange }
  | { type: 'run:end'; ts: string; runId: string; status: RunStatus; durationMs: number; error?: ErrorRecord };

export type RunEventListener = (event: RunEvent) => void;
