import { expect } from 'vitest';

// Pollution shows up as a new or changed property on a built-in prototype, or as a global a
// script-running JSONPath filter would set.
const TARGETS = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype } as const;

type PrototypeSnapshot = Record<string, Map<string | symbol, unknown>>;

export function snapshotPrototypes(): PrototypeSnapshot {
  const out: PrototypeSnapshot = {};
  for (const [name, proto] of Object.entries(TARGETS)) {
    out[name] = new Map(Reflect.ownKeys(proto).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)?.value]));
  }
  return out;
}

export function expectPrototypesClean(before: PrototypeSnapshot): void {
  for (const [name, proto] of Object.entries(TARGETS)) {
    const keys = Reflect.ownKeys(proto);
    expect(keys.length, `${name}.prototype gained or lost keys`).toBe(before[name].size);
    for (const k of keys) expect(Object.getOwnPropertyDescriptor(proto, k)?.value, `${name}.prototype.${String(k)} changed`).toBe(before[name].get(k));
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((globalThis as Record<string, unknown>).__dispatchPwned).toBeUndefined();
}
