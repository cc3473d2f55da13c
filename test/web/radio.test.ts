/**
 * The dashboard's radio and SIM page in Debian's Chromium, against a daemon with a simulated QMI modem:
 * a scan with its progress, the forbidden operator refused with its cause, modes changing the serving
 * cell, detach and attach, the initial EPS bearer stored (its password cleared and never shown), the PIN
 * turned on with the field cleared, a slot switch to the eUICC. Any page error fails it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { itWithTools } from '../support/tools.js';
import { dashboardFixture } from './build.js';

const it = itWithTools(['chromium']);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });
let sim: Simulator;
const ui = dashboardFixture('web-radio', {
  start: async (dir) => {
    const base = PROFILES['qmi-rmnet'];
    sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, scanMs: 1500 } }, seed: 41, dir });
    const daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) });
    await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.ready().modems[0]!.ports[0]!.socket}` });
    return daemon;
  },
  stop: async () => sim?.stop(),
  viewport: { width: 1100, height: 900 },
  timeoutMs: 60_000,
});

describe('the radio and SIM page', () => {
  it('scans with progress, refuses the forbidden operator with its cause, sets modes, turns the PIN on, switches slots', async () => {
    await ui.page.goto(ui.web.url);
    await ui.page.evaluate("location.hash = '#/modem/sim0'");
    await ui.page.locator('#radio-link').click();
    await ui.page.locator('#scan').click();
    await expect.poll(() => ui.page.locator('#scan-status').innerText()).toBe('scanning…');
    await expect.poll(() => ui.page.locator('#scan-status').innerText(), { timeout: 15_000 }).toMatch(/^\d+ network\(s\) found$/);
    await ui.page.locator('#networks tr[data-status="forbidden"] button').click();
    await expect.poll(() => ui.page.locator('#radio-status').innerText()).toMatch(/11/);
    // A refused manual registration leaves the modem deregistered (TS 24.301) until it may choose again.
    await ui.page.locator('#register-auto').click();
    await expect.poll(() => ui.page.locator('#radio-status').innerText()).toBe('registration is automatic');

    // 3G only: the serving cell follows.
    for (const box of await ui.page.locator('#mode-boxes input').all()) await box.setChecked((await box.getAttribute('value')) === 'umts');
    await ui.page.locator('#modes select[name=preferred]').selectOption('');
    await ui.page.locator('#modes button[type=submit]').click();
    await expect.poll(() => ui.page.locator('#modes-now').innerText()).toBe('now 3G (UMTS)');
    await ui.page.locator('#cells-refresh').click();
    await expect.poll(() => ui.page.locator('#cells tr.serving td:nth-child(2)').innerText(), { timeout: 15_000 }).toBe('3G (UMTS)');

    await expect.poll(() => ui.page.locator('#packet-state').innerText()).toBe('attached');
    await ui.page.locator('#packet-toggle').click();
    await expect.poll(() => ui.page.locator('#packet-state').innerText(), { timeout: 15_000 }).toBe('detached');
    expect(await ui.page.locator('#radio-status').innerText()).toBe('detached');
    await ui.page.locator('#packet-toggle').click();
    await expect.poll(() => ui.page.locator('#packet-state').innerText(), { timeout: 15_000 }).toBe('attached');

    await ui.page.locator('#eps input[name=apn]').fill('attach.example');
    await ui.page.locator('#eps select[name=ipType]').selectOption('ipv4');
    await ui.page.locator('#eps select[name=auth]').selectOption('chap');
    await ui.page.locator('#eps input[name=user]').fill('joe');
    await ui.page.locator('#eps input[name=password]').fill('pw-never-shown');
    await ui.page.locator('#eps button[type=submit]').click();
    await expect.poll(() => ui.page.locator('#radio-status').innerText(), { timeout: 20_000 }).toBe('initial EPS bearer settings stored');
    expect(await ui.page.locator('#eps input[name=password]').inputValue()).toBe('');
    // On 3G there is no EPS bearer; with LTE allowed again the modem attaches with the stored settings
    // (QMI's LTE attach parameters name the APN and IP type only).
    await expect.poll(() => ui.page.locator('#eps-now').innerText(), { timeout: 15_000 }).toBe('Stored: attach.example, ipv4, CHAP as joe. Not attached to LTE.');
    for (const box of await ui.page.locator('#mode-boxes input').all()) await box.setChecked(true);
    await ui.page.locator('#modes button[type=submit]').click();
    await expect.poll(() => ui.page.locator('#eps-now').innerText(), { timeout: 15_000 }).toBe('Stored: attach.example, ipv4, CHAP as joe. Attached with: attach.example, ipv4.');
    expect(await ui.page.content()).not.toContain('pw-never-shown');

    await expect.poll(() => ui.page.locator('#sim-locks').innerText()).toMatch(/^SIM ready(, PIN off)?; tries left: PIN1 3, PUK1 10/);
    await ui.page.locator('#pin select').selectOption('enable');
    await ui.page.locator('#pin input[name=pin]').fill('1234');
    await ui.page.locator('#pin button[type=submit]').click();
    await expect.poll(() => ui.page.locator('#radio-status').innerText()).toBe('PIN turned on');
    expect(await ui.page.locator('#pin input[name=pin]').inputValue()).toBe('');
    await expect.poll(() => ui.page.locator('#sim-locks').innerText()).toMatch(/^SIM ready, PIN on/);

    await ui.page.locator('#slots tr[data-slot="2"] button').click();
    await expect.poll(() => ui.page.locator('#radio-status').innerText(), { timeout: 15_000 }).toBe('slot 2 is active');
    await expect.poll(() => ui.page.locator('#slots tr.active').getAttribute('data-slot')).toBe('2');
    expect(await ui.page.locator('#slots tr[data-slot="2"] td:nth-child(4)').innerText()).toMatch(/^\d{32}$/);
    await ui.page.screenshot({ path: join(ARTIFACTS, 'dashboard-radio.png'), fullPage: true });
  }, 90_000);
});
