import { describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/output/token-shapes.js';

// tokenMatches first checks a string for any literal the shapes need; every shape must still be
// found through that check, whatever its case.
const EXAMPLES: Array<[string, string]> = [
  ['Authorization: Bearer abc123def456', 'abc123def456'],
  ['authorization: BEARER abc123def456', 'abc123def456'],
  ['Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
  ['token ABCDEFGHIJKLMNOPQRSTUV', 'ABCDEFGHIJKLMNOPQRSTUV'],
  ['jwt eyJhbGciOiJIUzI1.eyJzdWIiOiIx.sig_part', 'eyJhbGciOiJIUzI1.eyJzdWIiOiIx.sig_part'],
  ['key sk-abcdefghijklmnop1234', 'sk-abcdefghijklmnop1234'],
  ['stripe sk_live_abcdefghij12', 'sk_live_abcdefghij12'],
  ['stripe rk_test_abcdefghij12', 'rk_test_abcdefghij12'],
  ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['pat github_pat_abcdefghijklmnopqrstu', 'github_pat_abcdefghijklmnopqrstu'],
  ['slack xoxb-1234567890-abc', 'xoxb-1234567890-abc'],
  ['aws AKIAABCDEFGHIJKLMNOP', 'AKIAABCDEFGHIJKLMNOP'],
  ['aws ASIAABCDEFGHIJKLMNOP', 'ASIAABCDEFGHIJKLMNOP'],
  ['HTTPS://user:pa55word@host', 'pa55word'],
  ['next=https%3A%2F%2Fuser%3Apa55word%40host', 'pa55word'],
  ['next=HTTPS%3a%2f%2fuser%3apa55word%40host', 'pa55word'],
  ['?Password=hunter22&x=1', 'hunter22'],
  ['passwd=hunter22', 'hunter22'],
  ['pwd=hunter22', 'hunter22'],
  ['CLIENT_SECRET=s3cr3t', 's3cr3t'],
  ['apikey=k3y', 'k3y'],
  ['API_KEY=k3y', 'k3y'],
  ['access_token=t0k', 't0k'],
  ['refresh_token%3Dt0k', 't0k'],
];

describe('token shapes', () => {
  it.each(EXAMPLES)('finds the secret in %j', (text, secret) => {
    const found = tokenMatches(text).map(([a, b]) => text.slice(a, b));
    expect(found).toContain(secret);
  });

  it('settles plain values without a match', () => {
    for (const text of ['20261204-081234-job-run-abc1234', 'item 42', '/item/7', 'John Smith', '{"id":1}', '']) expect(tokenMatches(text)).toEqual([]);
  });
});
