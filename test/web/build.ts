import { chromium, type Browser, type Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Bundles web/ as `npm run build` does, into a folder of this test's own: the page as it is in the checkout. */
export async function buildDashboard(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'wwan-web-static-'));
  await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url)), out]);
  return out;
}

/** Debian's Chromium, headless, with one page whose console errors and page errors land in `problems`. */
export async function openPage(problems: string[], viewport: { width: number; height: number }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { browser, page: await newPage(browser, problems, viewport) };
}

/** Another page of the same browser, its errors landing in `problems` too. */
export async function newPage(browser: Browser, problems: string[], viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  return page;
}
