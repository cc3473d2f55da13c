/**
 * The dashboard for a service in Debian's Chromium: the SIM (ICCID, IMSI, own number) and a PIN entry
 * that shows retries and never the PIN, the configured bearers with autoconnect, units and readable
 * names on every figure, the trace newest first with a run of indications folded, and a narrow screen.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { itWithTools } from '../support/tools.js';
import { dashboardFixture } from './build.js';

const it = itWithTools(['chromium']);
let sim: Simulator;
const requests: string[] = [];
const ui = dashboardFixture('dashboard-service', {
  start: async (dir) => {
    const base = PROFILES['qmi-rmnet'];
    sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, pin: '2580', pinLocked: true } } });
    const config = join(dir, 'wwankit.toml');
    writeFileSync(config, '[[modem]]\nautoconnect = true\n\n[[modem.bearer]]\napns = ["internet"]\nip-type = "ipv4v6"\nmultiplex = "required"\n');
    const daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n), config });
    await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
    return daemon;
  },
  stop: async () => sim?.stop(),
  viewport: { width: 1280, height: 900 },
  timeoutMs: 60_000,
});

beforeAll(() => {
  ui.page?.on('request', (r) => requests.push(`${r.url()} ${r.postData() ?? ''}`));
});

describe('the dashboard for a service', () => {
  it('unlocks the SIM from the page: a wrong PIN shows the retries left, the right one unlocks, and the configured bearer comes up', async () => {
    await ui.page.goto(ui.web.url);
    await ui.page.click('a[href="#/modem/sim0"]');
    const pinForm = ui.page.locator('#unlock');
    await pinForm.waitFor();
    expect(await ui.page.locator('#profiles-note').innerText()).toBe(`From ${join(ui.dir, 'wwankit.toml')}: autoconnect on.`);
    expect(await ui.page.locator('#profiles tbody').innerText()).toMatch(/internet\s+IPv4 and IPv6\s+none\s+required\s+any\s+not up/);

    await ui.page.fill('#unlock input[name=pin]', '1111');
    await ui.page.click('#unlock button');
    await expect.poll(() => ui.page.locator('#progress li.error').innerText().catch(() => '')).toContain('the PIN was refused; 2 PIN retries left');
    expect(await ui.page.inputValue('#unlock input[name=pin]')).toBe('');
    await ui.page.fill('#unlock input[name=pin]', '2580');
    await ui.page.click('#unlock button');
    await expect.poll(() => ui.page.locator('#progress li.ok').innerText().catch(() => '')).toContain('SIM unlocked');
    await expect.poll(() => pinForm.isHidden()).toBe(true);
    await expect.poll(() => ui.page.locator('#profiles tbody').innerText()).toMatch(/internet\s+IPv4 and IPv6\s+none\s+required\s+any\s+bearer \d+/);
    // The PIN went to the daemon once each, and is nowhere on the page.
    expect(await ui.page.content()).not.toMatch(/1111|2580/);
    expect(requests.filter((r) => r.includes('2580'))).toHaveLength(1);
  });

  it('shows the SIM, signal with units and the data format in words', async () => {
    const sim0 = sim.modems[0]!.firmware.identity;
    const simCard = await ui.page.locator('#sim').innerText();
    expect(simCard).toMatch(/Status\s+ready/);
    expect(simCard).toContain(sim0.iccid.replace(/F$/i, ''));
    expect(simCard).toContain(sim0.imsi);
    expect(simCard).toContain(sim0.msisdn);
    expect(await ui.page.locator('#signal-now').innerText()).toMatch(/RSSI\s+-\d+ dBm\s+RSRP\s+-\d+ dBm\s+RSRQ\s+-?\d+(\.\d+)? dB\s+SNR\s+-?\d+(\.\d+)? dB/);
    await expect.poll(() => ui.page.locator('.cards').innerText()).toMatch(/Framing\s+QMAP\s+QMAP version\s+5/);
    expect(await ui.page.locator('.cards').innerText()).toMatch(/Transfer size, at most\s+\d+ bytes/);
  });

  it('lists the trace newest first and folds a run of the same indication into one row', async () => {
    await ui.page.click('[data-nav=trace]');
    const rows = ui.page.locator('#trace tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    expect(sim.fault({ fault: 'indication-storm', modem: sim.modems[0]!.id, count: 40 })).toMatchObject({ ok: true });
    // Each indication's follow-up request and answer come between; the indication is one row among the newest.
    const folded = ui.page.locator('#trace tbody tr', { hasText: 'servingSystem indication' });
    await expect.poll(async () => Number((await folded.first().locator('.count').innerText()).slice(1))).toBeGreaterThan(20);
    // Forty indications, not forty rows (one more row is from before the storm, further down).
    expect(await folded.count()).toBeLessThanOrEqual(2);
    expect(await folded.first().innerText()).toMatch(/sim0\s+←\s+QMI\s+nas\s+servingSystem ×\d+\s+nas servingSystem indication/);
    const times = await ui.page.locator('#trace tbody tr td.time').allInnerTexts();
    expect(times).toEqual([...times].sort().reverse());
  });

  it('fits a narrow screen: no sideways scrolling, numbers unbroken', async () => {
    await ui.page.setViewportSize({ width: 380, height: 800 });
    await ui.page.evaluate('location.hash = "#/modem/sim0"');
    await ui.page.locator('#sim').waitFor();
    expect(await ui.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(380);
    // A number broken over two lines has two line boxes.
    const lines = await ui.page.locator('dd.num').evaluateAll((els) =>
      els.filter((e) => e.textContent !== '–').map((e) => {
        const range = e.ownerDocument.createRange();
        range.selectNodeContents(e);
        return range.getClientRects().length;
      }),
    );
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.every((n) => n === 1)).toBe(true);
  });
});
