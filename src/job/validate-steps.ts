import { z } from 'zod';
import { pollPayloadSchema } from '../modules/builtin/flow.js';
import type { Registry } from '../modules/registry.js';
import type { ActionDefaults } from '../state/defaults.js';
import { deepMerge } from '../util/merge.js';
import { didYouMean, jsonPathOf, type Problems } from './problems.js';
import { isBroken, salvage } from './salvage.js';
import { checkPayloadSchema } from './validate-payload.js';
import type { Job, JobKind, Step } from './schema.js';
import { checkReferences, type RefTracking } from './validate-refs.js';
import { checkMemoryDependencies, checkMemoryPayload } from './validate-memory.js';
import { checkRule, checkRulePath, hasInterpolation } from './validate-rules.js';

interface StepCheckOptions {
  kind: JobKind;
  registry: Registry;
  env: Record<string, string | undefined>;
  defaults?: ActionDefaults;
  replay?: boolean;
  inputNames: Set<string>;
  stepIds: Set<string>;
  /** Ids as written (a step that failed its schema still has the id its author gave it). */
  rawStepIds?: Array<string | undefined>;
  problems: Problems;
  memoryWriteActions: Set<string>;
  /** JSON paths of parts that failed their schema (see salvage.ts). */
  broken: ReadonlySet<string>;
  track?: RefTracking;
}

/** Per-job state of the credential checks: each profile and each (profile, action) is judged once. */
interface CredentialState {
  /** Profile name -> its env values, or undefined when some are missing or the profile is broken. */
  values: Map<string, Record<string, string> | undefined>;
  /** Findings already made: "<profile> <action>" fits, and "<step path>" unknown profiles. */
  judged: Set<string>;
  used: Set<string>;
}

/**
 * Per-step checks: ids, actions, kind rules, payload schemas, references, captures, credentials.
 * A step may be partial (salvaged field by field from one that failed its schema): every field
 * that is there is checked, and nothing is inferred from a field that is not.
 */
export function checkSteps(job: Job, o: StepCheckOptions): void {
  const seen = new Set<string>();
  const runNames = new Set(o.inputNames);
  let uncertain = o.broken.has('$.inputs');
  const creds: CredentialState = { values: new Map(), judged: new Set(), used: new Set() };
  (job.scenario.steps as Array<Partial<Step> | undefined>).forEach((step, i) => {
    const rawId = o.rawStepIds?.[i];
    if (!step) {
      // Not an object at all (already reported): later steps may still refer to its id.
      if (rawId) seen.add(rawId);
      return;
    }
    const at = `$.scenario.steps[${i}]`;
    const id = step.id ?? rawId;
    if (step.id !== undefined && seen.has(step.id)) o.problems.error(`${at}.id`, 'DUPLICATE_STEP_ID', `Step id "${step.id}" is used twice.`, 'Give every step a unique id.');
    const action = step.action !== undefined ? checkAction(step.action, `${at}.action`, o) : undefined;
    const defaults = step.action !== undefined ? o.defaults?.[step.action] : undefined;
    const payload = defaults ? deepMerge(defaults, step.payload ?? {}) : step.payload;
    // `seen` itself, not a copy: the check reads it synchronously before this step is added, and a
    // copy per step made validation quadratic (20,000 steps took about a minute).
    checkReferences(
      payload ?? {},
      `${at}.payload`,
      { env: o.env, runNames, earlierSteps: seen, allSteps: o.stepIds, allow: { run: true, step: true }, skipEnv: o.replay, runNamesUncertain: uncertain, track: o.track },
      o.problems,
    );
    if (action) checkPayloadSchema(action.definition.schema as z.ZodType, payload, ['scenario', 'steps', i, 'payload'], o.problems, o.registry);
    const credentialBroken = o.broken.has(`${at}.credential`);
    if (step.action === 'flow.poll') checkPollInner(payload, `${at}.payload`, { job, step, at, id, credentialBroken, creds }, o);
    if (step.action !== undefined) checkMemoryPayload(step.action, payload, `${at}.payload`, o.problems, o.env);
    if (step.credential !== undefined) {
      creds.used.add(step.credential);
      checkCredential(job, step.credential, action?.name ?? step.action ?? '', { at, id }, o, creds);
    } else if (action?.definition.credentialSchema && !o.replay && !credentialBroken) {
      o.problems.error(
        `${at}.credential`,
        'CREDENTIAL_REQUIRED',
        `Action ${action.name} needs a credential, but step "${id}" binds none.`,
        `Add "credential": "<profile>" to the step and define the profile under credentials with fromEnv.`,
      );
    }
    for (const [name, path] of Object.entries(step.capture ?? {})) {
      // A capture whose path is broken still names the run value later steps read.
      if (typeof path === 'string') checkCapturePath(path, `${at}.capture.${name}`, o.problems);
      runNames.add(name);
    }
    // A capture block that is not an object names nothing we can read: later run.* are unknowable.
    if (o.broken.has(`${at}.capture`)) uncertain = true;
    if (id !== undefined) seen.add(id);
  });
  checkMemoryDependencies(job, o.problems, o.env);
  for (const name of Object.keys(job.credentials ?? {})) {
    if (!creds.used.has(name)) o.problems.warn(`$.credentials.${name}`, 'CREDENTIAL_UNUSED', `Credential profile "${name}" is not bound to any step.`);
  }
}

function checkAction(name: string, where: string, o: StepCheckOptions) {
  const kindProblem = o.kind === 'case' && o.memoryWriteActions.has(name);
  if (kindProblem) {
    o.problems.error(
      where,
      'MEMORY_WRITE_IN_CASE',
      `${name} writes memory, which a *.job.case.json file may not do.`,
      'Move memory writes into a *.job.seed.json job; case jobs may only use memory.recall.',
    );
  }
  const action = o.registry.get(name);
  const [modName, actName] = name.split('.');
  const brokenOverride = o.registry.errors.find((e) => e.layer === 'override' && e.module === modName && e.action === actName);
  if (brokenOverride) {
    // Running the original instead of the override the user registered would be a silent lie.
    o.problems.error(
      where,
      'OVERRIDE_BROKEN',
      `The runtime override for ${name} (${brokenOverride.path}) failed to load: ${brokenOverride.reason}`,
      `Fix the override, or remove it: dispatch runtime unset --action ${name}`,
    );
    return undefined;
  }
  if (action) return action;
  const [moduleName, actionName] = name.split('.');
  const mod = o.registry.findModule(moduleName);
  const failed = o.registry.errorFor(moduleName);
  let hint: string;
  if (mod) {
    const names = Object.keys(mod.definition.actions);
    const guess = didYouMean(actionName, names);
    hint = guess ? `Did you mean ${moduleName}.${guess}?` : `Module ${moduleName} has: ${names.map((a) => `${moduleName}.${a}`).join(', ')}.`;
  } else if (failed) {
    hint = `Module ${moduleName} failed to load from ${failed.path}: ${failed.reason}`;
  } else {
    const guess = didYouMean(name, o.registry.actions.keys());
    hint = guess ? `Did you mean ${guess}? (dispatch module list shows every action)` : 'dispatch module list shows the modules and actions available.';
  }
  o.problems.error(where, 'UNKNOWN_ACTION', `Unknown action "${name}".`, hint);
  return undefined;
}

interface PollStep {
  job: Job;
  step: Partial<Step>;
  at: string;
  id: string | undefined;
  credentialBroken: boolean;
  creds: CredentialState;
}

function checkPollInner(payload: unknown, at: string, s: PollStep, o: StepCheckOptions): void {
  // The inner action decides what the step may do (a case job must never write memory), so it
  // has to be known before the run: a computed name is refused rather than trusted.
  const innerName = (payload as { action?: unknown } | null)?.action;
  if (typeof innerName === 'string' && hasInterpolation(innerName)) {
    o.problems.error(
      `${at}.action`,
      'POLL_ACTION_DYNAMIC',
      'The action flow.poll calls must be written literally, not computed with ${...}.',
      'Write the module.action name itself; use the inner payload for values that vary.',
    );
    return;
  }
  // Field by field, like a broken step: a bad or interpolated intervalMs must not hide the rules.
  // (Problems in the poll payload itself were reported against the flow.poll schema.)
  const schema = pollPayloadSchema();
  const p = salvage(schema, payload, new Set()) as Partial<z.infer<typeof schema>> | undefined;
  if (!p || typeof p !== 'object') return;
  if (p.action !== undefined) {
    const inner = checkAction(p.action, `${at}.action`, o);
    if (p.action === 'flow.poll') o.problems.error(`${at}.action`, 'POLL_NESTED', 'flow.poll cannot poll flow.poll.');
    checkMemoryPayload(p.action, p.payload, `${at}.payload`, o.problems, o.env);
    if (inner) {
      const merged = o.defaults?.[p.action] ? deepMerge(o.defaults[p.action], p.payload ?? {}) : p.payload;
      checkPayloadSchema(inner.definition.schema as z.ZodType, merged, [...pathSegments(at), 'payload'], o.problems, o.registry);
      // The inner action receives the poll step's credential: its requirement is the step's.
      if (inner.definition.credentialSchema && !o.replay) {
        if (s.step.credential !== undefined) checkCredential(s.job, s.step.credential, inner.name, { at: s.at, id: s.id }, o, s.creds);
        else if (!s.credentialBroken) {
          o.problems.error(
            `${s.at}.credential`,
            'CREDENTIAL_REQUIRED',
            `flow.poll calls ${inner.name}, which needs a credential, but step "${s.id}" binds none.`,
            'Add "credential": "<profile>" to the flow.poll step; the inner action receives it on every attempt.',
          );
        }
      }
    }
  }
  p.conditions?.rules?.forEach((r, i) => checkRule(r, `${at}.conditions.rules[${i}]`, o.problems));
  p.failWhen?.rules?.forEach((r, i) => checkRule(r, `${at}.failWhen.rules[${i}]`, o.problems));
  for (const [name, path] of Object.entries(p.store ?? {})) if (typeof path === 'string') checkRulePath(path, `${at}.store.${name}`, o.problems);
}

/**
 * A step's credential binding, checked for `action`. The profile's env vars are checked once per
 * profile and its fit to an action once per (profile, action), at the profile, however many steps
 * bind it.
 */
function checkCredential(job: Job, name: string, action: string, step: { at: string; id?: string }, o: StepCheckOptions, creds: CredentialState): void {
  const profiles = job.credentials ?? {};
  if (!Object.hasOwn(profiles, name)) {
    // A credentials section that is not an object was reported; which profiles it meant is unknown.
    if (creds.judged.has(step.at) || o.broken.has('$.credentials')) return; // a flow.poll step is checked for itself and its inner action
    creds.judged.add(step.at);
    const guess = didYouMean(name, Object.keys(profiles));
    o.problems.error(
      `${step.at}.credential`,
      'CREDENTIAL_UNKNOWN',
      `Step "${step.id}" binds credential "${name}", which is not defined under credentials.`,
      guess ? `Did you mean "${guess}"?` : 'Define it: "credentials": {"name": {"fromEnv": {"username": "MY_USER_VAR"}}}.',
    );
    return;
  }
  if (o.replay) return;
  const where = jsonPathOf(['credentials', name]);
  if (!creds.values.has(name)) creds.values.set(name, profileValues(profiles[name], name, where, o));
  const values = creds.values.get(name);
  const schema = o.registry.get(action)?.definition.credentialSchema as z.ZodType | undefined;
  const key = `${name} ${action}`;
  if (!schema || !values || creds.judged.has(key)) return;
  creds.judged.add(key);
  const res = schema.safeParse(values);
  if (res.success) return;
  for (const issue of res.error.issues) {
    // Field names only: the message must never echo a secret value.
    const field = issue.path.join('.');
    o.problems.error(
      `${where}.fromEnv${field ? `.${field}` : ''}`,
      'CREDENTIAL_INVALID',
      `Credential "${name}" does not fit ${action}: ${field || 'profile'} ${issue.code === 'invalid_type' ? 'is missing or of the wrong type' : 'is invalid'}.`,
      `dispatch schema action --name ${action} --print shows the credential fields it expects.`,
    );
  }
}

/** A profile's env values, reporting unset and empty vars; undefined when any is missing or the profile is broken. */
function profileValues(profile: { fromEnv?: Record<string, string | undefined> } | undefined, name: string, where: string, o: StepCheckOptions): Record<string, string> | undefined {
  // A profile that failed its schema was reported there; judging its fit would only guess.
  let complete = !!profile?.fromEnv && !isBroken(o.broken, where);
  const values: Record<string, string> = {};
  for (const [field, envVar] of Object.entries(profile?.fromEnv ?? {})) {
    if (typeof envVar !== 'string') continue;
    const v = o.env[envVar];
    if (v === undefined || v === '') {
      complete = false;
      const state = v === undefined ? 'which is not set' : 'which is set but empty';
      o.problems.error(
        `${where}.fromEnv${jsonPathOf([field]).slice(1)}`,
        'CREDENTIAL_ENV_MISSING',
        `Credential "${name}" field "${field}" reads ${envVar}, ${state}.`,
        `${v === undefined ? 'Export' : 'Give a value to'} ${envVar} (e.g. in .envrc, or as a CI secret).`,
      );
    } else values[field] = v;
  }
  return complete ? values : undefined;
}

function checkCapturePath(path: string, where: string, problems: Problems): void {
  const ok = path.startsWith('$') || /^(response|exports|http)(\.|\[|$)/.test(path);
  if (!ok) {
    problems.error(
      where,
      'CAPTURE_PATH',
      `Capture path "${path}" must start with response, exports, http or $ (JSONPath on {response, exports, http}).`,
      'Examples: "response.id", "exports.generatedId", "http[0].headers.location", "$.response.items[0].id".',
    );
    return;
  }
  checkRulePath(path, where, problems);
}

function pathSegments(at: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of at.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}
