import type { z } from 'zod';
import { flagMeta } from './command-options.js';

/** One option of a command as the CLI sees it, read off its zod schema. */
export interface FlagFacts {
  /** The options key (`runId`). */
  key: string;
  /** The long flag (`--run-id`). */
  long: string;
  /** `boolean` takes no value; `list` is repeatable. */
  kind: 'boolean' | 'value' | 'list';
  /** Placeholder of the value (`id` in `--run-id <id>`). */
  value?: string;
  description: string;
  required: boolean;
  default?: unknown;
  choices?: string[];
  cliOnly: boolean;
}

type Def = { type: string; innerType?: z.ZodType; defaultValue?: unknown };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** `runId` -> `--run-id`. */
export const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/** Walks the wrappers (optional, default) down to the value type, collecting what they say. */
function flagFacts(key: string, schema: z.ZodType): FlagFacts {
  let description = schema.description;
  let required = true;
  let defaultValue: unknown;
  let cur: z.ZodType = schema;
  for (;;) {
    const def = defOf(cur);
    if (def.type === 'optional') required = false;
    else if (def.type === 'default') {
      required = false;
      defaultValue = def.defaultValue;
    } else break;
    cur = def.innerType as z.ZodType;
    description ??= cur.description;
  }
  const meta = flagMeta.get(cur) ?? {};
  const type = defOf(cur).type;
  const kind = type === 'boolean' ? 'boolean' : type === 'array' ? 'list' : 'value';
  return {
    key,
    long: flagName(key),
    kind,
    ...(meta.value ? { value: meta.value } : {}),
    description: description ?? '',
    required,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    ...(meta.choices ? { choices: meta.choices } : {}),
    cliOnly: meta.cliOnly === true,
  };
}

/** Every option of an options object, in declaration order. */
export function flagsOf(options: z.ZodObject): FlagFacts[] {
  return Object.entries(options.shape).map(([key, schema]) => flagFacts(key, schema as z.ZodType));
}
