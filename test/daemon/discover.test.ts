/**
 * Real-modem discovery on a fake sysfs, and the kernel datapath driven by the manager against a
 * simulated modem standing in for the hardware: the steps are recorded (a dry run), never run.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { discover } from '../../src/daemon/discover.js';
import { Manager } from '../../src/modem/manager.js';
import { dryRunner } from '../../src/net/kernel.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { DSS_SERVICES } from '../../src/sim/mbim-dss.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';

function fakeSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'wwan-sys-'));
  const usb = join(root, 'devices/pci0000:00/usb1/1-1/1-1:1.4');
  mkdirSync(join(usb, 'net/wwan0/qmi'), { recursive: true });
  mkdirSync(join(root, 'bus/usb/drivers/qmi_wwan'), { recursive: true });
  symlinkSync(join(root, 'bus/usb/drivers/qmi_wwan'), join(usb, 'driver'));
  mkdirSync(join(root, 'class/usbmisc/cdc-wdm0'), { recursive: true });
  symlinkSync(usb, join(root, 'class/usbmisc/cdc-wdm0/device'));
  mkdirSync(join(root, 'class/wwan/wwan1mbim0'), { recursive: true });
  mkdirSync(join(root, 'class/wwan/wwan1'), { recursive: true });
  writeFileSync(join(usb, 'net/wwan0/qmi/add_mux'), '');
  return root;
}

let sim: Simulator | undefined;
let manager: Manager | undefined;
afterEach(async () => {
  await manager?.close();
  await sim?.stop();
  manager = sim = undefined;
});

describe('discovery and the kernel datapath', () => {
  it('finds a qmi_wwan cdc-wdm port with its netdev, and a wwan-core MBIM port', () => {
    const sys = fakeSysfs();
    expect(discover(sys, '/dev')).toEqual([
      { id: 'cdc-wdm0', control: 'qmi', port: '/dev/cdc-wdm0', kernel: { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'qmimux', sysfs: sys } },
      { id: 'wwan1mbim0', control: 'mbim', port: '/dev/wwan1mbim0', kernel: { driver: 'wwan', netdev: 'wwan1', sysfs: sys } },
    ]);
    expect(discover(join(sys, 'nothing-here'))).toEqual([]);
  });

  it('connects two bearers on a qmi_wwan modem through qmimux, with QMAPv1 asked of the modem, and prints the steps', async () => {
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    const steps: string[] = [];
    manager = new Manager(async (_m, n) => new MemoryNetdev(n), dryRunner((l) => steps.push(l)));
    const m = await manager.add({ id: 'cdc-wdm0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, kernel: { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'qmimux', sysfs: '/sys' } });
    const a = await m.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'required' });
    const b = await m.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'required' });
    expect(sim.modems[0]!.firmware.dataFormat.dlAggregation).toBe('qmap');
    expect([a.netdev?.name, b.netdev?.name]).toEqual(['qmimux0', 'qmimux1']);
    expect(steps).toContain('echo Y > /sys/class/net/wwan0/qmi/raw_ip');
    expect(steps).toContain('echo 1 > /sys/class/net/wwan0/qmi/add_mux');
    expect(steps).toContain('echo 2 > /sys/class/net/wwan0/qmi/add_mux');
    expect(steps).toContain(`ip addr add ${a.connected!.ipv4!.address}/24 dev qmimux0`);
    await m.disconnect(a.id);
    expect(steps.at(-1)).toBe('echo 1 > /sys/class/net/wwan0/qmi/del_mux');
  });

  it('opens a DSS stream on a cdc_mbim modem as VLAN 256+n, named after the master netdev, and removes the VLAN on close', async () => {
    sim = await Simulator.start({ profile: PROFILES['mbim-usb'] });
    const steps: string[] = [];
    manager = new Manager(async (_m, n) => new MemoryNetdev(n), dryRunner((l) => steps.push(l)));
    const m = await manager.add({ id: 'cdc-wdm0', control: 'mbim', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, kernel: { driver: 'cdc_mbim', netdev: 'wwan5', sysfs: '/nonexistent' } });
    const link = await m.openStream(2, DSS_SERVICES.echo.uuid);
    expect(link.name).toBe('wwan5-dss2');
    expect(steps).toEqual(['ip link set dev wwan5 up', 'ip link add link wwan5 name wwan5.258 type vlan id 258', 'ip link set dev wwan5.258 addrgenmode none up']);
    expect(m.links.topology(2, 'stream')).toEqual({ lower: 'wwan5', upper: 'wwan5.258' });
    // The modem was asked: its echo service holds session 2.
    expect(sim.modems[0]!.dss?.sessions.has(2)).toBe(true);
    await m.closeStream(2);
    expect(steps.at(-1)).toBe('ip link del wwan5.258');
    expect(sim.modems[0]!.dss?.sessions.has(2)).toBe(false);
  });

  it('unlocks a PIN-locked SIM with the configured PIN, and never logs it', async () => {
    sim = await Simulator.start({ profile: { ...PROFILES['qmi-usb'], firmware: { ...PROFILES['qmi-usb'].firmware, pinLocked: true, pin: '2468' } } });
    const dir = mkdtempSync(join(tmpdir(), 'wwan-pin-'));
    const logs: string[] = [];
    const d = await Daemon.start({ socket: join(dir, 'd.sock'), netdev: async (_m, n) => new MemoryNetdev(n), pin: '2468', log: (l) => logs.push(l) });
    try {
      const m = await d.manager.add({ id: 'locked', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}` });
      expect(m.info?.sim.status).toBe('ready');
      expect(logs.join('\n')).toContain('SIM unlocked with the configured PIN');
      expect(logs.join('\n')).not.toContain('2468');
    } finally {
      await d.stop();
    }
  });

  it('a daemon removes the kernel links a crashed one left, as its state file says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wwan-state-'));
    writeFileSync(join(dir, 'wwand.state.json'), JSON.stringify({ pid: 1, links: [{ modem: 'cdc-wdm0', kernel: { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'rmnet' }, linkId: 3, name: 'rmnet_data2' }] }));
    const steps: string[] = [];
    const d = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n), kernelSteps: dryRunner((l) => steps.push(l)) });
    await d.stop();
    expect(steps).toEqual(['ip link del rmnet_data2']);
    expect(existsSync(join(dir, 'wwand.state.json'))).toBe(false);
  });
});
