/**
 * The dashboard's messages page in Debian's Chromium, against a daemon with two simulated modems that
 * text each other: a message sent from the page arrives on the other modem's page live, grouped by
 * number, and can be deleted. Any error the page logs fails the test.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect } from 'vitest';
import { MemoryNetdev } from '../../src/net/memory.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { hasTool, itWithTools } from '../support/tools.js';
import { dashboardFixture, newPage } from './build.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const it = itWithTools(['chromium']);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });
// The daemon's first simulator runs with seed 1: modem n has seed 1 + n.
const number = (n: number): string => new ModemFirmware({ seed: 1 + n, ...PROFILES['qmi-rmnet'].firmware }).identity.msisdn;
const ui = dashboardFixture('messages', {
  start: (dir) => daemonWithSims({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) }, ['qmi-rmnet:2']),
  viewport: { width: 1100, height: 760 },
});
let sender: Page;
let receiver: Page;

beforeAll(async () => {
  if (!hasTool('chromium')) return;
  sender = ui.page;
  receiver = await newPage(ui.browser, ui.problems, { width: 1100, height: 760 });
});

describe('the messages page', () => {
  it('sends from one modem; the other modem\'s open page shows it live, by number; delete', async () => {
    await receiver.goto(ui.web.url);
    await receiver.evaluate("location.hash = '#/modem/sim1/messages'");
    await expect.poll(() => receiver.locator('#conversations').innerText()).toContain('No messages.');
    await sender.goto(ui.web.url);
    await sender.evaluate("location.hash = '#/modem/sim0'");
    await sender.locator('#messages-link').click();
    await sender.locator('#send input[name=to]').fill(number(1));
    await sender.locator('#send textarea').fill('Hallo aus dem Dashboard 📡');
    await sender.locator('#send input[name=statusReport]').check();
    await sender.locator('#send button[type=submit]').click();
    await expect.poll(() => sender.locator('#sms-status').innerText()).toBe('sent in 1 part(s)');
    // The sender's page: the message sent and, once the network reports, its delivery.
    const out = sender.locator(`.conversation[data-number="${number(1)}"]`);
    await expect.poll(() => out.innerText()).toMatch(/Hallo aus dem Dashboard 📡[\s\S]*delivered/);
    // The receiver's page was open all along: the message shows without a reload.
    const conv = receiver.locator(`.conversation[data-number="${number(0)}"]`);
    await expect.poll(() => conv.locator('.bubble.in .text').allInnerTexts()).toEqual(['Hallo aus dem Dashboard 📡']);
    expect(await receiver.locator('#sms-event').innerText()).toBe(`new message from ${number(0)}`);
    await expect.poll(() => sender.locator('#sms-event').innerText()).toBe(`delivery report for ${number(1)}: delivered`);
    await receiver.screenshot({ path: join(ARTIFACTS, 'dashboard-messages.png') });
    await conv.locator('.bubble.in button').click();
    await expect.poll(() => receiver.locator('#conversations').innerText()).toContain('No messages.');
    expect(await receiver.locator('#sms-status').innerText()).toMatch(/^deleted message \d+$/);
  }, 60_000);

  it('says why a send is refused', async () => {
    await sender.locator('#send input[name=to]').fill('not-a-number');
    await sender.locator('#send textarea').fill('x');
    await sender.locator('#send button[type=submit]').click();
    await expect.poll(() => sender.locator('#sms-status').innerText()).toBe('not a phone number: "not-a-number"');
  }, 30_000);
});
