import type { CookieJar } from 'tough-cookie';

/** The run's cookie jar: in memory only, so session cookies never outlive the process. */
export interface RunCookieJar {
  /** The `cookie` header value for `url`, or undefined when the jar has nothing for it. */
  headerFor(url: URL): Promise<string | undefined>;
  /** Stores Set-Cookie lines received from `url`; malformed or foreign-domain cookies are dropped. */
  store(url: URL, lines: string[]): Promise<void>;
}

/**
 * tough-cookie (with its public-suffix data) is loaded only when the first Set-Cookie arrives:
 * most API runs never see a cookie and should not pay for the jar.
 */
export function createCookieJar(): RunCookieJar {
  let jar: CookieJar | undefined;
  return {
    async headerFor(url) {
      if (!jar) return undefined;
      const value = await jar.getCookieString(url.href);
      return value === '' ? undefined : value;
    },
    async store(url, lines) {
      if (lines.length === 0) return;
      if (!jar) {
        const { CookieJar: Jar } = await import('../vendor/cookies.js');
        jar ??= new Jar();
      }
      for (const line of lines) {
        try {
          await jar.setCookie(line, url.href, { ignoreError: true });
        } catch {
          // A bad cookie from the server is its problem, not a reason to fail the step.
        }
      }
    },
  };
}
