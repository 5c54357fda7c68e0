/** The CLI's zod, for modules that import 'zod' without installing it (see modules/resolve-hook.ts). */
export * from 'zod';
export { default } from 'zod';
