import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { startSuiteApi, SUITE_TOKEN, suiteEnv, writeSuite, type SuiteApi } from '../support/suite-fixtures.js';

// The HTML report in a real headless browser (Debian's Chromium, driven by playwright-core): it
// renders with no console error and no request beyond its own file, the failing case is in view
// without scrolling, and its timeline is drawn. A screenshot is kept in test-artifacts/.

const CHROMIUM = process.env.DISPATCH_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

let api: SuiteApi;
let box: Sandbox;
let browser: Browser;
beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set DISPATCH_CHROMIUM.`);
  api = await startSuiteApi();
  box = sandbox('dispatch-html-', { inProcess: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  box?.cleanup();
  await api?.close();
});

async function open(file: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe('the HTML report', () => {
  it('shows a failing suite, failures first and in view, with a waterfall and nothing fetched', async () => {
    writeSuite(box, api.url);
    const r = await box.json(['job', 'test', '--reporter', 'html=report.html'], { env: suiteEnv });
    expect(r.json.exitCode).toBe(2);
    const file = path.join(box.cwd, 'report.html');
    const html = fs.readFileSync(file, 'utf8');
    expect(html.includes(SUITE_TOKEN)).toBe(false);
    // Self-contained: no external stylesheet, script or image.
    expect(html).not.toMatch(/<(link|img)\b|<script[^>]+src=|url\(|@import/i);

    const { page, problems, requests } = await open(file);
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([`file://${file}`]);
      expect(await page.textContent('#verdict')).toBe('FAILED');
      expect(await page.title()).toMatch(/^FAILED: suite /);

      // Failures come first and open; the first one is inside the first screen.
      const order = await page.$$eval('details.case', (els) => els.map((e) => [e.getAttribute('data-case'), e.classList.contains('fail'), (e as HTMLDetailsElement).open]));
      expect(order.slice(0, 3).every(([, fail, open]) => fail && open)).toBe(true);
      expect(order.slice(3).every(([, fail, open]) => !fail && !open)).toBe(true);
      const first = await page.locator('details.case.fail').first().boundingBox();
      expect(first).not.toBeNull();
      expect(first!.y + 40).toBeLessThan(800);
      expect(await page.locator('details.case.fail').first().locator('summary').isVisible()).toBe(true);

      // The 404 case: its failing step and HTTP call are drawn on the timeline, the assertion that broke is listed.
      const notFound = page.locator('details.case[data-case="jobs/e-not-found.job.case.json"]');
      expect(await notFound.locator('tr.http').first().textContent()).toContain('/missing');
      expect(await notFound.locator('.seg.bad').count()).toBeGreaterThanOrEqual(1);
      const assertFails = page.locator('details.case[data-case="jobs/d-assert-fails.job.case.json"]');
      expect(await assertFails.locator('table.rules tr.fail').first().textContent()).toContain('$.steps.get.response.body.items[0] eq');

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const shot = path.join(ARTIFACTS, 'html-report-suite.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(fs.statSync(shot).size).toBeGreaterThan(10_000);

      // The page's own script works: expand every case.
      await page.click('#expand');
      expect(await page.$$eval('details.case', (els) => els.every((e) => (e as HTMLDetailsElement).open))).toBe(true);
      await page.click('#fold');
      expect(await page.$$eval('details.case', (els) => els.some((e) => (e as HTMLDetailsElement).open))).toBe(false);

      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('renders one run offline with job report, passing, with its steps', async () => {
    const run = await box.json(['job', 'run', '--case', 'jobs/sub/b-nested.job.case.json'], { env: suiteEnv });
    expect(run.json.status).toBe('SUCCESS');
    const r = await box.json(['job', 'report', '--run-id', run.json.runId, '--format', 'html', '--out', 'run.html']);
    expect(r.json).toMatchObject({ status: 'SUCCESS', kind: 'run', passed: true });
    const { page, problems } = await open(path.join(box.cwd, 'run.html'));
    try {
      expect(await page.textContent('#verdict')).toBe('PASSED');
      await page.click('#expand');
      expect(await page.locator('tr.step').allTextContents()).toHaveLength(2);
      expect(problems).toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-run.png') });
    } finally {
      await page.close();
    }
  }, 60_000);
});
