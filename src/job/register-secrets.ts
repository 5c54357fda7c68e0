import type { Registry } from '../modules/registry.js';
import { isSensitiveEnvName, redactor, type Redactor } from '../output/redact.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;

/**
 * Tells the redactor what a job's secrets and names are, once the job is read (before validation
 * can print anything about it):
 * - every name of the job's structure (jobType, step ids, actions, capture, input and profile
 *   names, rule paths, every key) is protected, so masking a secret never rewrites it;
 * - every credential value is a secret, except fields the module declares non-secret
 *   (`.meta({ secret: false })` in its credentialSchema), and each pair of one profile's values is
 *   registered as the user:password a module may join into Basic auth;
 * - the value of every env var the job reads whose name says it is a secret (API_TOKEN, ...).
 * `registry` is there when the job's modules are loaded; without it every credential field counts.
 */
export function registerJobSecrets(raw: unknown, env: Env, registry?: Registry, r: Redactor = redactor): void {
  if (!isObj(raw)) return;
  protectNames(raw, r);
  const steps = Array.isArray((raw.scenario as Obj | undefined)?.steps) ? ((raw.scenario as Obj).steps as unknown[]) : [];
  const credentials = isObj(raw.credentials) ? raw.credentials : {};
  for (const [profile, def] of Object.entries(credentials)) {
    const fromEnv = isObj(def) && isObj(def.fromEnv) ? def.fromEnv : {};
    const open = registry ? nonSecretFields(profile, steps, registry) : new Set<string>();
    const values: string[] = [];
    for (const [field, envVar] of Object.entries(fromEnv)) {
      if (typeof envVar !== 'string' || !Object.hasOwn(env, envVar) || env[envVar] === undefined) continue;
      const value = env[envVar] as string;
      values.push(value);
      if (!open.has(field)) r.addSecret(value);
    }
    for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) r.addPair(values[i], values[j]);
  }
  for (const name of envNamesRead(raw)) if (isSensitiveEnvName(name) && Object.hasOwn(env, name)) r.addSecret(env[name]);
}

/** Fields of `profile` that every step binding it declares non-secret in its action's credentialSchema. */
function nonSecretFields(profile: string, steps: unknown[], registry: Registry): Set<string> {
  let open: Set<string> | undefined;
  for (const step of steps) {
    if (!isObj(step) || step.credential !== profile || typeof step.action !== 'string') continue;
    const schema = registry.get(step.action)?.definition.credentialSchema as { shape?: Record<string, unknown> } | undefined;
    const here = new Set(
      Object.entries(schema?.shape ?? {})
        .filter(([, s]) => metaOf(s)?.secret === false)
        .map(([f]) => f),
    );
    open = open ? new Set([...open].filter((f) => here.has(f))) : here;
  }
  return open ?? new Set();
}

/** zod v4 metadata of a field, looking through optional/nullable/default wrappers. */
function metaOf(schema: unknown, depth = 0): { secret?: unknown } | undefined {
  const s = schema as { meta?: () => unknown; _zod?: { def?: { innerType?: unknown } } } | undefined;
  const meta = typeof s?.meta === 'function' ? (s.meta() as { secret?: unknown } | undefined) : undefined;
  if (meta && 'secret' in meta) return meta;
  const inner = s?._zod?.def?.innerType;
  return inner && depth < 5 ? metaOf(inner, depth + 1) : undefined;
}

function protectNames(raw: Obj, r: Redactor): void {
  r.protect(raw.jobType);
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    for (const [k, x] of Object.entries(v)) {
      r.protect(k);
      walk(x, depth + 1);
    }
  };
  walk(raw, 0);
  const steps = (raw.scenario as Obj | undefined)?.steps;
  for (const step of Array.isArray(steps) ? steps : []) {
    if (!isObj(step)) continue;
    r.protect(step.id);
    if (typeof step.action === 'string') {
      r.protect(step.action);
      step.action.split('.').forEach((part) => r.protect(part));
    }
    r.protect(step.credential);
  }
  for (const rule of Array.isArray(raw.assertions) ? raw.assertions : []) if (isObj(rule)) r.protect(rule.path);
  for (const def of Object.values(isObj(raw.credentials) ? raw.credentials : {})) {
    for (const envVar of Object.values(isObj(def) && isObj(def.fromEnv) ? def.fromEnv : {})) r.protect(envVar);
  }
}

/** Names of the env vars a job reads through ${env.NAME} or ${env.NAME:-fallback}, anywhere in it. */
function envNamesRead(raw: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]);
      return;
    }
    if (depth > 64 || v === null || typeof v !== 'object') return;
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
  };
  walk(raw, 0);
  return names;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
