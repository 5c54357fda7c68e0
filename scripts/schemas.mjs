// Writes schemas/job-case.schema.json from the zod source of truth, through the built CLI itself.
// Run after changing src/job/schema.ts (`npm run schemas`), then commit the file; the test suite
// fails while the committed file and the built CLI disagree.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = execFileSync(process.execPath, [path.join(root, 'dist/bin.cjs'), 'schema', 'case', '--print'], {
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', DISPATCH_CODE_CACHE: '0' },
});
fs.mkdirSync(path.join(root, 'schemas'), { recursive: true });
fs.writeFileSync(path.join(root, 'schemas/job-case.schema.json'), schema);
console.log('wrote schemas/job-case.schema.json');
