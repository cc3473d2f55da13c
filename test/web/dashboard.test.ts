/**
 * The dashboard in Debian's Chromium against a daemon with simulated modems: the list, a connect from the
 * page, live signal and throughput, the trace with TLV detail and its pcap. Screenshots go to
 * test-artifacts/; any error the page logs fails the test.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { MemoryNetdev } from '../../src/net/memory.js';
import { echoRequest } from '../../src/net/ping.js';
import { itWithTools } from '../support/tools.js';
import { dashboardFixture } from './build.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const it = itWithTools(['chromium']);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });
const ui = dashboardFixture('dashboard', {
  start: (dir) => daemonWithSims({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) }, ['qmi-rmnet:2', 'mbim-usb']),
  viewport: { width: 1280, height: 860 },
});

describe('dashboard in Chromium', () => {
  it('lists the simulated modems with state, operator, technology and signal bars', async () => {
    await ui.page.goto(ui.web.url);
    const rows = ui.page.locator('#modems tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).innerText()).toMatch(/sim0\s+Quectel RM500Q-GL\s+QMI\s+registered\s+wwankit \(001-01\)\s+5gnr/);
    expect(await rows.nth(2).innerText()).toMatch(/sim2\s+EM7455 EM7455\s+MBIM\s+registered\s+wwankit \(001-01\)\s+lte/);
    expect(Number(await rows.nth(0).locator('.bars').getAttribute('data-bars'))).toBeGreaterThan(0);
    // The token leaves the address bar once the page has it.
    expect(ui.page.url()).not.toContain('token');
    await ui.page.locator('#live.on').waitFor();
    await ui.page.screenshot({ path: join(ARTIFACTS, 'dashboard-modems.png') });
  });

  it('connects from the modem page: progress, the bearer and its link, live throughput and signal; a refusal shows as an error', async () => {
    await ui.page.click('a[href="#/modem/sim0"]');
    const chart = ui.page.locator('#signal-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    const before = Number(await chart.getAttribute('data-points'));
    await expect.poll(() => ui.page.locator('#connect button').isEnabled()).toBe(true);
    await ui.page.fill('#connect input[name=apn]', 'internet');
    await ui.page.click('#connect button');
    const row = ui.page.locator('#bearers tr[data-link="wwan0.1"]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/connected\s+internet\s+1\s+wwan0\.1\s+qmap \(memory\)\s+10\.64\.\d+\.2\/24/);
    const progress = ui.page.locator('#progress');
    expect(await progress.innerText()).toMatch(/connect internet \(ipv4\)[\s\S]*→ wds startNetwork request[\s\S]*← wds startNetwork response[\s\S]*connected: bearer \d+ on link 1 \(wwan0\.1\), 10\.64\./);

    // Traffic through the link: echo requests go up, the simulated network's replies come down.
    const b = [...ui.daemon.manager.get('sim0').bearers.values()][0]!;
    const dev = b.netdev as MemoryNetdev;
    let seq = 0;
    const traffic = setInterval(() => dev.send(echoRequest(b.connected!.ipv4!.address, b.connected!.ipv4!.gateway!, 7, seq++, 1000)), 20);
    try {
      await expect.poll(() => row.locator('.down').innerText(), { timeout: 5000 }).toMatch(/[1-9][\d.]* [kM]bit\/s/);
      expect(await row.locator('.up').innerText()).toMatch(/[1-9][\d.]* [kM]bit\/s/);
      await expect.poll(async () => Number(await ui.page.locator('.chart[data-link="wwan0.1"]').getAttribute('data-points'))).toBeGreaterThan(2);
    } finally {
      clearInterval(traffic);
    }
    // The simulator's signal walks every 2 s; each step is a new point.
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 6000 }).toBeGreaterThan(before);
    await ui.page.screenshot({ path: join(ARTIFACTS, 'dashboard-modem.png'), fullPage: true });

    await ui.page.fill('#connect input[name=apn]', 'nope');
    await ui.page.click('#connect button');
    await expect.poll(() => progress.locator('li.error').innerText()).toContain('the network refused APN nope: CallFailed: unknown-apn (3GPP cause 27)');
  });

  it('shows the Start Network exchange in the trace, filters it, details every TLV, and downloads the pcap', async () => {
    await ui.page.click('[data-nav=trace]');
    const rows = ui.page.locator('#trace tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(10);
    // MBIM from the third modem arrives beside QMI.
    await expect.poll(() => ui.page.locator('#trace tbody tr', { hasText: 'MBIM' }).count()).toBeGreaterThan(0);
    await ui.page.selectOption('select[name=service]', 'wds');
    await ui.page.fill('input[name=message]', 'startNetwork');
    const exchange = await rows.allInnerTexts();
    expect(exchange.length).toBeGreaterThanOrEqual(4);
    expect(exchange.every((t) => /sim0\s+[→←]\s+QMI\s+wds\s+startNetwork/.test(t))).toBe(true);
    expect(exchange.some((t) => t.includes('startNetwork response cid 1 txn') && t.includes(' ok'))).toBe(true);
    await ui.page.selectOption('select[name=direction]', 'tx');
    expect((await rows.allInnerTexts()).every((t) => t.includes('→') && t.includes('request'))).toBe(true);
    // Newest first: the first request (APN internet) is the last row.
    await rows.last().click();
    const detail = ui.page.locator('#trace-detail');
    await detail.locator('table.tlvs').waitFor();
    const tlvs = await detail.locator('table.tlvs').innerText();
    expect(tlvs).toMatch(/0x14\s+apn\s+8\s+"internet"/);
    expect(tlvs).toMatch(/0x19\s+ipFamilyPreference\s+1\s+"ipv4"/);
    await ui.page.screenshot({ path: join(ARTIFACTS, 'dashboard-trace.png') });

    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.click('#download-pcap')]);
    const pcap = readFileSync((await download.path())!);
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.readUInt32LE(20)).toBe(252);
    expect(download.suggestedFilename()).toMatch(/^wwankit-.*\.pcap$/);
  });
});
