/**
 * Hotplug on a temporary folder laid out like sysfs and a device folder: a modem (a simulated one's
 * pseudo-terminal standing in for /dev/cdc-wdmN) plugged in after the daemon started is added, and
 * dropped again when it is unplugged; nothing polls.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DaemonClient } from '../../src/daemon/client.js';
import { Daemon } from '../../src/daemon/server.js';
import { dryRunner, type StepRunner } from '../../src/net/kernel.js';
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

describe('unplug while connected', () => {
  it('a sysfs folder that vanishes while it is read (the kernel tearing the device down) is skipped, and later changes are still followed', async () => {
    const sys = mkdtempSync(join(tmpdir(), `wwan-unplug-sys-${process.pid}-`));
    const dev = mkdtempSync(join(tmpdir(), `wwan-unplug-dev-${process.pid}-`));
    dirs.push(sys, dev);
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    const logs: string[] = [];
    daemon = await Daemon.start({ socket: join(dev, '..', `wwan-unplug-${process.pid}-a.sock`), netdev: async (_m, n) => new MemoryNetdev(n), discover: true, sysfs: sys, dev, kernelSteps: dryRunner(() => undefined), log: (l) => logs.push(l) });
    // Half torn down: the interface's net folder is there to existsSync but no longer a folder to read.
    const usb = join(sys, 'devices/usb1/1-1/1-1:1.4-cdc-wdm1');
    mkdirSync(join(sys, 'bus/usb/drivers/qmi_wwan'), { recursive: true });
    mkdirSync(usb, { recursive: true });
    writeFileSync(join(usb, 'net'), '');
    symlinkSync(join(sys, 'bus/usb/drivers/qmi_wwan'), join(usb, 'driver'));
    mkdirSync(join(sys, 'class/usbmisc/cdc-wdm1'), { recursive: true });
    symlinkSync(usb, join(sys, 'class/usbmisc/cdc-wdm1', 'device'));
    writeFileSync(join(dev, 'cdc-wdm1'), '');
    // The next reading still happens and finds the modem plugged in after.
    const added = next(daemon, 'modem-added');
    plugSysfs(sys, 'cdc-wdm3', 'wwan3');
    symlinkSync(sim.modems[0]!.ports[0]!.path, join(dev, 'cdc-wdm3'));
    expect(await added).toMatchObject({ modem: 'cdc-wdm3' });
    expect([...daemon.manager.modems.keys()]).toEqual(['cdc-wdm3']);
  });

  it('the modem is reported gone and removed, its links go, and the daemon keeps answering', async () => {
    const sys = mkdtempSync(join(tmpdir(), `wwan-unplug-sys-${process.pid}-`));
    const dev = mkdtempSync(join(tmpdir(), `wwan-unplug-dev-${process.pid}-`));
    dirs.push(sys, dev);
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    plugSysfs(sys, 'cdc-wdm0', 'wwan0');
    symlinkSync(sim.modems[0]!.ports[0]!.path, join(dev, 'cdc-wdm0'));
    // Like the kernel: a step on a netdev that is gone fails (sysfs: ENOENT; ip: "Cannot find device").
    const steps: string[] = [];
    const netdev = (name: string): boolean => name === 'wwan0' ? existsSync(join(sys, 'class/usbmisc/cdc-wdm0')) : steps.some((s) => s.includes(`add_mux`)) && existsSync(join(sys, 'class/usbmisc/cdc-wdm0'));
    const runner: StepRunner = {
      write: (path, value) => {
        if (!existsSync(join(sys, 'class/usbmisc/cdc-wdm0'))) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
        steps.push(`${path}=${value}`);
      },
      ip: async (args) => {
        const name = args[args.indexOf('dev') + 1] ?? args.at(-1)!;
        if (!netdev(name)) throw new Error(`ip ${args.join(' ')}: Cannot find device "${name}"`);
        steps.push(`ip ${args.join(' ')}`);
      },
    };
    const logs: string[] = [];
    daemon = await Daemon.start({ socket: join(dev, '..', `wwan-unplug-${process.pid}.sock`), netdev: async (_m, n) => new MemoryNetdev(n), discover: true, sysfs: sys, dev, kernelSteps: runner, log: (l) => logs.push(l) });
    const modem = daemon.manager.get('cdc-wdm0');
    const bearer = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested', linkId: 1 });
    expect(bearer.netdev?.name).toBe('qmimux0');

    const removed = next(daemon, 'modem-removed');
    // The kernel: the netdevs go with the USB interface, then the control port and its node.
    rmSync(join(sys, 'devices'), { recursive: true });
    rmSync(join(sys, 'class/usbmisc/cdc-wdm0'), { recursive: true });
    rmSync(join(dev, 'cdc-wdm0'));
    await sim.stop();
    sim = undefined;
    expect(await removed).toMatchObject({ modem: 'cdc-wdm0' });
    expect(daemon.manager.modems.size).toBe(0);
    await vi.waitFor(() => expect(logs).toContain('cdc-wdm0: gone, dropped'));
    // Still answering: the modem is no longer listed.
    const client = await DaemonClient.connect(join(dev, '..', `wwan-unplug-${process.pid}.sock`));
    try {
      expect(await client.call('list')).toEqual([]);
    } finally {
      client.close();
    }
  });
});
