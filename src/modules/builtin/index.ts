import { flowModule } from './flow.js';
import { memoryModule } from './memory.js';
import type { ModuleDefinition } from '../types.js';

export const builtinModules: ModuleDefinition[] = [flowModule, memoryModule];
