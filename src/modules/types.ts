import type { z } from 'zod';
import type { HttpClient } from '../http/types.js';

/** What an action handler returns. `response` is what the API said; `exports` are same-run values. */
export interface ActionResult {
  response: unknown;
  exports?: Record<string, unknown>;
  /** Free text for humans, recorded in steps.jsonl. */
  detail?: string;
}

export interface ActionLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Memory as seen by actions (namespaced durable JSON). */
export interface MemoryAccess {
  get(namespace: string, key: string): Promise<{ found: boolean; value?: unknown }>;
  set(namespace: string, key: string, value: unknown): Promise<void>;
  delete(namespace: string, key?: string): Promise<{ removed: boolean }>;
}

export interface ActionContext {
  /** The run's HTTP transport: job-level baseUrl, default headers and one cookie jar per run. */
  http: HttpClient;
  /** The resolved credential profile bound to this step, if any. */
  credential: Record<string, string> | undefined;
  memory: MemoryAccess;
  log: ActionLogger;
  /** Aborted when the run is interrupted. */
  signal: AbortSignal;
  /** Read-only run values (inputs and captures so far). */
  run: Readonly<Record<string, unknown>>;
  step: { id: string; index: number; action: string };
  /**
   * Calls another action by its `module.action` name with the same context rules
   * (payload validated against its schema). Used by flow.poll.
   */
  invoke(action: string, payload: unknown, options?: { attempt?: number }): Promise<ActionResult>;
}

export type ActionHandler<P = any> = (ctx: ActionContext, payload: P) => Promise<ActionResult> | ActionResult;

export interface ActionDefinition<S extends z.ZodType = z.ZodType> {
  description: string;
  schema: S;
  exports?: z.ZodType;
  credentialSchema?: z.ZodType;
  handler: ActionHandler<z.infer<S>>;
}

export interface ModuleDefinition {
  name: string;
  version: string;
  description?: string;
  actions: Record<string, ActionDefinition<any>>;
}

export type ModuleLayer = 'builtin' | 'repo' | 'user' | 'override';
