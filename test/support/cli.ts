import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'dist/bin.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed stdout when it is one JSON document (always, under --json). */
  json: any;
}

export interface Sandbox {
  root: string;
  home: string;
  output: string;
  cwd: string;
  env: Record<string, string>;
  /** Runs the built CLI with DISPATCH_HOME/DISPATCH_RUN_OUTPUT pointing into the sandbox. */
  run(args: string[], opts?: { env?: Record<string, string | undefined>; cwd?: string; input?: string }): Promise<CliResult>;
  /** Runs with --json appended and asserts stdout parsed. */
  json(args: string[], opts?: { env?: Record<string, string | undefined>; cwd?: string }): Promise<CliResult>;
  spawn(args: string[], opts?: { env?: Record<string, string | undefined>; cwd?: string }): ChildProcess;
  write(rel: string, content: unknown): string;
  cleanup(): void;
}

/**
 * A fresh temp world for one test: state home, run output and a working directory. With
 * `inProcess`, `run` and `json` call the CLI's entry in this process (support/run-cli.ts) instead
 * of spawning the binary: for suites that sweep inputs, not the process contract. `spawn` always
 * starts a real process.
 */
export function sandbox(prefix = 'dispatch-e2e-', o: { inProcess?: boolean } = {}): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(root, 'home');
  const output = path.join(root, 'run-output');
  const cwd = path.join(root, 'work');
  fs.mkdirSync(cwd, { recursive: true });
  const env: Record<string, string> = { DISPATCH_HOME: home, DISPATCH_RUN_OUTPUT: output, NO_COLOR: '1' };
  const baseEnv = () => {
    const e: Record<string, string | undefined> = { ...process.env, ...env };
    delete e.FORCE_COLOR;
    return e;
  };
  const box: Sandbox = {
    root,
    home,
    output,
    cwd,
    env,
    async run(args, opts = {}) {
      if (o.inProcess && opts.input === undefined) {
        const { runCli, linkDispatchkit } = await import('./run-cli.js');
        linkDispatchkit(root);
        return runCli(args, { env: { ...env, ...opts.env }, cwd: opts.cwd ?? cwd });
      }
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [binPath, ...args], { cwd: opts.cwd ?? cwd, env: clean({ ...baseEnv(), ...opts.env }) });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        if (opts.input !== undefined) child.stdin.end(opts.input);
        else child.stdin.end();
        child.on('error', reject);
        child.on('close', (code) => {
          let json: unknown;
          try {
            json = JSON.parse(stdout);
          } catch {
            json = undefined;
          }
          resolve({ code: code ?? -1, stdout, stderr, json });
        });
      });
    },
    async json(args, opts = {}) {
      const r = await box.run([...args, '--json'], opts);
      if (r.json === undefined) throw new Error(`stdout was not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
      return r;
    },
    spawn(args, opts = {}) {
      return spawn(process.execPath, [binPath, ...args], { cwd: opts.cwd ?? cwd, env: clean({ ...baseEnv(), ...opts.env }) });
    },
    write(rel, content) {
      const file = path.isAbsolute(rel) ? rel : path.join(cwd, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : `${JSON.stringify(content, null, 2)}\n`);
      return file;
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return box;
}

function clean(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Reads every file of a run directory (for redaction and artifact checks). */
export function readRunFiles(runDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(runDir)) out[name] = fs.readFileSync(path.join(runDir, name), 'utf8');
  return out;
}

export function readJsonl(file: string): any[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** A minimal job document with the given steps. */
export function job(steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 1, jobType: 'test-job', ...extra, scenario: { steps } };
}
