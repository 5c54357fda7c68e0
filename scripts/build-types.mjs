// Type declarations of the public API (package.json "types"): tsc emits them for src/index.ts and
// everything it reaches into <out>/types/, and <out>/index.d.ts re-exports that entry. build.mjs
// passes its temp bundle folder as <out>, so the declarations are swapped in with the bundle.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const tmp = path.join(root, `dist.types-${process.pid}`);
fs.rmSync(tmp, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', tmp], { cwd: root, stdio: 'inherit' });
} catch (err) {
  // tsc still emits on type errors; the bundle never type-checked either, so a type error in a
  // file being edited must not fail the build (`npm run typecheck` is the gate for that).
  if (!fs.existsSync(path.join(tmp, 'index.d.ts'))) throw err;
  process.stderr.write('build-types: tsc reported type errors; declarations were emitted anyway\n');
}
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
fs.mkdirSync(out, { recursive: true });
fs.rmSync(path.join(out, 'types'), { recursive: true, force: true });
fs.renameSync(tmp, path.join(out, 'types'));
fs.writeFileSync(path.join(out, 'index.d.ts'), "export * from './types/index.js';\n");
