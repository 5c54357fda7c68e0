import type { Job } from '../job/schema.js';
import type { Registry } from '../modules/registry.js';
import { isPlainObject } from '../util/merge.js';

/**
 * The job as it ran: http and inputs resolved, each executed step's payload as sent (defaults
 * merged). Literal "${" in resolved values is written as "$${" so the document is itself a
 * valid job that interpolates to the same values, which is what replay runs.
 */
export function buildResolvedJob(job: Job, r: { http?: unknown; inputs: Record<string, unknown>; payloads: Map<number, unknown> }): Job {
  const steps = job.scenario.steps.map((s, i) => (r.payloads.has(i) ? { ...s, payload: escapeTemplates(r.payloads.get(i)) } : s));
  return {
    ...job,
    ...(job.http ? { http: r.http ? (escapeTemplates(r.http) as Job['http']) : job.http } : {}),
    ...(job.inputs ? { inputs: escapeTemplates(r.inputs) as Record<string, unknown> } : {}),
    scenario: { ...job.scenario, steps },
  };
}

function escapeTemplates(v: unknown): unknown {
  // A replacer function, because "$$" in a replacement string collapses to a single "$".
  if (typeof v === 'string') return v.includes('${') ? v.replaceAll('${', () => '$${') : v;
  if (Array.isArray(v)) return v.map(escapeTemplates);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: escapeTemplates(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** module_resolution.json: which module, version, layer and path served each action the job uses. */
export function moduleResolutionFor(job: Job, registry: Registry): Record<string, unknown> {
  const names = new Set<string>();
  for (const s of job.scenario.steps) {
    names.add(s.action);
    if (s.action === 'flow.poll' && isPlainObject(s.payload) && typeof s.payload.action === 'string') names.add(s.payload.action);
  }
  const actions: Record<string, unknown> = {};
  for (const name of [...names].sort()) {
    const a = registry.get(name);
    actions[name] = a ? { module: a.module, version: a.version, layer: a.layer, path: a.path } : { unresolved: true };
  }
  return { actions };
}
