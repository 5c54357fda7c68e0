import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What an agent needs to know about one copy of SKILL.md. */
export interface SkillInfo {
  path: string;
  version?: string;
  name?: string;
  /** sha256 of the text with line endings normalised, so a CRLF checkout still counts as current. */
  sha256: string;
}

/**
 * The package root: the nearest folder above this file whose package.json is dispatchkit's.
 * From the bundle that is the parent of dist/ (code-split chunks sit one level deeper), and from
 * the sources under vitest it is the repo root, so no fixed number of `..` is assumed.
 */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'dispatchkit') return dir;
    } catch {
      /* no package.json here: keep climbing */
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function shippedSkillPath(): string | undefined {
  const root = packageRoot();
  return root ? path.join(root, 'SKILL.md') : undefined;
}

export function describeSkill(file: string, text: string): SkillInfo {
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const front = frontMatter(normalised);
  return { path: file, version: front.version, name: front.name, sha256: createHash('sha256').update(normalised).digest('hex') };
}

/** Reads flat `key: value` pairs from a leading `---` block; enough for name/description/version. */
function frontMatter(text: string): Record<string, string> {
  const m = /^---\n([\s\S]*?)\n---(?:\n|$)/.exec(text);
  const out: Record<string, string> = Object.create(null);
  if (!m) return out;
  for (const line of m[1].split('\n')) {
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (kv) out[kv[1]] = kv[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
