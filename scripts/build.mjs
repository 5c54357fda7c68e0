// Bundles the CLI with esbuild, dependencies included: one parse of a few chunks is much cheaper
// at start-up than resolving and loading hundreds of package files (docs/performance.md). Code
// splitting keeps each command loading only what it needs. Also writes the job-case JSON Schema.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
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
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};
fs.rmSync(path.join(root, tmpOut), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts', 'src/index.ts', 'src/zod.ts', 'src/modules/resolve-hook.ts'],
  outdir: tmpOut,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies call require(); ESM output has none, so give each chunk one.
  banner: { js: "import { createRequire as __dispatchCreateRequire } from 'node:module'; const require = __dispatchCreateRequire(import.meta.url);" },
  sourcemap: false,
  legalComments: 'none',
  plugins: [zodEnglishOnly],
  define: { __CLI_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
fs.chmodSync(path.join(root, tmpOut, 'bin.js'), 0o755);
execFileSync(process.execPath, [path.join(root, 'scripts/build-types.mjs'), path.join(root, tmpOut)], { stdio: 'inherit' }); // .d.ts files, swapped in with the bundle
const old = `dist.old-${process.pid}`;
if (fs.existsSync(path.join(root, 'dist'))) fs.renameSync(path.join(root, 'dist'), path.join(root, old));
fs.renameSync(path.join(root, tmpOut), path.join(root, 'dist'));
fs.rmSync(path.join(root, old), { recursive: true, force: true });

// The schema is generated from the zod source of truth by the built CLI itself.
const schema = execFileSync(process.execPath, [path.join(root, 'dist/bin.js'), 'schema', 'case', '--print'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
fs.mkdirSync(path.join(root, 'schemas'), { recursive: true });
fs.writeFileSync(path.join(root, 'schemas/job-case.schema.json'), schema);
