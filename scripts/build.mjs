// Bundles the CLI with esbuild (code-split so each command loads only what it needs) and
// writes the job-case JSON Schema the package ships for editors.
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
fs.rmSync(path.join(root, tmpOut), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts', 'src/index.ts', 'src/modules/resolve-hook.ts'],
  outdir: tmpOut,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  legalComments: 'none',
  define: { __CLI_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
fs.chmodSync(path.join(root, tmpOut, 'bin.js'), 0o755);
const old = `dist.old-${process.pid}`;
if (fs.existsSync(path.join(root, 'dist'))) fs.renameSync(path.join(root, 'dist'), path.join(root, old));
fs.renameSync(path.join(root, tmpOut), path.join(root, 'dist'));
fs.rmSync(path.join(root, old), { recursive: true, force: true });

// The schema is generated from the zod source of truth by the built CLI itself.
const schema = execFileSync(process.execPath, [path.join(root, 'dist/bin.js'), 'schema', 'case', '--print'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
fs.mkdirSync(path.join(root, 'schemas'), { recursive: true });
fs.writeFileSync(path.join(root, 'schemas/job-case.schema.json'), schema);
