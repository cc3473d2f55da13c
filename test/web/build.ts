import { chromium, type Browser, type Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Daemon } from '../../src/daemon/server.js';
import { WebServer } from '../../src/web/server.js';
import { hasTool } from '../support/tools.js';

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

/** What a dashboard test file works with once its `beforeAll` has run. */
export interface Dashboard {
  /** A folder of this file's own (sockets, config), removed at the end. */
  readonly dir: string;
  daemon: Daemon;
  web: WebServer;
  browser: Browser;
  page: Page;
  /** Console and page errors; each test fails if any arrived during it. */
  readonly problems: string[];
}

/**
 * Registers the hooks every dashboard test file shares: the page bundled from the checkout, a daemon
 * from `start`, the web server on a free loopback port, Chromium with one page; each test fails on a
 * page error; everything is closed (then `stop`) at the end. Without Chromium nothing starts.
 */
export function dashboardFixture(name: string, opts: {
  start: (dir: string) => Promise<Daemon>;
  stop?: () => Promise<void>;
  viewport: { width: number; height: number };
  sampleMs?: number;
  timeoutMs?: number;
}): Dashboard {
  const ui = { dir: mkdtempSync(join(tmpdir(), `wwan-${name}-${process.pid}-`)), problems: [] as string[] } as Dashboard;
  beforeAll(async () => {
    if (!hasTool('chromium')) return;
    const staticDir = await buildDashboard();
    ui.daemon = await opts.start(ui.dir);
    ui.web = await WebServer.start({ daemon: ui.daemon, port: 0, sampleMs: opts.sampleMs ?? 500, staticDir });
    ({ browser: ui.browser, page: ui.page } = await openPage(ui.problems, opts.viewport));
  }, opts.timeoutMs ?? 30_000);
  afterEach(() => {
    expect(ui.problems).toEqual([]);
  });
  afterAll(async () => {
    await ui.browser?.close();
    await ui.web?.close();
    await ui.daemon?.stop();
    await opts.stop?.();
    rmSync(ui.dir, { recursive: true, force: true });
  });
  return ui;
}
