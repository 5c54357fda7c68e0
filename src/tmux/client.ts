import { createRequire } from 'node:module';
import { DispatchError, notFoundError } from '../errors.js';

/*
 * The tmux command, run with the run's environment: TMUX (inside tmux) and TMUX_TMPDIR decide the
 * server, as for tmux itself. Arguments go as an argv list, never through a shell.
 */

export type Env = Record<string, string | undefined>;

/** One pane as tmux lists it. */
export interface Pane {
  /** session:window.pane */
  target: string;
  paneId: string;
  command: string;
  cwd: string;
  pid: number;
}

const FORMAT = '#{session_name}:#{window_index}.#{pane_index}\t#{pane_id}\t#{pane_current_command}\t#{pane_current_path}\t#{pane_pid}';
const TIMEOUT_MS = 10_000;

// Loaded on first use: node:child_process brings net and dgram with it (a few ms of every
// command's start-up, docs/performance.md), and most commands drive no tmux.
// (A require, not import(): the core is compiled through vm.Script, which has no dynamic import.)
let childProcess: typeof import('node:child_process') | undefined;
const execFileOf = () => (childProcess ??= createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process')).execFile;

export async function tmux(args: string[], env: Env, input?: string): Promise<string> {
  const execFile = execFileOf();
  return new Promise((resolve, reject) => {
    const child = execFile('tmux', args, { env: env as NodeJS.ProcessEnv, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(notFoundError('TMUX_NOT_FOUND', 'tmux is not installed (no tmux command on PATH).', { hint: 'Install tmux (apt-get install tmux, brew install tmux).' }));
      const text = String(stderr || err.message).trim();
      if (/no server running|error connecting|No such file or directory/i.test(text)) {
        return reject(
          notFoundError('TMUX_NO_SERVER', `No tmux server is running for this environment (${text}).`, {
            hint: 'Start one (tmux new -s work), or set TMUX_TMPDIR / run inside the tmux session you mean.',
          }),
        );
      }
      if (/can't find (pane|window|session)/i.test(text)) {
        return reject(notFoundError('TMUX_TARGET_NOT_FOUND', `tmux has no such target: ${text}.`, { hint: 'dispatch targets lists the panes as session:window.pane.' }));
      }
      reject(new DispatchError({ code: 'TMUX_FAILED', exitCode: 3, message: `tmux ${args[0]} failed: ${text}`, hint: 'Check the target and that the tmux server is running.' }));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function parsePane(line: string): Pane {
  const [target, paneId, command, cwd, pid] = line.split('\t');
  return { target, paneId, command, cwd, pid: Number(pid) };
}

export async function listPanes(env: Env): Promise<Pane[]> {
  const out = await tmux(['list-panes', '-a', '-F', FORMAT], env);
  return out.split('\n').filter(Boolean).map(parsePane);
}

/** The one pane a target names (session, session:window or session:window.pane, or %id). */
export async function paneOf(target: string, env: Env): Promise<Pane> {
  const out = await tmux(['display-message', '-p', '-t', target, FORMAT], env);
  return parsePane(out.trim());
}

/** The last `lines` lines of the pane, joined wrapped lines, without colours or other sequences. */
export async function captureLines(pane: Pane, lines: number, env: Env): Promise<string[]> {
  const out = await tmux(['capture-pane', '-p', '-J', '-t', pane.paneId, '-S', `-${lines}`], env);
  const all = stripControls(out).split('\n');
  while (all.length && all[all.length - 1].trim() === '') all.pop();
  return all.slice(-lines);
}

/** Terminal control sequences (CSI, OSC, other escapes) and C0 controls but tab, gone. */
export function stripControls(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[@-Z\\-_]/g, '')
    .replace(/\r/g, '')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

/** Types text as keys, literally (no key names interpreted). */
export const typeLiteral = (pane: Pane, text: string, env: Env) => tmux(['send-keys', '-t', pane.paneId, '-l', '--', text], env);

/** Puts text in as one bracketed paste through a private tmux buffer (deleted after). */
export async function pasteText(pane: Pane, text: string, env: Env): Promise<void> {
  const buffer = `dispatch-${process.pid}-${Date.now().toString(36)}`;
  await tmux(['load-buffer', '-b', buffer, '-'], env, text);
  await tmux(['paste-buffer', '-p', '-d', '-b', buffer, '-t', pane.paneId], env);
}

export const pressKey = (pane: Pane, key: string, env: Env) => tmux(['send-keys', '-t', pane.paneId, key], env);

/** The pane's foreground processes: the pane's process and its descendants, as `args` lines. */
export async function processTree(pid: number, env: Env): Promise<string[]> {
  const execFile = execFileOf();
  return new Promise((resolve) => {
    execFile('ps', ['-e', '-o', 'pid=,ppid=,args='], { env: env as NodeJS.ProcessEnv, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve([]);
      const rows = stdout
        .split('\n')
        .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
      const keep = new Set([pid]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const r of rows) if (!keep.has(r.pid) && keep.has(r.ppid)) keep.add(r.pid), (grew = true);
      }
      resolve(rows.filter((r) => keep.has(r.pid)).map((r) => r.args));
    });
  });
}
