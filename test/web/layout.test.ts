/**
 * The dashboard's layout in Debian's Chromium: an empty chart still has its axes, the connect
 * progress shows its step numbers whole, and at phone widths no page scrolls sideways.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { MemoryNetdev } from '../../src/net/memory.js';
import { daemonWithSims } from '../support/sim-daemon.js';
import { itWithTools } from '../support/tools.js';
import { dashboardFixture, newPage } from './build.js';

const it = itWithTools(['chromium']);
// Throughput is sampled once a minute: a link's chart stays empty for the whole test.
const ui = dashboardFixture('layout', {
  start: (dir) => daemonWithSims({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) }, ['qmi-rmnet']),
  viewport: { width: 1280, height: 860 },
  sampleMs: 60_000,
});

/** What the page scrolls sideways by (0: it fits its window). */
const overflow = (p: Page): Promise<number> => p.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;

describe('dashboard layout in Chromium', () => {
  it('draws the axes of a chart that has no data yet, and shows the progress numbers whole', async () => {
    await ui.page.goto(ui.web.url);
    await ui.page.click('a[href="#/modem/sim0"]');
    await expect.poll(() => ui.page.locator('#connect button').isEnabled()).toBe(true);
    await ui.page.click('#connect button');
    const chart = ui.page.locator('.throughput .chart[data-link="wwan0.1"]');
    await chart.waitFor();
    expect(await chart.getAttribute('data-points')).toBe('0');
    // Time along the bottom and rates up the side, even before the first sample.
    expect(Number(await chart.getAttribute('data-ticks-x'))).toBeGreaterThan(1);
    expect(Number(await chart.getAttribute('data-ticks-y'))).toBeGreaterThan(1);
    const steps = await ui.page.locator('#progress li').count();
    expect(steps).toBeGreaterThan(2);
    const numbers = await ui.page.locator('#progress').evaluate((list) => {
      const box = list.getBoundingClientRect();
      return [...list.querySelectorAll('li .n')].map((n) => {
        const r = n.getBoundingClientRect();
        return { text: n.textContent, inside: r.left >= box.left && r.right <= box.right && r.width > 0 };
      });
    });
    expect(numbers).toEqual(Array.from({ length: steps }, (_, i) => ({ text: `${i + 1}.`, inside: true })));
  });

  it('fits a 360 px wide window on every page, without sideways scrolling', async () => {
    const narrow = await newPage(ui.browser, ui.problems, { width: 360, height: 740 });
    try {
      await narrow.goto(ui.web.url);
      await narrow.locator('#modems tbody tr').first().waitFor();
      expect(await overflow(narrow)).toBeLessThanOrEqual(0);
      for (const [hash, ready] of [['#/modem/sim0', '#bearers'], ['#/trace', '.trace-list'], ['#/modem/sim0/messages', 'form']] as const) {
        await narrow.evaluate(`location.hash = ${JSON.stringify(hash)}`);
        await narrow.locator(ready).first().waitFor();
        await narrow.waitForTimeout(300);
        expect([hash, await overflow(narrow)]).toEqual([hash, 0]);
      }
    } finally {
      await narrow.close();
    }
  });
});
