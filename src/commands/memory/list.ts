import type { OptionsOf } from '../../cli/command-options.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import type { Colors } from '../../output/colors.js';
import type { Envelope } from '../../output/envelope.js';
import { createMemoryStore, type NamespaceInfo } from '../../state/memory-store.js';
import { statePaths } from '../../state/paths.js';
import { homeOf, resolveBase } from '../context.js';

/** `dispatch memory list`: every namespace file with its leaf-key count and size. */
export async function memoryList(opts: { cwd?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const memoryDir = statePaths(homeOf(base)).memory;
  const namespaces = await createMemoryStore(memoryDir).listNamespaces();
  const next = namespaces.length ? [{ command: `dispatch memory inspect --namespace ${namespaces[0].namespace}`, description: 'see what a namespace holds' }] : [];
  return { ...ok({ memoryDir, count: namespaces.length, namespaces }, next), view };
}

function view(e: Envelope, c: Colors): string {
  const list = (e.namespaces as NamespaceInfo[] | undefined) ?? [];
  if (list.length === 0) return `${c.dim('no memory namespaces yet in')} ${String(e.memoryDir)}\n`;
  const width = Math.max(9, ...list.map((n) => n.namespace.length));
  const lines = [c.dim(`${'namespace'.padEnd(width)}  ${'keys'.padStart(6)}  ${'size'.padStart(9)}  updated`)];
  for (const n of list) {
    const keys = n.corrupt ? c.red('corrupt'.padStart(6)) : String(n.keyCount).padStart(6);
    lines.push(`${c.bold(n.namespace.padEnd(width))}  ${keys}  ${bytes(n.sizeBytes).padStart(9)}  ${c.dim(n.updatedAt)}`);
  }
  lines.push(c.dim(`${list.length} namespace(s) in ${String(e.memoryDir)}`));
  return lines.join('\n') + '\n';
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export default (opts: OptionsOf<'memory list'>) => memoryList(opts);
