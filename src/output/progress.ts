import { colorsFor } from './colors.js';
import type { TextStream } from '../util/io-types.js';

/** Live progress of a batch. Every method is a no-op when the bar is not drawn. */
interface Progress {
  readonly enabled: boolean;
  /** One run finished with this status. */
  tick(status: string): void;
  /** Clears the bar so the final summary starts on a clean line. */
  done(): void;
}

const WIDTH = 24;
// Redrawing on every tick of a fast batch would cost more than the runs; a few frames a second is plenty.
const FRAME_MS = 80;

/**
 * A one-line bar on `stream`, drawn only when that stream is a terminal: under --json, in pipes and
 * in CI logs the caller passes no stream or a non-TTY one, and nothing is written at all.
 */
export function createProgress(total: number, stream: TextStream | undefined, label = 'runs'): Progress {
  if (!stream?.isTTY || total <= 0) return { enabled: false, tick: () => undefined, done: () => undefined };
  const c = colorsFor(stream);
  const counts = { ok: 0, failed: 0, interrupted: 0 };
  let lastDraw = 0;
  let drawn = false;

  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < FRAME_MS) return;
    lastDraw = now;
    drawn = true;
    const finished = counts.ok + counts.failed + counts.interrupted;
    const filled = Math.round((finished / total) * WIDTH);
    const bar = c.green('█'.repeat(filled)) + c.dim('░'.repeat(WIDTH - filled));
    const parts = [`${bar} ${finished}/${total} ${label}`, c.green(`✓ ${counts.ok}`)];
    if (counts.failed) parts.push(c.red(`✗ ${counts.failed}`));
    if (counts.interrupted) parts.push(c.yellow(`! ${counts.interrupted}`));
    stream.write(`\r\x1b[2K${parts.join('  ')}`);
  };

  draw(true);
  return {
    enabled: true,
    tick(status) {
      if (status === 'SUCCESS') counts.ok++;
      else if (status === 'INTERRUPTED') counts.interrupted++;
      else counts.failed++;
      draw(counts.ok + counts.failed + counts.interrupted >= total);
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
