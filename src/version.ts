declare const __CLI_VERSION__: string | undefined;

/** Injected at build time from package.json; "0.0.0-dev" when running unbundled sources. */
export const CLI_VERSION: string = typeof __CLI_VERSION__ === 'string' ? __CLI_VERSION__ : '0.0.0-dev';
