import { readFileSync } from 'node:fs';
import path from 'node:path';
import { semver } from '../util/semver.js';
import { z } from 'zod';
import { usageError, notFoundError } from '../errors.js';
import { MODULE_NAME } from '../job/schema.js';

export const ModuleManifestSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(MODULE_NAME, 'module names use letters, digits, "_" and "-"'),
  // semver's own parser, not a regex: `01.2.3` is not semver and `1.2.3-beta+exp.1` is. A leading
  // "v" or "=" is refused because dependency ranges compare the manifest string as written.
  version: z.string().refine((v) => semver().valid(v) !== null && /^\d/.test(v), 'version must be semver, e.g. 0.1.0'),
  entry: z.string().min(1),
  description: z.string().optional(),
  pack: z.strictObject({ include: z.array(z.string().min(1)).default([]) }).optional(),
});

export type ModuleManifest = z.infer<typeof ModuleManifestSchema>;

interface ReadManifest {
  manifest: ModuleManifest;
  manifestPath: string;
  entryPath: string;
}

/** Reads and checks `<dir>/module.json`; the entry must stay inside the module folder. */
export function readManifest(dir: string): Promise<ReadManifest>;
/**
 * The same for a registry that loads only some modules (a job's): a manifest that plainly names
 * another module is skipped before it is checked, so a run pays for no schema (or semver) of a
 * module it does not use. Anything else, broken manifests included, is checked as usual.
 */
export function readManifest(dir: string, only: Set<string> | undefined): Promise<ReadManifest | undefined>;
export async function readManifest(dir: string, only?: Set<string>): Promise<ReadManifest | undefined> {
  const manifestPath = path.join(dir, 'module.json');
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch {
    throw notFoundError('MODULE_MANIFEST_MISSING', `No module.json in ${dir}.`, {
      hint: 'A module folder holds module.json {name, version, entry} and its entry file; `dispatch module init` creates one.',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw usageError('MODULE_MANIFEST_INVALID', `${manifestPath} is not valid JSON: ${(err as Error).message}.`);
  }
  const named = (raw as { name?: unknown } | null)?.name;
  if (only && typeof named === 'string' && !only.has(named)) return undefined;
  const parsed = ModuleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw usageError('MODULE_MANIFEST_INVALID', `${manifestPath} is invalid: ${problems}.`, {
      hint: 'module.json needs {"name": "my-module", "version": "0.1.0", "entry": "index.mjs"}.',
    });
  }
  const entryPath = path.resolve(dir, parsed.data.entry);
  if (!isInside(dir, entryPath)) {
    throw usageError('MODULE_MANIFEST_INVALID', `${manifestPath}: entry "${parsed.data.entry}" points outside the module folder.`);
  }
  return { manifest: parsed.data, manifestPath, entryPath };
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
