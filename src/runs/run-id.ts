const RUN_ID_PATTERN = /^\d{8}-\d{6}-[a-z][a-z-]*-[0-9a-f]{7}$/;

/** `YYYYMMDD-HHMMSS-<command>-<7 hex>` in UTC, e.g. 20260306-162116-job-run-716a47b. */
export function newRunId(command: string, now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  // Uniqueness, not secrecy: the id already carries the second, and Math.random spares loading
  // node:crypto (~3 ms of every run's start-up).
  const suffix = Math.floor(Math.random() * 0x10000000)
    .toString(16)
    .padStart(7, '0');
  return `${stamp}-${command}-${suffix}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
