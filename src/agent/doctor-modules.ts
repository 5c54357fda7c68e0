import path from 'node:path';
import type { NextHint } from '../errors.js';
import { loadRegistry } from '../modules/loader.js';
import type { ModuleLoadError, Registry } from '../modules/registry.js';
import type { ModuleLayer } from '../modules/types.js';
import { statePaths } from '../state/paths.js';
import type { Check } from './doctor-checks.js';
import { shQuote } from './shell-quote.js';

const LAYERS: ModuleLayer[] = ['builtin', 'repo', 'user', 'override'];

/** Imports every module of every layer (as a run would) and reports each layer on its own line. */
export async function checkModules(cwd: string, home: string): Promise<Check[]> {
  let registry: Registry;
  try {
    registry = await loadRegistry({ cwd, home });
  } catch (err) {
    return [
      {
        name: 'modules',
        status: 'fail',
        message: `The module layers could not be read: ${(err as Error).message}`,
        fix: `Check ${statePaths(home).runtimeOverrides} and the module folders; \`dispatch runtime show\` lists the overrides.`,
        next: [{ command: 'dispatch runtime show', description: 'see the runtime overrides and what they resolve to' }],
      },
    ];
  }
  const where: Record<ModuleLayer, string> = { builtin: 'built in', repo: path.join(cwd, 'modules'), user: statePaths(home).modules, override: statePaths(home).runtimeOverrides };
  return LAYERS.map((layer) => {
    const loaded = registry.modules.filter((m) => m.layer === layer);
    const errors = registry.errors.filter((e) => e.layer === layer);
    const name = `modules (${layer})`;
    const listed = loaded.map((m) => `${m.name}@${m.version}`);
    const details = { layer, location: where[layer], loaded: listed, errors };
    if (errors.length === 0) {
      const what = listed.length ? `${listed.length} module(s) load: ${listed.join(', ')}.` : `no modules (${where[layer]}).`;
      return { name, status: 'ok' as const, message: layer === 'override' && !listed.length ? 'no runtime overrides.' : what, details };
    }
    const first = errors[0];
    return {
      name,
      status: 'fail' as const,
      message: `${errors.length} module(s) failed to load; first: ${first.module ?? path.basename(first.path)} at ${first.path}: ${first.reason}`,
      fix:
        layer === 'override' ? 'Fix or remove the override: `dispatch runtime unset --action <module.action>` removes one.' : 'Validate the module folder to see every problem, then fix or remove it.',
      next: errors.map(fixFor),
      details,
    };
  });
}

function fixFor(e: ModuleLoadError): NextHint {
  if (e.layer === 'override') return { command: 'dispatch runtime show', description: `see the override of ${e.module ?? 'a module'} served from ${e.path}` };
  return { command: `dispatch module validate --path ${shQuote(e.path)}`, description: `show what is wrong with ${e.module ?? path.basename(e.path)}` };
}
