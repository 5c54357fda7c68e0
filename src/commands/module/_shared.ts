import path from 'node:path';
import { notFoundError, usageError, type DispatchError } from '../../errors.js';
import { ACTION_NAME, MODULE_NAME } from '../../job/schema.js';
import { didYouMean } from '../../job/problems.js';
import { loadRegistry } from '../../modules/loader.js';
import type { Registry } from '../../modules/registry.js';
import type { Colors } from '../../output/colors.js';
import { homeOf, type BaseOptions } from '../context.js';

export const registryFor = (base: BaseOptions, only?: Set<string>) => loadRegistry({ cwd: base.root, home: homeOf(base), ...(only ? { only } : {}) });

/**
 * The action a flag names, loading only its module's layers; an unknown one throws, with
 * suggestions drawn from every module when its own module is not there at all.
 */
export async function findAction(base: BaseOptions, name: string, module: string) {
  const registry = await registryFor(base, new Set([module]));
  const action = registry.get(name);
  if (action) return action;
  throw unknownAction(registry.findModule(module) || registry.errorFor(module) ? registry : await registryFor(base), name);
}

/** Paths shown to people and agents: relative to the working directory when inside it. */
export function shown(base: BaseOptions, p: string): string {
  if (p.startsWith('builtin:')) return p;
  const rel = path.relative(base.cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

export function checkModuleName(name: unknown, flag = '--name'): string {
  if (typeof name !== 'string' || !MODULE_NAME.test(name)) {
    throw usageError('MODULE_NAME_INVALID', `${flag} ${JSON.stringify(name ?? '')} is not a module name.`, { hint: 'Module names use letters, digits, "_" and "-", e.g. payments or crm-api.' });
  }
  return name;
}

/** `module.action` from a flag; a bad shape is an input error (exit 2). */
export function checkActionName(name: unknown, flag = '--action'): { name: string; module: string; action: string } {
  if (typeof name !== 'string' || !ACTION_NAME.test(name)) {
    throw usageError('ACTION_NAME_INVALID', `${flag} ${JSON.stringify(name ?? '')} is not a module.action name.`, {
      hint: 'Name actions as module.action, e.g. flow.sleep; `dispatch module list` shows them all.',
    });
  }
  const [module, action] = name.split('.');
  return { name, module, action };
}

/**
 * An action named in a flag that no layer serves. As in job validation (DESIGN §3): an unknown
 * action of a module that exists, or of one that fails to load, is an input error (exit 2); a
 * module that no layer has at all is not found (exit 4).
 */
function unknownAction(registry: Registry, name: string): DispatchError {
  const guess = didYouMean(name, registry.actions.keys());
  const module = name.split('.')[0];
  const failed = registry.errorFor(module);
  const hasModule = !!registry.findModule(module);
  const hint = failed
    ? `Module "${module}" failed to load: ${failed.reason}`
    : guess
      ? `Did you mean ${guess}?`
      : 'Run `dispatch module list` to see every action; use --cwd if the module lives in another repo.';
  const details = { action: name, ...(failed ? { loadError: failed } : {}) };
  if (!hasModule && !failed) {
    return notFoundError('MODULE_NOT_FOUND', `No module "${module}" in any layer, so no action "${name}".`, {
      hint,
      details,
      next: [{ command: 'dispatch module list', description: 'list modules and actions in every layer' }],
    });
  }
  return usageError('UNKNOWN_ACTION', `Module "${module}" has no action "${name.slice(module.length + 1)}".`, {
    hint,
    details,
    next: [
      failed
        ? { command: `dispatch module list`, description: 'see which modules load and why the others fail' }
        : { command: `dispatch module inspect ${module}`, description: 'list the actions of this module' },
    ],
  });
}

interface JsonSchemaLike {
  type?: unknown;
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchemaLike[];
  items?: JsonSchemaLike;
}

/** One-line summary of an object JSON Schema: `id*: integer, title: string` (* = required). */
export function schemaLine(schema: unknown): string {
  const s = schema as JsonSchemaLike | undefined;
  if (!s || !s.properties) return s && s.type ? typeOf(s) : 'any';
  const req = new Set(s.required ?? []);
  const parts = Object.entries(s.properties).map(([k, v]) => `${k}${req.has(k) ? '*' : ''}: ${typeOf(v)}`);
  return parts.length ? parts.join(', ') : '{}';
}

function typeOf(s: JsonSchemaLike): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join('|');
  if (s.anyOf) return s.anyOf.map(typeOf).join('|');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join('|');
  return typeof s.type === 'string' ? s.type : 'any';
}

export const layerTag = (c: Colors, layer: string) => (layer === 'override' ? c.magenta(layer) : layer === 'user' ? c.cyan(layer) : layer === 'repo' ? c.blue(layer) : c.dim(layer));
