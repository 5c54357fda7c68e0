import type { ActionDefinition, ModuleDefinition, ModuleLayer } from './types.js';

/** One action as resolved for a run: which module, layer and file serve it. */
export interface ResolvedAction {
  name: string;
  module: string;
  action: string;
  version: string;
  layer: ModuleLayer;
  path: string;
  definition: ActionDefinition;
}

export interface LoadedModule {
  name: string;
  version: string;
  description?: string;
  layer: ModuleLayer;
  /** Module folder (or builtin source marker). */
  dir: string;
  definition: ModuleDefinition;
}

export interface ModuleLoadError {
  layer: ModuleLayer;
  path: string;
  module?: string;
  /** For a runtime override: the one action it was registered for. */
  action?: string;
  reason: string;
}

/** Actions by `module.action`, last layer wins; every loaded module and load failure kept for reports. */
export class Registry {
  readonly actions = new Map<string, ResolvedAction>();
  readonly modules: LoadedModule[] = [];
  readonly errors: ModuleLoadError[] = [];

  addModule(mod: LoadedModule, onlyActions?: Set<string>): void {
    this.modules.push(mod);
    for (const [action, definition] of Object.entries(mod.definition.actions)) {
      const name = `${mod.name}.${action}`;
      if (onlyActions && !onlyActions.has(name)) continue;
      this.actions.set(name, { name, module: mod.name, action, version: mod.version, layer: mod.layer, path: mod.dir, definition });
    }
  }

  get(name: string): ResolvedAction | undefined {
    return this.actions.get(name);
  }

  /** The module that currently serves most of a name's actions (the last layer that defines it). */
  findModule(name: string): LoadedModule | undefined {
    const candidates = this.modules.filter((m) => m.name === name && m.layer !== 'override');
    return candidates[candidates.length - 1];
  }

  errorFor(moduleName: string): ModuleLoadError | undefined {
    return this.errors.find((e) => e.module === moduleName);
  }
}
