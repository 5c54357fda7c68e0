import pc from 'picocolors';

/** Colour only for a TTY, never with NO_COLOR, always with FORCE_COLOR (picocolors reads both). */
export function colorsFor(stream: { isTTY?: boolean }): ReturnType<typeof pc.createColors> {
  const env = process.env;
  const enabled = env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? false : env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? true : Boolean(stream.isTTY);
  return pc.createColors(enabled);
}

export type Colors = ReturnType<typeof colorsFor>;
