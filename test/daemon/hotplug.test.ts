/**
 * Hotplug on a temporary folder laid out like sysfs and a device folder: a modem (a simulated one's
 * pseudo-terminal standing in for /dev/cdc-wdmN) plugged in after the daemon started is added, and
 * dropped again when it is unplugged; nothing polls.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { dryRunner } from '../../src/net/kernel.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';

let daemon: Daemon | undefined;
let sim: Simulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await daemon?.stop();
  await sim?.stop();
  daemon = sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What the kernel shows for a qmi_wwan modem: its cdc-wdm port, USB interface, driver and netdev. */
function plugSysfs(sys: string, port: string, netdev: string): void {
  const usb = join(sys, `devices/usb1/1-1/1-1:1.4-${port}`);
  mkdirSync(join(usb, 'net', netdev, 'qmi'), { recursive: true });
  mkdirSync(join(sys, 'bus/usb/drivers/qmi_wwan'), { recursive: true });
  symlinkSync(join(sys, 'bus/usb/drivers/qmi_wwan'), join(usb, 'driver'));
  mkdirSync(join(sys, 'class/usbmisc', port), { recursive: true });
  symlinkSync(usb, join(sys, 'class/usbmisc', port, 'device'));
}

const next = (d: Daemon, event: string): Promise<Record<string, unknown>> =>
  new Promise((resolve) => {
    const off = d.onEvent((e) => e.event === event && (off(), resolve(e)));
  });

describe('hotplug', () => {
  it('adds a modem plugged in after start and drops it when unplugged', async () => {
    const sys = mkdtempSync(join(tmpdir(), `wwan-hotplug-sys-${process.pid}-`));
    const dev = mkdtempSync(join(tmpdir(), `wwan-hotplug-dev-${process.pid}-`));
    dirs.push(sys, dev);
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    const logs: string[] = [];
    daemon = await Daemon.start({ socket: join(dev, '..', `wwan-hotplug-${process.pid}.sock`), netdev: async (_m, n) => new MemoryNetdev(n), discover: true, sysfs: sys, dev, kernelSteps: dryRunner(() => undefined), log: (l) => logs.push(l) });
    expect([...daemon.manager.modems.keys()]).toEqual([]);

    const added = next(daemon, 'modem-added');
    plugSysfs(sys, 'cdc-wdm3', 'wwan3');
    // udev makes the node last; here it is the simulated modem's pseudo-terminal.
    symlinkSync(sim.modems[0]!.ports[0]!.path, join(dev, 'cdc-wdm3'));
    expect(await added).toMatchObject({ modem: 'cdc-wdm3' });
    const modem = daemon.manager.get('cdc-wdm3');
    expect(modem.info?.identity.imei).toMatch(/^\d{15}$/);
    await vi.waitFor(() => expect(logs).toContain(`cdc-wdm3: QMI modem at ${join(dev, 'cdc-wdm3')}, data through wwan3 (qmi_wwan)`));

    const removed = next(daemon, 'modem-removed');
    rmSync(join(sys, 'class/usbmisc/cdc-wdm3'), { recursive: true });
    rmSync(join(dev, 'cdc-wdm3'));
    expect(await removed).toMatchObject({ modem: 'cdc-wdm3' });
    expect(daemon.manager.modems.size).toBe(0);
    await vi.waitFor(() => expect(logs).toContain('cdc-wdm3: gone, dropped'));
  });

  it('adds the modems present at start without waiting for a change', async () => {
    const sys = mkdtempSync(join(tmpdir(), `wwan-hotplug-sys-${process.pid}-`));
    const dev = mkdtempSync(join(tmpdir(), `wwan-hotplug-dev-${process.pid}-`));
    dirs.push(sys, dev);
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    plugSysfs(sys, 'cdc-wdm0', 'wwan0');
    symlinkSync(sim.modems[0]!.ports[0]!.path, join(dev, 'cdc-wdm0'));
    daemon = await Daemon.start({ socket: join(dev, '..', `wwan-hotplug-${process.pid}-b.sock`), netdev: async (_m, n) => new MemoryNetdev(n), discover: true, sysfs: sys, dev, kernelSteps: dryRunner(() => undefined) });
    expect([...daemon.manager.modems.keys()]).toEqual(['cdc-wdm0']);
  });
});
