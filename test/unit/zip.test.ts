import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterEach } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { DispatchError } from '../../src/errors.js';
import { createZip, listFilesRecursive, readZipSafe, writeTreeAtomically } from '../../src/util/zip.js';
import { rawZip } from '../support/raw-zip.js';

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-zip-'));
  tmpDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function refusal(fn: () => unknown): DispatchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DispatchError);
    const e = err as DispatchError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('nothing was written');
    expect(e.hint).toBeTruthy();
    return e;
  }
  throw new Error('expected a refusal');
}

const binary = new Uint8Array(70_000).map((_, i) => (i * 7919 + (i >> 3)) & 0xff);

describe('createZip / readZipSafe', () => {
  it('round-trips text and binary data byte-for-byte', () => {
    const entries = [
      { path: 'run.json', data: '{"ok":true}\n' },
      { path: 'steps/01/response.bin', data: binary },
      { path: 'empty.txt', data: new Uint8Array(0) },
      { path: 'zeros.bin', data: new Uint8Array(200_000) },
      { path: 'unicodé/ファイル.txt', data: 'héllo' },
    ];
    const out = readZipSafe(createZip(entries));
    expect(out.map((e) => e.path)).toEqual(entries.map((e) => e.path));
    for (const [i, e] of entries.entries()) {
      const expected = typeof e.data === 'string' ? new TextEncoder().encode(e.data) : e.data;
      expect(Buffer.from(out[i]!.data).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('is deterministic', () => {
    const entries = [
      { path: 'a.txt', data: 'hello' },
      { path: 'b/c.bin', data: binary },
    ];
    const a = createZip(entries);
    const b = createZip(entries.map((e) => ({ ...e })));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('converts backslashes to forward slashes when writing', () => {
    expect(readZipSafe(createZip([{ path: 'a\\b.txt', data: 'x' }]))[0]!.path).toBe('a/b.txt');
  });

  it('refuses to create unsafe or duplicate entries', () => {
    expect(() => createZip([{ path: '../x', data: '' }])).toThrow(DispatchError);
    expect(() =>
      createZip([
        { path: 'x', data: '' },
        { path: 'x', data: '' },
      ]),
    ).toThrow(/duplicate/);
  });

  it('reads archives written by fflate and skips directory entries', () => {
    const z = zipSync({ 'dir/': new Uint8Array(0), 'dir/f.txt': strToU8('hi'), 'g.txt': [strToU8('x'.repeat(1000)), { level: 9 }] });
    const out = readZipSafe(z);
    expect(out.map((e) => e.path)).toEqual(['dir/f.txt', 'g.txt']);
    expect(new TextDecoder().decode(out[0]!.data)).toBe('hi');
  });

  it.each([
    ['../evil', '..'],
    ['a/../../evil', '..'],
    ['/abs', 'absolute'],
    ['C:/x', 'absolute'],
    ['C:\\x', 'backslash'],
    ['a\\..\\evil', 'backslash'],
    ['nul\0byte', 'NUL'],
    ['./', 'no file name'],
  ])('refuses entry name %j', (name, reason) => {
    const e = refusal(() =>
      readZipSafe(
        rawZip([
          { name: 'ok.txt', data: strToU8('ok') },
          { name, data: strToU8('bad') },
        ]),
      ),
    );
    expect(e.code).toBe('ZIP_UNSAFE');
    expect(e.message).toContain(reason);
    expect(e.message).toContain('refused');
  });

  it('refuses unsafe names in fflate-made archives too', () => {
    const e = refusal(() => readZipSafe(zipSync({ '../evil': strToU8('x') })));
    expect(e.code).toBe('ZIP_UNSAFE');
    expect(e.message).toContain('"../evil"');
  });

  it('refuses symlink entries (fflate attrs)', () => {
    const z = zipSync({ link: [strToU8('/etc/passwd'), { attrs: (0o120777 << 16) >>> 0, os: 3 }] });
    const e = refusal(() => readZipSafe(z));
    expect(e.code).toBe('ZIP_UNSAFE');
    expect(e.message).toContain('symbolic link');
    expect(e.message).toContain('"link"');
  });

  it('refuses other special files', () => {
    const e = refusal(() => readZipSafe(rawZip([{ name: 'fifo', mode: 0o010644 }])));
    expect(e.code).toBe('ZIP_UNSAFE');
    expect(e.message).toContain('not a regular file');
  });

  it('refuses duplicate names, including case-only duplicates', () => {
    expect(refusal(() => readZipSafe(rawZip([{ name: 'a.txt' }, { name: 'a.txt' }]))).message).toContain('more than once');
    expect(refusal(() => readZipSafe(rawZip([{ name: 'A.txt' }, { name: 'a.txt' }]))).code).toBe('ZIP_UNSAFE');
    expect(refusal(() => readZipSafe(rawZip([{ name: 'a/b' }, { name: './a//b' }]))).code).toBe('ZIP_UNSAFE');
  });

  it('refuses a file that is also used as a folder', () => {
    expect(refusal(() => readZipSafe(rawZip([{ name: 'a' }, { name: 'a/b' }]))).message).toContain('folder');
  });

  it('refuses too many entries', () => {
    const z = rawZip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}` })));
    expect(readZipSafe(z, { maxEntries: 11 })).toHaveLength(11);
    const e = refusal(() => readZipSafe(z, { maxEntries: 10, what: 'module bundle' }));
    expect(e.code).toBe('ZIP_UNSAFE');
    expect(e.message).toContain('module bundle');
  });

  it('refuses archives over the total size limit (declared and actual)', () => {
    const z = createZip([{ path: 'big', data: new Uint8Array(100_000) }]);
    expect(refusal(() => readZipSafe(z, { maxTotalBytes: 50_000 })).code).toBe('ZIP_UNSAFE');
    // Lie about the uncompressed size: declared 10 bytes, really 100000.
    const lied = z.slice();
    const dv = new DataView(lied.buffer);
    const cd = dv.getUint32(lied.length - 22 + 16, true);
    dv.setUint32(22, 10, true);
    dv.setUint32(cd + 24, 10, true);
    const e = refusal(() => readZipSafe(lied, { maxTotalBytes: 50_000 }));
    expect(e.code).toBe('ZIP_UNSAFE');
    expect(e.message).toContain('declared size');
  });

  it('refuses garbage, empty and truncated input', () => {
    expect(refusal(() => readZipSafe(new Uint8Array(0))).code).toBe('ZIP_INVALID');
    expect(refusal(() => readZipSafe(new Uint8Array(5000).map((_, i) => (i * 31) & 0xff))).code).toBe('ZIP_INVALID');
    expect(refusal(() => readZipSafe(strToU8('PK this is not a zip at all, honest'))).code).toBe('ZIP_INVALID');
    const z = createZip([
      { path: 'a', data: binary },
      { path: 'b', data: 'hello' },
    ]);
    for (const cut of [10, 100, z.length - 30, z.length - 1]) {
      expect(refusal(() => readZipSafe(z.subarray(0, cut))).code).toBe('ZIP_INVALID');
    }
    const chopped = new Uint8Array([...z.subarray(0, 200), ...z.subarray(z.length - 200)]);
    expect(refusal(() => readZipSafe(chopped)).code).toBe('ZIP_INVALID');
  });

  it('refuses corrupted data (checksum)', () => {
    const z = createZip([{ path: 'a.txt', data: 'abc' }]).slice();
    z[30 + 'a.txt'.length] ^= 0xff; // first data byte (stored, since too small to deflate)
    const e = refusal(() => readZipSafe(z));
    expect(e.code).toBe('ZIP_INVALID');
    expect(e.message).toContain('"a.txt"');
  });
});

describe('writeTreeAtomically', () => {
  const files = [
    { path: 'a.txt', data: strToU8('A') },
    { path: 'sub/deep/b.bin', data: binary },
  ];

  it('writes a tree and leaves no temp folders', async () => {
    const root = tmpDir();
    const dest = path.join(root, 'out');
    await writeTreeAtomically(dest, files);
    expect(await listFilesRecursive(dest)).toEqual(['a.txt', 'sub/deep/b.bin']);
    expect(fs.readFileSync(path.join(dest, 'sub/deep/b.bin')).equals(Buffer.from(binary))).toBe(true);
    expect(fs.readdirSync(root)).toEqual(['out']);
  });

  it('refuses an existing folder and leaves it untouched', async () => {
    const root = tmpDir();
    const dest = path.join(root, 'out');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'keep.txt'), 'keep');
    await expect(writeTreeAtomically(dest, files)).rejects.toMatchObject({ code: 'ALREADY_EXISTS', exitCode: 2 });
    expect(fs.readdirSync(dest)).toEqual(['keep.txt']);
    expect(fs.readFileSync(path.join(dest, 'keep.txt'), 'utf8')).toBe('keep');
    expect(fs.readdirSync(root)).toEqual(['out']);
  });

  it('replaces an existing folder with overwrite', async () => {
    const root = tmpDir();
    const dest = path.join(root, 'out');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'old.txt'), 'old');
    await writeTreeAtomically(dest, files, { overwrite: true });
    expect(await listFilesRecursive(dest)).toEqual(['a.txt', 'sub/deep/b.bin']);
    expect(fs.readdirSync(root)).toEqual(['out']);
  });

  it('cleans up after a failure and never leaves a half tree', async () => {
    const root = tmpDir();
    const dest = path.join(root, 'out');
    await expect(
      writeTreeAtomically(dest, [
        { path: 'ok.txt', data: strToU8('x') },
        { path: '../escape.txt', data: strToU8('x') },
      ]),
    ).rejects.toMatchObject({ code: 'ZIP_UNSAFE' });
    await expect(
      writeTreeAtomically(dest, [
        { path: 'dup', data: strToU8('x') },
        { path: 'dup', data: strToU8('y') },
      ]),
    ).rejects.toThrow();
    expect(fs.readdirSync(root)).toEqual([]);
    expect(fs.existsSync(path.join(root, '..', 'escape.txt'))).toBe(false);

    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'keep.txt'), 'keep');
    await expect(
      writeTreeAtomically(
        dest,
        [
          { path: 'x', data: strToU8('1') },
          { path: 'x/y', data: strToU8('2') },
        ],
        { overwrite: true },
      ),
    ).rejects.toThrow();
    expect(fs.readdirSync(root)).toEqual(['out']);
    expect(fs.readdirSync(dest)).toEqual(['keep.txt']);
  });
});

describe('listFilesRecursive', () => {
  it('lists regular files sorted and skips symlinks', async () => {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, 'b/c'), { recursive: true });
    fs.writeFileSync(path.join(root, 'z.txt'), '');
    fs.writeFileSync(path.join(root, 'b/c/d.txt'), '');
    fs.writeFileSync(path.join(root, 'a.txt'), '');
    fs.symlinkSync(path.join(root, 'a.txt'), path.join(root, 'link.txt'));
    fs.symlinkSync(path.join(root, 'b'), path.join(root, 'linkdir'));
    expect(await listFilesRecursive(root)).toEqual(['a.txt', 'b/c/d.txt', 'z.txt']);
  });
});
