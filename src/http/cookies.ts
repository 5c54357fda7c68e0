import { CookieJar } from 'tough-cookie';

/** The run's cookie jar: in memory only, so session cookies never outlive the process. */
export interface RunCookieJar {
  /** The `cookie` header value for `url`, or undefined when the jar has nothing for it. */
  headerFor(url: URL): Promise<string | undefined>;
  /** Stores Set-Cookie lines received from `url`; malformed or foreign-domain cookies are dropped. */
  store(url: URL, lines: string[]): Promise<void>;
}

export function createCookieJar(): RunCookieJar {
  const jar = new CookieJar();
  return {
    async headerFor(url) {
      const value = await jar.getCookieString(url.href);
      return value === '' ? undefined : value;
    },
    async store(url, lines) {
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
