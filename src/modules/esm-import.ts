/**
 * How module entries (ES modules on disk) are imported. In the bundled core, which is compiled
 * through vm.Script for its code cache, `import()` has no loader to call, so src/boot.ts installs
 * one that runs in a real ES module. Under the test runner the default is used.
 */
type Importer = (url: string) => Promise<unknown>;

let importer: Importer = (url) => import(url);

export function setModuleImporter(fn: Importer): void {
  importer = fn;
}

export function importModuleUrl(url: string): Promise<unknown> {
  return importer(url);
}
