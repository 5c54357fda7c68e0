import fs from 'node:fs/promises';
import path from 'node:path';
import { isDispatchError, notFoundError, usageError, type ExitCode } from '../errors.js';
import { loadJobFile } from '../job/load.js';
import { validateJob } from '../job/validate.js';
import { actionSchemas, listShippedJobs } from './describe.js';
import { importEntryDefault, loadRegistry } from './loader.js';
import { readManifest, type ModuleManifest } from './manifest.js';
import type { LoadedModule } from './registry.js';
import type { ModuleDefinition } from './types.js';

/** One problem found in a module folder: which file, where inside it, and what to do. */
export interface ModuleFinding {
  file: string;
  path?: string;
  code: string;
  message: string;
  hint?: string;
  exitCode: ExitCode;
}

interface ModuleCheck {
  dir: string;
  manifest?: ModuleManifest;
  module?: LoadedModule;
  actions: string[];
  jobs: Array<{ file: string; kind: string; valid: boolean }>;
  errors: ModuleFinding[];
  warnings: ModuleFinding[];
}

// Problems that depend on the machine's environment, not on the module: a shipped job that reads
// an unset env var is still a correct job, so validation reports them as warnings.
const ENV_CODES = new Set(['ENV_MISSING', 'CREDENTIAL_ENV_MISSING']);
const ENV_FOLLOW_UPS = new Set(['HTTP_REQUIRED_MISSING', 'HTTP_CONFIG']);
const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Loads a module folder and checks its manifest, definition, action schemas and shipped jobs. */
export async function checkModuleDir(dirArg: string, base: { cwd: string; root: string; home: string; env: Record<string, string | undefined> }): Promise<ModuleCheck> {
  const dir = path.resolve(base.cwd, dirArg);
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat) throw notFoundError('MODULE_PATH_NOT_FOUND', `Module folder ${dirArg} does not exist.`, { hint: 'Pass the folder that holds module.json, e.g. --path modules/payments.' });
  if (!stat.isDirectory()) throw usageError('MODULE_PATH_INVALID', `${dirArg} is not a folder.`, { hint: 'Pass the folder that holds module.json, not a file inside it.' });

  const check: ModuleCheck = { dir, actions: [], jobs: [], errors: [], warnings: [] };
  const err = (f: Omit<ModuleFinding, 'exitCode'>, exitCode: ExitCode = 2) => check.errors.push({ ...f, exitCode });
  const warn = (f: Omit<ModuleFinding, 'exitCode'>) => check.warnings.push({ ...f, exitCode: 0 });

  let entryPath: string;
  try {
    ({ manifest: check.manifest, entryPath } = await readManifest(dir));
  } catch (e) {
    if (!isDispatchError(e)) throw e;
    err({ file: 'module.json', code: e.code, message: e.message, hint: e.hint }, e.exitCode);
    return check;
  }
  const manifest = check.manifest!;
  const entryFile = path.relative(dir, entryPath).split(path.sep).join('/');
  let value: unknown;
  try {
    value = await importEntryDefault(entryPath);
  } catch (e) {
    err({ file: entryFile, code: 'MODULE_IMPORT_FAILED', message: (e as Error).message, hint: 'Build the entry file (module.json "entry" names the runtime file) and make sure it imports cleanly.' });
    return check;
  }
  const def = checkDefinition(value, manifest, entryFile, err, warn);
  if (!def) return check;
  check.actions = Object.keys(def.actions).map((a) => `${manifest.name}.${a}`);
  // Shipped jobs are still checked when some actions are broken, against the actions that are sound.
  const sound = Object.fromEntries(Object.entries(def.actions).filter(([name]) => !check.errors.some((e) => e.path === `actions.${name}` || e.path?.startsWith(`actions.${name}.`))));
  const loaded: LoadedModule = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? def.description,
    layer: 'repo',
    dir,
    definition: { ...def, name: manifest.name, actions: sound },
  };
  if (check.errors.length === 0) check.module = loaded;

  const { jobs, ignored } = await listShippedJobs(dir);
  for (const file of ignored) warn({ file, code: 'JOB_FILE_KIND', message: `${file} is not a job file name and is ignored.`, hint: 'Shipped jobs end in .job.case.json or .job.seed.json.' });
  if (jobs.length === 0) return check;
  const registry = await loadRegistry({ cwd: base.root, home: base.home });
  // The folder being checked serves its own actions, whatever the layers hold.
  registry.addModule(loaded);
  for (const job of jobs) {
    const before = check.errors.length;
    try {
      const loaded = await loadJobFile(job.path, base.cwd);
      const v = validateJob(loaded.raw, { kind: loaded.kind, registry, env: base.env, defaults: {}, sourceText: loaded.text });
      const envMissing = v.errors.some((p) => ENV_CODES.has(p.code));
      for (const p of v.errors) {
        const soft = ENV_CODES.has(p.code) || (envMissing && ENV_FOLLOW_UPS.has(p.code));
        (soft ? warn : (f: Omit<ModuleFinding, 'exitCode'>) => err(f, p.exitCode))({ file: job.file, path: p.path, code: p.code, message: p.message, hint: p.hint });
      }
      for (const p of v.warnings) warn({ file: job.file, path: p.path, code: p.code, message: p.message, hint: p.hint });
    } catch (e) {
      if (!isDispatchError(e)) throw e;
      err({ file: job.file, code: e.code, message: e.message, hint: e.hint }, e.exitCode);
    }
    check.jobs.push({ file: job.file, kind: job.kind, valid: check.errors.length === before });
  }
  return check;
}

type Report = (f: Omit<ModuleFinding, 'exitCode'>) => void;

function checkDefinition(value: unknown, manifest: ModuleManifest, file: string, err: Report, warn: Report): ModuleDefinition | undefined {
  const mod = value as Partial<ModuleDefinition> | undefined;
  if (!mod || typeof mod !== 'object' || !mod.actions || typeof mod.actions !== 'object') {
    err({
      file,
      code: 'MODULE_SHAPE',
      message: `${file} must default-export defineModule({ name, version, actions }).`,
      hint: "export default defineModule({ name, version, actions: { ... } }) with defineModule imported from 'dispatchkit'.",
    });
    return undefined;
  }
  if (mod.name !== manifest.name)
    err({
      file,
      path: 'name',
      code: 'MODULE_NAME_MISMATCH',
      message: `The entry names the module ${JSON.stringify(mod.name)}, but module.json names it "${manifest.name}".`,
      hint: 'Use the same name in both places.',
    });
  if (mod.version !== manifest.version)
    err({
      file,
      path: 'version',
      code: 'MODULE_VERSION_MISMATCH',
      message: `The entry says version ${JSON.stringify(mod.version)}, but module.json says "${manifest.version}".`,
      hint: 'Bump both together; dependency ranges are checked against module.json.',
    });
  const names = Object.keys(mod.actions);
  if (names.length === 0) warn({ file, path: 'actions', code: 'NO_ACTIONS', message: 'The module declares no actions.' });
  for (const name of names) {
    const at = `actions.${name}`;
    const a = (mod.actions as unknown as Record<string, Record<string, unknown> | undefined>)[name];
    if (!ACTION_NAME.test(name))
      err({
        file,
        path: at,
        code: 'ACTION_NAME',
        message: `Action name "${name}" may only use letters, digits, "_" and "-" (and must not start with "_" or "-").`,
        hint: 'Use kebab-case names such as "create-user".',
      });
    if (!a || typeof a !== 'object') {
      err({ file, path: at, code: 'ACTION_SHAPE', message: `Action "${name}" is not an object.`, hint: 'Declare it with defineAction({ description, schema, handler }).' });
      continue;
    }
    if (typeof a.description !== 'string' || a.description.trim() === '')
      err({
        file,
        path: `${at}.description`,
        code: 'ACTION_DESCRIPTION',
        message: `Action "${name}" has no description.`,
        hint: 'Say in one line what the action does; module inspect and agents read it.',
      });
    if (typeof a.handler !== 'function') err({ file, path: `${at}.handler`, code: 'ACTION_HANDLER', message: `Action "${name}" has no handler function.` });
    for (const key of ['schema', 'exports', 'credentialSchema'] as const) {
      if (a[key] === undefined && key !== 'schema') continue;
      if (typeof (a[key] as { safeParse?: unknown } | undefined)?.safeParse !== 'function') {
        err({
          file,
          path: `${at}.${key}`,
          code: 'ACTION_SCHEMA',
          message: `Action "${name}" ${key} is ${a[key] === undefined ? 'missing' : 'not a zod schema'}.`,
          hint: "Build schemas with the z exported by 'dispatchkit'.",
        });
      }
    }
    if (typeof (a.schema as { safeParse?: unknown } | undefined)?.safeParse === 'function') {
      // An error, not a warning: agents and `schema action` depend on the published schema, and a
      // schema from another zod major (a project's zod 3) cannot be published at all.
      for (const p of actionSchemas(a as never).problems)
        err({
          file,
          path: at,
          code: 'SCHEMA_NOT_REPRESENTABLE',
          message: `Action "${name}" ${p}.`,
          hint: "Build the schema with the z exported by 'dispatchkit' (zod 4), so inspect, schema action and agents can read it.",
        });
    }
  }
  return mod as ModuleDefinition;
}

/** Exit class of a check: input errors first, then not-found. */
export function checkExitCode(findings: ModuleFinding[]): ExitCode {
  if (findings.length === 0) return 0;
  return findings.some((f) => f.exitCode === 2) ? 2 : findings[0].exitCode;
}
