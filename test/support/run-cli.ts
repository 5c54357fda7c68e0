import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/main.js';
import { Redactor, redactor } from '../../src/output/redact.js';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.js';

// Not imported from cli.ts, which loads this file lazily: the two would form an import cycle.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs the CLI's real entry, `main(argv)`, in this test process: the same parsing, option check,
 * handler, printer and exit code as the binary, without the ~200 ms a spawned process costs.
 * Input matrices go through here; what only a process can show (exit status, stdout purity,
 * signals, crashes) stays in the spawn tests (support/cli.ts).
 *
 * What a fresh process would give each command, this gives each call: env vars set for the call
 * only, the working folder changed for the call (tests run in forked workers, one file each, so
 * chdir is theirs alone), and the secrets of earlier calls forgotten.
 */
export async function runCli(argv: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  if (running) throw new Error('runCli: one call at a time (it swaps process-wide stdout, env and cwd)');
  running = true;
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stdout = '';
  let stderr = '';
  const capture =
    (sink: (text: string) => void) =>
    (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    };
  try {
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    delete process.env.FORCE_COLOR;
    if (opts.cwd) process.chdir(opts.cwd);
    Object.assign(redactor, new Redactor());
    process.stdout.write = capture((t) => (stdout += t)) as typeof process.stdout.write;
    process.stderr.write = capture((t) => (stderr += t)) as typeof process.stderr.write;
    const code = await main(argv);
    return { code, stdout, stderr, json: parse(stdout) };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    running = false;
  }
}

let running = false;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The binary maps a module's `import 'dispatchkit'` to itself with a resolve hook that points into
 * dist/ next to it; from source, under the test runner, that hook has nothing to point at. In-process
 * tests instead give the sandbox a node_modules with this package and its zod, so modules in the
 * sandbox (repo or user layer) resolve both the ordinary way.
 */
export function linkDispatchkit(sandboxRoot: string): void {
  const dir = path.join(sandboxRoot, 'node_modules');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of [
    ['dispatchkit', repoRoot],
    ['zod', path.join(repoRoot, 'node_modules/zod')],
  ]) {
    if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(target, path.join(dir, name), 'dir');
  }
}
