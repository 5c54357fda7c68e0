/** Public API of dispatchkit for module authors and programs. */
export { z } from 'zod';
export { defineAction, defineModule } from './modules/define.js';
export type { ActionContext, ActionDefinition, ActionHandler, ActionResult, ActionLogger, MemoryAccess, ModuleDefinition, ModuleLayer } from './modules/types.js';
export type { HttpClient, HttpRequestOptions, HttpResponse, HttpExchange } from './http/types.js';
export { DispatchError, EXIT, type ExitCode, type NextHint } from './errors.js';
export type { Job, Step, Rule } from './job/schema.js';
export { runJob, validateJob, assertRun, loadRun, testJobs } from './sdk/index.js';
export type * from './sdk/types.js';
