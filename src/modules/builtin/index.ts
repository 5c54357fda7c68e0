import { flowModule } from './flow.js';
import { httpModule } from './http.js';
import { memoryModule } from './memory.js';
import { tmuxModule } from './tmux.js';
import type { ModuleDefinition } from '../types.js';

export const builtinModules: ModuleDefinition[] = [flowModule, httpModule, memoryModule, tmuxModule];
