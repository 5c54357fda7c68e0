// Bundles the CLI with esbuild, dependencies included: loading one file is much cheaper at
// start-up than resolving and loading hundreds of package files, and one CommonJS file can be
// compiled with a V8 code cache (src/boot.ts, docs/performance.md). Also writes the job-case
// JSON Schema.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// Build into a temp folder and swap it in, so CLI processes started by a concurrent test run
// never see a half-written dist/.
const tmpOut = `dist.tmp-${process.pid}`;

// zod ships error messages in ~40 languages (half its size); the CLI speaks English, which is
// zod's default, so `z.locales` keeps only `en` and start-up parses 360 KB less.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (/node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};
// Libraries that only some commands use (src/vendor/*.ts: proxies, cookies, CSV, globs, the MCP
// SDK) are bundled on their own as dist/vendor/<name>.cjs and required from the core when used,
// so the core every command reads and deserializes stays small.
const vendorNames = fs
  .readdirSync(path.join(root, 'src/vendor'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
// Each import of src/vendor/<name>.js becomes a one-line CommonJS module that requires the
// separate file: bundled, so a dynamic import() of it turns into a lazy require (code compiled
// through vm.Script has no import()), and external, so the library stays out of the core.
const vendorExternal = {
  name: 'vendor-external',
  setup(b) {
    b.onResolve({ filter: /\/vendor\/[\w-]+\.js$/ }, (args) => {
      const name = /\/vendor\/([\w-]+)\.js$/.exec(args.path)[1];
      return vendorNames.includes(name) ? { path: name, namespace: 'vendor' } : undefined;
    });
    // src/boot.ts installs a loader that compiles the file with a code cache; without it (the core
    // required directly), a plain require.
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `const load = globalThis[Symbol.for('dispatchkit.vendorLoader')];\nmodule.exports = load ? load(${JSON.stringify(args.path)}) : require('./vendor/${args.path}.cjs');`,
      loader: 'js',
      resolveDir: root,
    }));
    b.onResolve({ filter: /^\.\/vendor\/[\w-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};
// commander requires node:child_process at load (for executable subcommands, which dispatch has
// none of), and with it net, dgram and their bindings: ~4 ms of every command. It gets the module
// on first use instead.
const commanderLazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      const from = "const childProcess = require('node:child_process');";
      if (!text.includes(from)) throw new Error('commander changed: update commander-lazy-child-process in scripts/build.mjs');
      return { contents: text.replace(from, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};
fs.rmSync(path.join(root, tmpOut), { recursive: true, force: true });
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', sourcemap: false, legalComments: 'none', logLevel: 'warning' };

// 1. The core: one CommonJS file, so src/boot.ts can compile it with a V8 code cache (Node 20 has
//    none for ES modules). Handlers stay lazy: esbuild turns their dynamic imports into
//    on-demand initialisers, so a command evaluates only the code it uses.
await build({
  ...common,
  entryPoints: ['src/core.ts'],
  outfile: `${tmpOut}/core.cjs`,
  format: 'cjs',
  plugins: [zodEnglishOnly, vendorExternal, commanderLazyChildProcess],
  // ASCII only (other characters escaped), so src/boot.ts can read the file as latin1, skipping UTF-8 decoding.
  charset: 'ascii',
  define: { __CLI_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__dispatchCoreUrl' },
  banner: { js: "var __dispatchCoreUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: vendorNames.map((n) => `src/vendor/${n}.ts`),
  outdir: `${tmpOut}/vendor`,
  entryNames: '[name]',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  charset: 'ascii',
  plugins: [zodEnglishOnly],
});
// charset 'ascii' escapes every string, template and regular expression; only comments can still
// hold other characters, and there plain \u escapes change nothing. The files are then pure ASCII.
const asAscii = (file) => fs.readFileSync(file, 'utf8').replace(/[^\x00-\x7f]/gu, (ch) => `\\u{${ch.codePointAt(0).toString(16)}}`);
// Each bundle's first line carries the hash of the rest: src/boot.ts names its code cache after it.
const stamp = (file, kind) => {
  const body = asAscii(file);
  fs.writeFileSync(file, `// dispatchkit-${kind} ${createHash('sha256').update(body).digest('hex').slice(0, 16)}\n${body}`);
};
stamp(path.join(root, tmpOut, 'core.cjs'), 'core');
for (const n of vendorNames) stamp(path.join(root, tmpOut, 'vendor', `${n}.cjs`), `vendor-${n}`);

// 2. Small CommonJS entries around it (an ES module entry costs Node's ESM loader before the first
//    line runs). bin.cjs loads boot.cjs only after the `--version` check; the resolve hook is the
//    one ES module, as module hooks must be.
const bootExternal = {
  name: 'boot-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/boot\.cjs$/ }, () => ({ path: './boot.cjs', external: true }));
  },
};
await build({
  ...common,
  entryPoints: ['src/bin.ts', 'src/boot.ts'],
  outdir: tmpOut,
  entryNames: '[name]',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  plugins: [bootExternal],
  define: { __CLI_VERSION__: JSON.stringify(pkg.version) },
});
await build({ ...common, entryPoints: ['src/modules/resolve-hook.ts'], outdir: tmpOut, entryNames: '[name]', format: 'esm' });

// 3. The public entries re-export the core's `api` and `zod` namespaces by name (ES modules need
//    static export lists), generated from the built core so they can never drift from it.
const core = createRequire(import.meta.url)(path.join(root, tmpOut, 'core.cjs'));
const facade = (ns, hasDefault) => {
  const names = Object.keys(core[ns])
    .filter((n) => n !== 'default')
    .sort();
  const lines = ["import { loadCore } from './boot.cjs';", `const ns = loadCore().${ns};`];
  names.forEach((n, i) => lines.push(`const e${i} = ns[${JSON.stringify(n)}];`));
  lines.push(`export { ${names.map((n, i) => `e${i} as ${n}`).join(', ')} };`);
  if (hasDefault) lines.push('export default ns.default;');
  return `${lines.join('\n')}\n`;
};
fs.writeFileSync(path.join(root, tmpOut, 'index.js'), `// The public API of dispatchkit (types: index.d.ts).\n${facade('api', false)}`);
fs.writeFileSync(path.join(root, tmpOut, 'zod.js'), `// The CLI's zod, for modules that import 'zod' without installing it.\n${facade('zod', true)}`);
fs.chmodSync(path.join(root, tmpOut, 'bin.cjs'), 0o755);
// dist/bin.js was the entry before it became CommonJS: MCP clients and scripts set up with that path
// keep working (paying the ES module loader the real entry avoids).
fs.writeFileSync(
  path.join(root, tmpOut, 'bin.js'),
  "#!/usr/bin/env node\n// The CLI entry is dist/bin.cjs; this file keeps configurations that name dist/bin.js working.\nimport { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('./bin.cjs');\n",
);
fs.chmodSync(path.join(root, tmpOut, 'bin.js'), 0o755);
execFileSync(process.execPath, [path.join(root, 'scripts/build-types.mjs'), path.join(root, tmpOut)], { stdio: 'inherit' }); // .d.ts files, swapped in with the bundle
const old = `dist.old-${process.pid}`;
if (fs.existsSync(path.join(root, 'dist'))) fs.renameSync(path.join(root, 'dist'), path.join(root, old));
fs.renameSync(path.join(root, tmpOut), path.join(root, 'dist'));
fs.rmSync(path.join(root, old), { recursive: true, force: true });

// schemas/ is committed and written only by `npm run schemas`: a build that rewrote it would let
// the test that compares it with `schema case --print` compare a file with itself.
