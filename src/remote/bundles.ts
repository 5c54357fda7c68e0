import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { collectPackFiles } from '../modules/bundle.js';
import { readManifest } from '../modules/manifest.js';
import type { Registry } from '../modules/registry.js';
import { createZip, readZipSafe, writeTreeAtomically } from '../util/zip.js';
import type { RedisClient } from './connection.js';
import { bundleKey, KEEP_SECONDS, type BundleRef } from './protocol.js';

/**
 * The repo and user modules loaded for a job (those it names), packed as `module pack` bundles
 * and stored in Redis under their content hash (a bundle already there is not sent again). A
 * worker installs them as its repo layer. Runtime overrides are this machine's setting and do not
 * travel.
 */
export async function shipModules(registry: Registry, redis: RedisClient): Promise<BundleRef[]> {
  const dirs = new Map<string, string>();
  // Later layers win, as in the registry: a user module replaces a repo module of the same name.
  for (const m of registry.modules) if (m.layer === 'repo' || m.layer === 'user') dirs.set(m.name, m.dir);
  const refs: BundleRef[] = [];
  for (const [name, dir] of dirs) {
    const { manifest } = await readManifest(dir);
    const files = await collectPackFiles(dir, manifest);
    const zip = createZip(await Promise.all(files.map(async (f) => ({ path: f.path, data: new Uint8Array(await fs.readFile(f.abs)) }))));
    const hash = createHash('sha256').update(zip).digest('hex');
    await redis.set(bundleKey(hash), Buffer.from(zip), 'EX', KEEP_SECONDS, 'NX');
    refs.push({ name, hash });
  }
  return refs.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * A worker's private project for a set of bundles: `<cache>/<set hash>/modules/<name>/`, unpacked
 * once and reused by every run that needs the same modules. Returns the project folder.
 */
export async function projectFor(cacheDir: string, refs: BundleRef[], redis: RedisClient): Promise<string> {
  const setHash = createHash('sha256')
    .update(refs.map((r) => `${r.name}:${r.hash}`).join('\n'))
    .digest('hex')
    .slice(0, 24);
  const project = path.join(cacheDir, setHash);
  for (const ref of refs) {
    const dir = path.join(project, 'modules', ref.name);
    if (await exists(path.join(dir, 'module.json'))) continue;
    const data = await redis.getBuffer(bundleKey(ref.hash));
    if (!data) throw new Error(`module bundle ${ref.name} (${ref.hash.slice(0, 12)}) is no longer in Redis; run the batch again`);
    if (createHash('sha256').update(data).digest('hex') !== ref.hash) throw new Error(`module bundle ${ref.name} does not match its hash`);
    const entries = readZipSafe(new Uint8Array(data), { what: 'module bundle', maxTotalBytes: 64 * 1024 * 1024 });
    await fs.mkdir(path.dirname(dir), { recursive: true });
    try {
      await writeTreeAtomically(dir, entries);
    } catch (err) {
      // Another run of this worker unpacked it first.
      if ((err as { code?: string }).code !== 'ALREADY_EXISTS') throw err;
    }
  }
  await fs.mkdir(project, { recursive: true });
  return project;
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );
