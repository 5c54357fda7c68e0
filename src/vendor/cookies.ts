// tough-cookie, loaded on the first Set-Cookie of a run (src/http/cookies.ts).
export { CookieJar } from 'tough-cookie';
