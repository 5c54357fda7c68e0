import fs from 'node:fs';
import path from 'node:path';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox('dispatch-modbundle-', { inProcess: true });
});
afterEach(() => box.cleanup());

const fixture = (name: string, dest: string) => fs.cpSync(path.join(repoRoot, 'test/fixtures/modules', name), dest, { recursive: true });
const userModules = () => path.join(box.home, 'modules');
const installed = () => (fs.existsSync(userModules()) ? fs.readdirSync(userModules()) : []);

const goodManifest = JSON.stringify({ name: 'tiny', version: '0.1.0', entry: 'index.mjs' });
const goodEntry = `import { defineAction, defineModule, z } from 'dispatchkit';
export default defineModule({ name: 'tiny', version: '0.1.0', actions: {
  ping: defineAction({ description: 'answers pong', schema: z.object({}), handler: async () => ({ response: { pong: true } }) }),
} });
`;

function writeZip(name: string, files: Zippable): string {
  const file = path.join(box.cwd, name);
  fs.writeFileSync(file, zipSync(files));
  return name;
}

describe('module pack', () => {
  it('ships module.json, the entry subtree, jobs/, README.md and pack.include, and leaves authoring files out', async () => {
    fixture('shipping', path.join(box.cwd, 'src-modules/shipping'));
    const r = await box.json(['module', 'pack', '--path', 'src-modules/shipping', '--out', 'out/shipping.dpmod.zip']);
    expect(r.code).toBe(0);
    const expected = ['README.md', 'assets/rates.json', 'build/index.mjs', 'build/lib/rates.mjs', 'jobs/prime-rates.job.seed.json', 'jobs/quote-parcel.job.case.json', 'module.json'];
    expect(r.json.files).toEqual(expected);
    expect(r.json).toMatchObject({ bundle: 'out/shipping.dpmod.zip', module: { name: 'shipping', version: '1.4.0' } });
    expect(r.json.sha256).toMatch(/^[0-9a-f]{64}$/);
    const zip = unzipSync(fs.readFileSync(path.join(box.cwd, 'out/shipping.dpmod.zip')));
    expect(Object.keys(zip).sort()).toEqual(expected);
    expect(r.json.next[0].command).toBe('dispatch module install --bundle out/shipping.dpmod.zip');
  });

  it('ships only the entry file when the entry sits at the module root', async () => {
    await box.json(['module', 'init', '--name', 'flat', '--out', 'work/flat']);
    box.write('work/flat/scratch.txt', 'not shipped');
    box.write('work/flat/tsconfig.json', {});
    const r = await box.json(['module', 'pack', '--path', 'work/flat', '--out', 'flat.dpmod.zip']);
    expect(r.code).toBe(0);
    expect(r.json.files).toEqual(['index.mjs', 'module.json']);
  });

  it('refuses to pack an invalid module (nothing written) and a missing pack.include path', async () => {
    fixture('sloppy', path.join(box.cwd, 'm/sloppy'));
    const r = await box.json(['module', 'pack', '--path', 'm/sloppy', '--out', 'sloppy.dpmod.zip']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('MODULE_INVALID');
    expect(r.json.next[0].command).toBe('dispatch module validate --path m/sloppy');
    expect(fs.existsSync(path.join(box.cwd, 'sloppy.dpmod.zip'))).toBe(false);

    fixture('shipping', path.join(box.cwd, 'm/shipping'));
    const manifest = path.join(box.cwd, 'm/shipping/module.json');
    fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, 'utf8')), pack: { include: ['assets/missing.json'] } }));
    const inc = await box.json(['module', 'pack', '--path', 'm/shipping', '--out', 's.dpmod.zip']);
    expect(inc.code).toBe(2);
    expect(inc.json.error.code).toBe('PACK_INCLUDE_MISSING');
  });
});

describe('module install / uninstall', () => {
  it('installs a packed bundle into the user layer, where jobs use it, and uninstall removes it', async () => {
    fixture('shipping', path.join(box.cwd, 'authoring/shipping'));
    await box.json(['module', 'pack', '--path', 'authoring/shipping', '--out', 'shipping.dpmod.zip']);
    const r = await box.json(['module', 'install', '--bundle', 'shipping.dpmod.zip']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ module: { name: 'shipping', version: '1.4.0' }, layer: 'user', path: path.join(userModules(), 'shipping') });
    expect(r.json.replaced).toBeUndefined();
    expect(installed()).toEqual(['shipping']);
    expect(fs.existsSync(path.join(userModules(), 'shipping/src'))).toBe(false);

    const inspect = await box.json(['module', 'inspect', 'shipping']);
    expect(inspect.json.module.layer).toBe('user');
    expect(inspect.json.jobs.map((j: any) => j.id)).toEqual(['prime-rates', 'quote-parcel']);

    const run = await box.json(['job', 'run', '--case', path.join(userModules(), 'shipping/jobs/quote-parcel.job.case.json')]);
    expect(run.code).toBe(0);
    const assert = await box.json(['job', 'assert', '--run-id', run.json.runId]);
    expect(assert.code).toBe(0);

    const again = await box.json(['module', 'install', '--bundle', 'shipping.dpmod.zip']);
    expect(again.code).toBe(0);
    expect(again.json.replaced).toEqual({ version: '1.4.0' });
    expect(installed()).toEqual(['shipping']);

    const un = await box.json(['module', 'uninstall', '--name', 'shipping']);
    expect(un.code).toBe(0);
    expect(un.json).toMatchObject({ removed: true, module: { name: 'shipping', version: '1.4.0' } });
    expect(installed()).toEqual([]);
    const gone = await box.json(['module', 'uninstall', '--name', 'shipping']);
    expect(gone.code).toBe(4);
    expect(gone.json.error.code).toBe('MODULE_NOT_INSTALLED');
    expect(gone.json.next[0].command).toBe('dispatch module list');
  });

  it('accepts a hand-made zip with one top folder around the module', async () => {
    const bundle = writeZip('tiny.zip', { 'tiny/module.json': strToU8(goodManifest), 'tiny/index.mjs': strToU8(goodEntry) });
    const r = await box.json(['module', 'install', '--bundle', bundle]);
    expect(r.code).toBe(0);
    box.write('t.job.case.json', job([{ id: 'p', action: 'tiny.ping', payload: {} }]));
    const run = await box.json(['job', 'run', '--case', 't.job.case.json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(run.json.moduleResolutionPath, 'utf8')).actions['tiny.ping'].layer).toBe('user');
  });

  const refusals: Array<[string, () => Zippable, string]> = [
    ['an entry with ..', () => ({ 'module.json': strToU8(goodManifest), 'index.mjs': strToU8(goodEntry), '../escape.txt': strToU8('x') }), 'ZIP_UNSAFE'],
    ['an absolute path', () => ({ 'module.json': strToU8(goodManifest), 'index.mjs': strToU8(goodEntry), '/tmp/abs.txt': strToU8('x') }), 'ZIP_UNSAFE'],
    ['a symbolic link', () => ({ 'module.json': strToU8(goodManifest), 'index.mjs': strToU8(goodEntry), link: [strToU8('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] }), 'ZIP_UNSAFE'],
    ['no module.json', () => ({ 'index.mjs': strToU8(goodEntry), 'other/readme.md': strToU8('hi') }), 'BUNDLE_INVALID'],
    ['an invalid manifest', () => ({ 'module.json': strToU8(JSON.stringify({ name: 'tiny', version: 'latest', entry: 'index.mjs' })), 'index.mjs': strToU8(goodEntry) }), 'BUNDLE_INVALID'],
    ['a missing entry file', () => ({ 'module.json': strToU8(goodManifest) }), 'BUNDLE_INVALID'],
    ['an entry that does not load', () => ({ 'module.json': strToU8(goodManifest), 'index.mjs': strToU8("throw new Error('nope at import');") }), 'BUNDLE_INVALID'],
  ];
  for (const [what, files, code] of refusals) {
    it(`refuses a bundle with ${what} (exit 2) and installs nothing`, async () => {
      const bundle = writeZip('bad.dpmod.zip', files());
      const r = await box.json(['module', 'install', '--bundle', bundle]);
      expect(r.code).toBe(2);
      expect(r.json.status).toBe('ERROR');
      expect(r.json.error.code).toBe(code);
      expect(installed()).toEqual([]);
      expect(fs.existsSync(path.join(box.root, 'escape.txt'))).toBe(false);
    });
  }

  it('keeps the installed copy when a replacement bundle is refused', async () => {
    await box.json(['module', 'install', '--bundle', writeZip('good.zip', { 'module.json': strToU8(goodManifest), 'index.mjs': strToU8(goodEntry) })]);
    const bad = writeZip('bad.zip', { 'module.json': strToU8(goodManifest), 'index.mjs': strToU8('export default 42;') });
    const r = await box.json(['module', 'install', '--bundle', bad]);
    expect(r.code).toBe(2);
    expect(fs.readFileSync(path.join(userModules(), 'tiny/index.mjs'), 'utf8')).toBe(goodEntry);
    expect(installed()).toEqual(['tiny']);
  });

  it('exits 4 for a bundle that does not exist', async () => {
    const r = await box.json(['module', 'install', '--bundle', 'nope.dpmod.zip']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('BUNDLE_NOT_FOUND');
    const human = await box.run(['module', 'install', '--bundle', 'nope.dpmod.zip']);
    expect(human.stderr).toContain('BUNDLE_NOT_FOUND');
  });
});

describe('module pack follows the entry', () => {
  it('packs files a root-level entry imports relatively, so the installed module loads and runs', async () => {
    box.write('rel/module.json', { name: 'rel', version: '0.1.0', entry: 'index.mjs' });
    box.write(
      'rel/index.mjs',
      "import { defineAction, defineModule, z } from 'dispatchkit';\nimport { hello } from './lib/h.mjs';\nexport default defineModule({ name: 'rel', version: '0.1.0', actions: { hi: defineAction({ description: 'hi', schema: z.object({}), handler: async () => ({ response: { said: hello() } }) }) } });\n",
    );
    box.write('rel/lib/h.mjs', "import { word } from './w.mjs';\nexport const hello = () => word;\n");
    box.write('rel/lib/w.mjs', "export const word = 'hi';\n");
    box.write('rel/src/authoring.ts', '// not shipped\n');
    const pack = await box.json(['module', 'pack', '--path', 'rel', '--out', 'rel.dpmod.zip']);
    expect(pack.code).toBe(0);
    const names = Object.keys(unzipSync(fs.readFileSync(path.join(box.cwd, 'rel.dpmod.zip'))));
    expect(names).toEqual(expect.arrayContaining(['module.json', 'index.mjs', 'lib/h.mjs', 'lib/w.mjs']));
    expect(names.some((n) => n.startsWith('src/'))).toBe(false);
    fs.rmSync(path.join(box.cwd, 'rel'), { recursive: true });
    expect((await box.json(['module', 'install', '--bundle', 'rel.dpmod.zip'])).code).toBe(0);
    box.write('r.job.case.json', job([{ id: 'a', action: 'rel.hi', payload: {} }]));
    const run = await box.json(['job', 'run', '--case', 'r.job.case.json']);
    expect(run.code).toBe(0);
  });
});
