import { redactor } from './redact.js';

/**
 * Stdout belongs to dispatch: one envelope under --json, the human report otherwise. Anything
 * else that runs inside a command (a module's console.log, a handler's process.stdout.write)
 * is sent to stderr, so `--json` output always parses. Everything written to stderr, ours or a
 * module's, is redacted like the rest of the output: a module that prints a credential cannot
 * leak it. Installed by the CLI entry only; a program using the SDK keeps its own stdout.
 */
type Write = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;

let realStdout: Write | undefined;
let protocolOnly = false;

export function guardStdio(): void {
  if (realStdout) return;
  realStdout = process.stdout.write.bind(process.stdout) as Write;
  const stderr = process.stderr.write.bind(process.stderr) as Write;
  const redacting: Write = (chunk, encoding, cb) => {
    const callback = typeof encoding === 'function' ? encoding : cb;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    return stderr(redactor.redactText(text), callback);
  };
  process.stdout.write = redacting as typeof process.stdout.write;
  process.stderr.write = redacting as typeof process.stderr.write;
}

/** Writes to the real stdout (the only way dispatch's own output reaches it once guarded). */
export function writeStdout(text: string): void {
  if (realStdout && !protocolOnly) realStdout(text);
  else process.stdout.write(text);
}

/**
 * For `dispatch mcp`: the real stdout carries protocol messages only, through the returned
 * writer; from now on everything else, dispatch's own envelopes included, goes to stderr.
 */
export function claimStdoutForProtocol(): (chunk: unknown, cb: (err?: Error | null) => void) => boolean {
  guardStdio();
  protocolOnly = true;
  const write = realStdout as Write;
  return (chunk, cb) => write(chunk, cb);
}
