import type { OptionsOf } from '../../cli/command-options.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DispatchError, notFoundError } from '../../errors.js';
import type { Colors } from '../../output/colors.js';
import { ok, type CommandResult, type Envelope } from '../../output/envelope.js';
import { countLeaves, createMemoryStore, validateNamespace } from '../../state/memory-store.js';
import { statePaths } from '../../state/paths.js';
import { homeOf, resolveBase } from '../context.js';
import { bytes } from './list.js';

/** `dispatch memory inspect --namespace <name>`: the namespace file's contents. */
export async function memoryInspect(opts: { cwd?: string; namespace?: string }): Promise<CommandResult> {
  const base = resolveBase(opts);
  const namespace = validateNamespace(opts.namespace);
  const memoryDir = statePaths(homeOf(base)).memory;
  const file = path.join(memoryDir, `${namespace}.json`);
  let read: { found: boolean; data: Record<string, unknown> };
  try {
    read = await createMemoryStore(memoryDir).readNamespace(namespace);
  } catch (err) {
    // The store's own hint points back at this command; here the only way out is the file itself.
    if (err instanceof DispatchError && err.code === 'MEMORY_CORRUPT') {
      throw new DispatchError({
        code: err.code,
        exitCode: err.exitCode,
        message: err.message,
        hint: `Open ${file} and fix it by hand (it must hold one JSON object), or delete it to start the namespace afresh.`,
        details: err.details,
      });
    }
    throw err;
  }
  if (!read.found) {
    throw notFoundError('MEMORY_NAMESPACE_NOT_FOUND', `Memory namespace "${namespace}" does not exist (no ${file}).`, {
      hint: 'A namespace appears when a seed job first runs memory.store into it.',
      next: [{ command: 'dispatch memory list', description: 'list the namespaces that exist' }],
    });
  }
  const stat = await fs.stat(file).catch(() => undefined);
  const data = { namespace, file, keyCount: countLeaves(read.data), sizeBytes: stat?.size ?? 0, updatedAt: stat?.mtime.toISOString(), data: read.data };
  return { ...ok(data, [{ command: 'dispatch memory list', description: 'see every namespace' }]), view };
}

function view(e: Envelope, c: Colors): string {
  const head = `${c.bold(String(e.namespace))} ${c.dim(`${String(e.keyCount)} key(s), ${bytes(Number(e.sizeBytes))}, ${String(e.file)}`)}`;
  return `${head}\n${JSON.stringify(e.data, null, 2)}\n`;
}

export default (opts: OptionsOf<'memory inspect'>) => memoryInspect(opts);
