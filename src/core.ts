/**
 * The bundled core (dist/core.cjs): everything the CLI and the public API need, loaded once per
 * process by src/boot.ts. The public entries (dist/index.js, dist/zod.js) re-export `api` and `zod`.
 */
export { main } from './main.js';
export { setModuleImporter } from './modules/esm-import.js';
export { guardStdio } from './output/stdio.js';
export * as api from './index.js';
export * as zod from 'zod';
