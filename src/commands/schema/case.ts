import type { OptionsOf } from '../../cli/command-options.js';
import { z } from 'zod';
import { JobSchema } from '../../job/schema.js';
import { ok, type CommandResult } from '../../output/envelope.js';

/** JSON Schema of a job case, generated from the zod schema (the single source of truth). */
export function jobCaseJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(JobSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://dispatchkit.dev/schemas/job-case.schema.json', title: 'dispatch job case' };
}

export async function schemaCase(_opts: { print?: boolean }): Promise<CommandResult> {
  return ok({ schema: jobCaseJsonSchema() });
}

export default (opts: OptionsOf<'schema case'>) => schemaCase(opts);
