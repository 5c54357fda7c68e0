import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { jobKindOf } from '../job/load.js';
import type { JobKind } from '../job/schema.js';
import type { Registry, ResolvedAction } from './registry.js';
import type { ActionDefinition } from './types.js';
import { byString } from '../util/compare.js';

/** JSON Schemas of one action, all generated from its zod schemas (the single source of truth). */
export interface ActionSchemas {
  input: Record<string, unknown>;
  exports?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

/** A job file a module ships in its `jobs/` folder. */
interface ShippedJob {
  /** Logical id used by `dependencies.memory[].fill.job` (file name without its suffix). */
  id: string;
  kind: JobKind;
  file: string;
  path: string;
}

/**
 * zod → JSON Schema. A schema that cannot be represented (e.g. built with another zod major)
 * yields a permissive schema with the reason, so one odd action never hides the others.
 */
function jsonSchemaOf(schema: unknown, io: 'input' | 'output' = 'input'): { schema: Record<string, unknown>; problem?: string } {
  try {
    const out = z.toJSONSchema(schema as z.ZodType, { target: 'draft-2020-12', unrepresentable: 'any', io }) as Record<string, unknown>;
    return { schema: out };
  } catch (err) {
    const problem = `cannot be converted to JSON Schema: ${(err as Error).message}`;
    return { schema: { description: `(${problem})` }, problem };
  }
}

export function actionSchemas(def: ActionDefinition): { schemas: ActionSchemas; problems: string[] } {
  const problems: string[] = [];
  const one = (label: string, s: unknown, io: 'input' | 'output') => {
    const r = jsonSchemaOf(s, io);
    if (r.problem) problems.push(`${label} ${r.problem}`);
    return r.schema;
  };
  const schemas: ActionSchemas = { input: one('schema', def.schema, 'input') };
  if (def.exports) schemas.exports = one('exports', def.exports, 'output');
  if (def.credentialSchema) schemas.credentials = one('credentialSchema', def.credentialSchema, 'input');
  return { schemas, problems };
}

/** What `module inspect` and `schema action` show for one resolved action. */
export function describeAction(a: ResolvedAction) {
  const { schemas } = actionSchemas(a.definition);
  return {
    name: a.name,
    action: a.action,
    description: a.definition.description,
    servedBy: { module: a.module, version: a.version, layer: a.layer, path: a.path },
    credentialRequired: a.definition.credentialSchema !== undefined,
    schema: schemas,
  };
}

/** Effective actions of one module name, in declaration order of the module that owns the name. */
export function actionsOfModule(registry: Registry, name: string): ResolvedAction[] {
  return [...registry.actions.values()].filter((a) => a.name.startsWith(`${name}.`)).sort((a, b) => byString(a.action, b.action));
}

/** Job files in `<moduleDir>/jobs` (top level, like fill-job lookup), sorted by file name. */
export async function listShippedJobs(moduleDir: string): Promise<{ jobs: ShippedJob[]; ignored: string[] }> {
  const dir = path.join(moduleDir, 'jobs');
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return { jobs: [], ignored: [] };
  }
  const jobs: ShippedJob[] = [];
  const ignored: string[] = [];
  for (const e of entries.sort((a, b) => byString(a.name, b.name))) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const kind = jobKindOf(e.name);
    if (!kind) {
      ignored.push(`jobs/${e.name}`);
      continue;
    }
    const id = e.name.slice(0, -(kind === 'case' ? '.job.case.json' : '.job.seed.json').length);
    jobs.push({ id, kind, file: `jobs/${e.name}`, path: path.join(dir, e.name) });
  }
  return { jobs, ignored };
}
