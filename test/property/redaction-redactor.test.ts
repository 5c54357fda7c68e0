// The redactor in-process, over many more samples than the spawning test can afford: whatever a
// secret looks like, redacted data serialises to valid JSON without the secret in any encoding,
// keys and protected names are untouched, and the well-known token shapes are masked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerJobSecrets } from '../../src/job/register-secrets.js';
import { z } from '../../src/index.js';
import { REDACTED, Redactor } from '../../src/output/redact.js';

const specials = ['@', ':', '/', '[', ']', '$', '&', '+', ',', ';', '=', '"', '\\', ' ', 'é', '日', '😀', '\n', '%'];
const secretArb = fc
  .tuple(fc.array(fc.constantFrom(...specials), { maxLength: 4 }), fc.stringMatching(/^[a-z0-9]{4,10}$/), fc.array(fc.constantFrom(...specials), { maxLength: 4 }))
  .map(([a, c, b]) => ({ secret: `${a.join('')}${c}${b.join('')}`, core: c }));

const forms = (s: string) => {
  const out = [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)];
  return [...new Set([...out, ...out.map((f) => f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))])];
};

describe('Redactor', () => {
  it('redacted data is valid JSON with the secret gone in every form; keys and protected names stay', () => {
    fc.assert(
      fc.property(secretArb, fc.jsonValue({ maxDepth: 3 }), ({ secret, core }, filler) => {
        const r = new Redactor();
        r.addSecret(secret);
        const name = `login-${core}`;
        r.protect(name);
        const doc = {
          [secret]: 'key stays',
          id: name,
          text: `user ${secret} said ${encodeURIComponent(secret)} in ${name}`,
          json: JSON.stringify({ pw: secret }),
          form: new URLSearchParams({ pw: secret, n: 'x' }).toString(),
          list: [secret, filler],
          ...(/^\d+$/.test(secret) ? { num: Number(secret) } : {}),
        };
        const text = JSON.stringify(r.redact(doc));
        const back = JSON.parse(text) as Record<string, unknown>;
        expect(Object.keys(back)).toEqual(Object.keys(doc));
        expect(back.id).toBe(name);
        expect(back.text).toContain(name);
        const data = text
          .split(JSON.stringify(secret).slice(1, -1) + '":"key stays')
          .join('')
          .split(name)
          .join('');
        for (const f of forms(secret)) expect({ f, found: data.includes(f) }).toEqual({ f, found: false });
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  it('turns a number that spells a secret into the string marker, so JSON stays valid', () => {
    const r = new Redactor();
    r.addSecret('48213');
    const out = r.redact({ accountId: 48213, other: 7, label: 'acct 48213' });
    expect(out).toEqual({ accountId: REDACTED, other: 7, label: `acct ${REDACTED}` });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('masks a name that is exactly the secret (the secret wins), and leaves values under 4 characters', () => {
    const r = new Redactor();
    r.addSecret('admin');
    r.addSecret('abc');
    r.protect('admin');
    r.protect('login-admin');
    expect(r.redactText('admin login-admin abc')).toBe(`${REDACTED} login-admin abc`);
  });

  it('masks well-known token shapes, password= pairs and URL userinfo passwords, and leaves prose alone', () => {
    const r = new Redactor();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const samples: Array<[string, string]> = [
      [`Authorization: Bearer abc123def456`, `Authorization: Bearer ${REDACTED}`],
      ['sent Basic dXNlcjpwYXNz now', `sent Basic ${REDACTED} now`],
      [`token ${jwt} end`, `token ${REDACTED} end`],
      ['key sk-proj-abcdefghijklmnop1234 x', `key ${REDACTED} x`],
      ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789', `gh ${REDACTED}`],
      ['gh github_pat_11ABCDEFG0123456789_abcdefghijkl', `gh ${REDACTED}`],
      ['slack xoxb-1234567890-abcdefghij', `slack ${REDACTED}`],
      ['aws AKIAIOSFODNN7EXAMPLE', `aws ${REDACTED}`],
      ['login?user=bob&password=hunter22&x=1', `login?user=bob&password=${REDACTED}&x=1`],
      ['DB_PASSWORD=hunter22 next', `DB_PASSWORD=${REDACTED} next`],
      ['https://bob:s3cr3t@example.com/path', `https://bob:${REDACTED}@example.com/path`],
      ['Bearer tokens and Basic auth are masked; an author field is data', 'Bearer tokens and Basic auth are masked; an author field is data'],
    ];
    for (const [input, expected] of samples) expect(r.redactText(input)).toBe(expected);
  });

  it('masks sensitive headers in header maps and a short list of exact body fields, not broad name words', () => {
    const r = new Redactor();
    const out = r.redact({
      request: { headers: { 'private-token': 'a', 'x-auth-token': 'b', 'api-key': 'c', 'x-client': 'd' } },
      body: { password: 'p', access_token: 'q', client_secret: 'r', author: 'Ann', keyboard: 'qwerty', tokens_used: 12 },
      credentials: { admin: { fromEnv: { password: 'ADMIN_PASSWORD' } } },
      schema: { properties: { password: { type: 'string', secret: false } } },
    });
    expect(out).toEqual({
      request: { headers: { 'private-token': REDACTED, 'x-auth-token': REDACTED, 'api-key': REDACTED, 'x-client': 'd' } },
      body: { password: REDACTED, access_token: REDACTED, client_secret: REDACTED, author: 'Ann', keyboard: 'qwerty', tokens_used: 12 },
      credentials: { admin: { fromEnv: { password: 'ADMIN_PASSWORD' } } },
      schema: { properties: { password: { type: 'string', secret: false } } },
    });
  });

  it('keeps a JSON document valid when a secret sits in it, and leaves it byte for byte when none does', () => {
    const r = new Redactor();
    r.addSecret('p"a\\ss');
    const clean = '{"a": 1}\n';
    expect(r.redactJsonText(clean)).toBe(clean);
    const text = JSON.stringify({ note: 'p"a\\ss', n: '${env.X}' });
    expect(JSON.parse(r.redactJsonText(text))).toEqual({ note: REDACTED, n: '${env.X}' });
  });

  it('registers Basic pairs of a profile in either field order, and the sensitive env vars a job reads', () => {
    const r = new Redactor();
    const raw = {
      jobType: 'pairs',
      // Declared password first: a module still sends username:password.
      credentials: { main: { fromEnv: { password: 'P_PASS', username: 'P_USER' } } },
      inputs: { note: 'x ${env.SOME_API_TOKEN:-none} ${env.PLAIN_VALUE}' },
      scenario: { steps: [{ id: 'a', action: 'm.a', credential: 'main' }] },
    };
    registerJobSecrets(raw, { P_PASS: 'pw-7781', P_USER: 'someone', SOME_API_TOKEN: 'tok-123456', PLAIN_VALUE: 'visible-value' }, undefined, r);
    const basic = Buffer.from('someone:pw-7781').toString('base64');
    expect(r.redactText(`Authorization: Basic ${basic} / ${Buffer.from('pw-7781:someone').toString('base64')}`)).toBe(`Authorization: Basic ${REDACTED} / ${REDACTED}`);
    expect(r.redactText('tok-123456 visible-value someone')).toBe(`${REDACTED} visible-value ${REDACTED}`);
  });
});
