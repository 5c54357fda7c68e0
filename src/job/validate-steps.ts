import { z } from 'zod';
import { PollPayloadSchema } from '../modules/builtin/flow.js';
import type { Registry } from '../modules/registry.js';
import type { ActionDefaults } from '../state/defaults.js';
import { deepMerge } from '../util/merge.js';
import { didYouMean, type Problems } from './problems.js';
import { reportSchemaIssues } from './schema-issues.js';
import type { Job, JobKind, Step } from './schema.js';
import { checkReferences } from './validate-refs.js';
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
  /** Ids as written, when the schema failed and some steps are holes. */
  rawStepIds?: Array<string | undefined>;
  problems: Problems;
  memoryWriteActions: Set<string>;
}

/** Per-step checks: ids, actions, kind rules, payload schemas, references, captures, credentials. */
export function checkSteps(job: Job, o: StepCheckOptions): void {
  const seen = new Set<string>();
  const runNames = new Set(o.inputNames);
  const usedProfiles = new Set<string>();
  job.scenario.steps.forEach((step, i) => {
    if (!step) {
      // A step that failed its schema (already reported): later steps may still refer to it.
      const id = o.rawStepIds?.[i];
      if (id) seen.add(id);
      return;
    }
    const at = `$.scenario.steps[${i}]`;
    if (seen.has(step.id)) o.problems.error(`${at}.id`, 'DUPLICATE_STEP_ID', `Step id "${step.id}" is used twice.`, 'Give every step a unique id.');
    const action = checkAction(step.action, `${at}.action`, o);
    const payload = o.defaults?.[step.action] ? deepMerge(o.defaults[step.action], step.payload ?? {}) : step.payload;
    checkReferences(payload ?? {}, `${at}.payload`, { env: o.env, runNames, earlierSteps: new Set(seen), allSteps: o.stepIds, allow: { run: true, step: true }, skipEnv: o.replay }, o.problems);
    if (action && !hasInterpolation(payload)) {
      const res = (action.definition.schema as z.ZodType).safeParse(payload ?? {});
      if (!res.success) reportSchemaIssues(o.problems, action.definition.schema as z.ZodType, res.error.issues, ['scenario', 'steps', i, 'payload']);
    }
    if (step.action === 'flow.poll') checkPollInner(payload, `${at}.payload`, o);
    checkMemoryPayload(step.action, payload, `${at}.payload`, o.problems, o.env);
    if (step.credential !== undefined) {
      usedProfiles.add(step.credential);
      checkCredential(job, step, at, o);
    } else if (action?.definition.credentialSchema && !o.replay) {
      o.problems.error(`${at}.credential`, 'CREDENTIAL_REQUIRED', `Action ${step.action} needs a credential, but step "${step.id}" binds none.`, `Add "credential": "<profile>" to the step and define the profile under credentials with fromEnv.`);
    }
    for (const [name, path] of Object.entries(step.capture ?? {})) {
      checkCapturePath(path, `${at}.capture.${name}`, o.problems);
      runNames.add(name);
    }
    seen.add(step.id);
  });
  checkMemoryDependencies(job, o.problems, o.env);
  for (const name of Object.keys(job.credentials ?? {})) {
    if (!usedProfiles.has(name)) o.problems.warn(`$.credentials.${name}`, 'CREDENTIAL_UNUSED', `Credential profile "${name}" is not bound to any step.`);
  }
}

function checkAction(name: string, where: string, o: StepCheckOptions) {
  const kindProblem = o.kind === 'case' && o.memoryWriteActions.has(name);
  if (kindProblem) {
    o.problems.error(where, 'MEMORY_WRITE_IN_CASE', `${name} writes memory, which a *.job.case.json file may not do.`, 'Move memory writes into a *.job.seed.json job; case jobs may only use memory.recall.');
  }
  const action = o.registry.get(name);
  const [modName, actName] = name.split('.');
  const brokenOverride = o.registry.errors.find((e) => e.layer === 'override' && e.module === modName && e.action === actName);
  if (brokenOverride) {
    // Running the original instead of the override the user registered would be a silent lie.
    o.problems.error(where, 'OVERRIDE_BROKEN', `The runtime override for ${name} (${brokenOverride.path}) failed to load: ${brokenOverride.reason}`, `Fix the override, or remove it: dispatch runtime unset --action ${name}`);
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

function checkPollInner(payload: unknown, at: string, o: StepCheckOptions): void {
  // The inner action decides what the step may do (a case job must never write memory), so it
  // has to be known before the run: a computed name is refused rather than trusted.
  const innerName = (payload as { action?: unknown } | null)?.action;
  if (typeof innerName === 'string' && hasInterpolation(innerName)) {
    o.problems.error(`${at}.action`, 'POLL_ACTION_DYNAMIC', 'The action flow.poll calls must be written literally, not computed with ${...}.', 'Write the module.action name itself; use the inner payload for values that vary.');
    return;
  }
  const parsed = PollPayloadSchema.safeParse(payload);
  if (!parsed.success) return; // already reported against the flow.poll schema (or interpolated)
  const p = parsed.data;
  const inner = checkAction(p.action, `${at}.action`, o);
  if (p.action === 'flow.poll') o.problems.error(`${at}.action`, 'POLL_NESTED', 'flow.poll cannot poll flow.poll.');
  checkMemoryPayload(p.action, p.payload, `${at}.payload`, o.problems, o.env);
  if (inner && !hasInterpolation(p.payload)) {
    const merged = o.defaults?.[p.action] ? deepMerge(o.defaults[p.action], p.payload ?? {}) : p.payload;
    const res = (inner.definition.schema as z.ZodType).safeParse(merged ?? {});
    if (!res.success) reportSchemaIssues(o.problems, inner.definition.schema as z.ZodType, res.error.issues, [...pathSegments(at), 'payload']);
  }
  p.conditions.rules.forEach((r, i) => checkRule(r, `${at}.conditions.rules[${i}]`, o.problems));
  p.failWhen?.rules.forEach((r, i) => checkRule(r, `${at}.failWhen.rules[${i}]`, o.problems));
  for (const [name, path] of Object.entries(p.store ?? {})) checkRulePath(path, `${at}.store.${name}`, o.problems);
}

function checkCredential(job: Job, step: Step, at: string, o: StepCheckOptions): void {
  const profile = job.credentials?.[step.credential!];
  if (!profile) {
    const guess = didYouMean(step.credential!, Object.keys(job.credentials ?? {}));
    o.problems.error(`${at}.credential`, 'CREDENTIAL_UNKNOWN', `Step "${step.id}" binds credential "${step.credential}", which is not defined under credentials.`, guess ? `Did you mean "${guess}"?` : 'Define it: "credentials": {"name": {"fromEnv": {"username": "MY_USER_VAR"}}}.');
    return;
  }
  if (o.replay) return;
  const values: Record<string, string> = {};
  let missing = false;
  for (const [field, envVar] of Object.entries(profile.fromEnv)) {
    const v = o.env[envVar];
    if (v === undefined || v === '') {
      missing = true;
      o.problems.error(`$.credentials.${step.credential}.fromEnv.${field}`, 'CREDENTIAL_ENV_MISSING', `Credential "${step.credential}" field "${field}" reads ${envVar}, which is not set.`, `Export ${envVar} (e.g. in .envrc, or as a CI secret).`);
    } else values[field] = v;
  }
  const schema = o.registry.get(step.action)?.definition.credentialSchema as z.ZodType | undefined;
  if (schema && !missing) {
    const res = schema.safeParse(values);
    if (!res.success) {
      for (const issue of res.error.issues) {
        // Field names only: the message must never echo a secret value.
        o.problems.error(`$.credentials.${step.credential}.fromEnv${issue.path.length ? `.${issue.path.join('.')}` : ''}`, 'CREDENTIAL_INVALID', `Credential "${step.credential}" does not fit ${step.action}: ${issue.path.join('.') || 'profile'} ${issue.code === 'invalid_type' ? 'is missing or of the wrong type' : 'is invalid'}.`, 'dispatch schema action --name <module.action> --print shows the credential fields it expects.');
      }
    }
  }
}

function checkCapturePath(path: string, where: string, problems: Problems): void {
  const ok = path.startsWith('$') || /^(response|exports)(\.|\[|$)/.test(path);
  if (!ok) {
    problems.error(where, 'CAPTURE_PATH', `Capture path "${path}" must start with response, exports or $ (JSONPath on {response, exports}).`, 'Examples: "response.id", "exports.generatedId", "$.response.items[0].id".');
    return;
  }
  checkRulePath(path, where, problems);
}

function pathSegments(at: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of at.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}
