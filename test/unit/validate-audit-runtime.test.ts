import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_TIMER_MS, parseDuration } from '../../src/engine/duration.js';
import { callHandler } from '../../src/engine/step-exec.js';
import { parseTemplate } from '../../src/engine/template.js';
import { isDispatchError } from '../../src/errors.js';
import type { ResolvedAction } from '../../src/modules/registry.js';
import type { ActionContext } from '../../src/modules/types.js';

// Run-time lines behind validation (audit items 2, 4, 7b): a DispatchError with exit 2, never an
// internal error or a timer that overflows.

function loginAction(): ResolvedAction {
  return {
    name: 'auth.login',
    module: 'auth',
    action: 'login',
    version: '1.0.0',
    layer: 'repo',
    path: '/nowhere',
    definition: {
      description: 'needs a credential',
      schema: z.strictObject({}),
      credentialSchema: z.object({ username: z.string().min(1), password: z.string().min(1) }),
      handler: async (ctx: ActionContext) => {
        const { username } = ctx.credential as Record<string, string>;
        return { response: { username } };
      },
    },
  } as unknown as ResolvedAction;
}

function ctxWith(credential: Record<string, string> | undefined): ActionContext {
  return { credential, step: { id: 'poll', index: 0, action: 'auth.login' } } as unknown as ActionContext;
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('credentials at run time (item 2)', () => {
  const opts = () => ({ runSignal: new AbortController().signal, stepSignal: new AbortController() });

  it('a missing credential is CREDENTIAL_REQUIRED with exit 2, before the handler runs', async () => {
    const err = await failure(callHandler(loginAction(), ctxWith(undefined), {}, opts()));
    expect(isDispatchError(err) && { code: err.code, exitCode: err.exitCode }).toEqual({ code: 'CREDENTIAL_REQUIRED', exitCode: 2 });
  });

  it('a credential missing a field is CREDENTIAL_INVALID naming the field, not its value', async () => {
    const err = await failure(callHandler(loginAction(), ctxWith({ username: 'secret-user' }), {}, opts()));
    expect(isDispatchError(err) && { code: err.code, exitCode: err.exitCode }).toEqual({ code: 'CREDENTIAL_INVALID', exitCode: 2 });
    expect((err as Error).message).toContain('password');
    expect((err as Error).message).not.toContain('secret-user');
  });

  it('a fitting credential reaches the handler', async () => {
    await expect(callHandler(loginAction(), ctxWith({ username: 'u', password: 'p' }), {}, opts())).resolves.toEqual({ response: { username: 'u' } });
  });
});

describe('durations at run time (item 4)', () => {
  it('accepts the timer limit and refuses one millisecond more', () => {
    expect(parseDuration(MAX_TIMER_MS)).toBe(2_147_483_647);
    expect(() => parseDuration('600h')).toThrow(expect.objectContaining({ code: 'DURATION_TOO_LONG', exitCode: 2 }));
    expect(() => parseDuration(MAX_TIMER_MS + 1)).toThrow(/2147483647/);
  });
});

describe('template syntax messages (item 7a, 7b)', () => {
  it('a malformed JSONPath inside jsonpath(...) is named as such, not as an unterminated ${', () => {
    expect(() => parseTemplate('${jsonpath(step:a, $[)}')).toThrow(expect.objectContaining({ code: 'INTERPOLATION_SYNTAX', message: expect.stringContaining('Invalid JSONPath "$["') }));
    expect(() => parseTemplate('${env.X')).toThrow(/Unterminated/);
  });

  it('an unknown reference is quoted once', () => {
    expect(() => parseTemplate('${step.a.body.id}')).toThrow('Unknown reference "${step.a.body.id}".');
  });
});
