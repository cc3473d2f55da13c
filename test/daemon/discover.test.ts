/**
 * Real-modem discovery on a fake sysfs, and the kernel datapath driven by the manager against a
 * simulated modem standing in for the hardware: the steps are recorded (a dry run), never run.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { discover, discoverQrtr, qrtrDataNetdev } from '../../src/daemon/discover.js';
import { Manager } from '../../src/modem/manager.js';
import { describeStep, dryRunner, linkName, planLink, planUnlink, type KernelDevice } from '../../src/net/kernel.js';
import { splitTlvs } from '../../src/qmi/qmux.js';
import { WdaDataAggregationProtocol } from '../../src/qmi/services/wda.js';
import { ConfigError } from '../../src/wire/errors.js';
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

  it('plans a QRTR modem\'s data as rmnet links on the IPA or MHI netdev, one mux id per bearer', () => {
    for (const dev of [{ driver: 'ipa', netdev: 'rmnet_ipa0' }, { driver: 'mhi_net', netdev: 'mhi_hwip0' }] satisfies KernelDevice[]) {
      const name = linkName(dev, 3, []);
      expect(name).toBe('rmnet_data2');
      expect(planLink(dev, 3, name).steps.map(describeStep)).toEqual([`ip link set dev ${dev.netdev} up`, `ip link add link ${dev.netdev} name rmnet_data2 type rmnet mux_id 3`]);
      expect(planUnlink(dev, 3, name).map(describeStep)).toEqual(['ip link del rmnet_data2']);
      expect(() => planLink(dev, 0, 'x')).toThrow(RangeError);
      expect(() => planLink(dev, 255, 'x')).toThrow(RangeError);
    }
  });

  it('finds a QRTR modem\'s data netdev by its driver (IPA or MHI), or none', () => {
    const sys = fakeSysfs();
    expect(qrtrDataNetdev(sys)).toEqual({ driver: 'ipa', netdev: '', sysfs: sys });
    const ipa = join(sys, 'devices/platform/soc/1e40000.ipa');
    mkdirSync(join(sys, 'bus/platform/drivers/ipa'), { recursive: true });
    mkdirSync(join(ipa, 'net/rmnet_ipa0'), { recursive: true });
    symlinkSync(join(sys, 'bus/platform/drivers/ipa'), join(ipa, 'driver'));
    mkdirSync(join(sys, 'class/net/rmnet_ipa0'), { recursive: true });
    symlinkSync(ipa, join(sys, 'class/net/rmnet_ipa0/device'));
    const dms = { service: 2, instance: 1, node: 0, port: 0x4001 };
    expect(discoverQrtr([dms], sys)).toEqual([{ id: 'qrtr0', control: 'qmi', port: 'qrtr://0', kernel: { driver: 'ipa', netdev: 'rmnet_ipa0', sysfs: sys } }]);
  });

  /** What WDA Set Data Format (0x17) and WDS Bind Mux Data Port (0x10) named as endpoint: type, interface; and the asked QMAP. */
  const endpoints = (s: Simulator): string[] =>
    s.modems[0]!.endpoint.requests
      .filter((f) => (f.service === 0x1a && f.messageId === 0x20) || (f.service === 1 && f.messageId === 0xa2))
      .map((f) => {
        const t = splitTlvs(f.tlvs);
        const e = t.ok ? t.value.find((x) => x.type === (f.service === 0x1a ? 0x17 : 0x10)) : undefined;
        const dl = t.ok && f.service === 0x1a ? t.value.find((x) => x.type === 0x13) : undefined;
        return `${e ? Buffer.from(e.value).subarray(0, 8).toString('hex') : 'none'}${dl ? ` dl=${Buffer.from(dl.value).readUInt32LE(0)}` : ''}`;
      });

  it('connects a modem on IPA: WDA asked for QMAP v5 on the embedded endpoint, rmnet links on rmnet_ipa0', async () => {
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    const steps: string[] = [];
    manager = new Manager(async (_m, n) => new MemoryNetdev(n), dryRunner((l) => steps.push(l)));
    const m = await manager.add({ id: 'qrtr0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, kernel: { driver: 'ipa', netdev: 'rmnet_ipa0' } });
    const a = await m.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'required' });
    // QMAP v5 asked (the EC25 answers v1, which rmnet reads too); endpoint type 4 (embedded) on interface 1, as an IPA data path is addressed.
    expect(endpoints(sim)).toEqual([`0400000001000000 dl=${WdaDataAggregationProtocol.names.qmapv5}`, '0400000001000000']);
    expect(a.netdev?.name).toBe('rmnet_data0');
    expect(steps).toContain('ip link add link rmnet_ipa0 name rmnet_data0 type rmnet mux_id 1');
    await m.disconnect(a.id);
    expect(steps.at(-1)).toBe('ip link del rmnet_data0');
  });

  it('connect on a QRTR modem without a data netdev fails at once with a typed error; no call is started', async () => {
    sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
    manager = new Manager(async (_m, n) => new MemoryNetdev(n), dryRunner(() => undefined));
    const m = await manager.add({ id: 'qrtr0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, kernel: { driver: 'ipa', netdev: '' } });
    for (let i = 0; i < 2; i++) {
      const e = await m.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'none' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toBe('no data netdev: this modem\'s data goes through the kernel (ipa), and no ipa netdev was found');
    }
    // The first connect fails before the call; the second (data format already set) starts it, and stops
    // it again at once: every Start Network (WDS 0x20) is matched by a Stop Network (0x21).
    const wdsCalls = (id: number): number => sim!.modems[0]!.endpoint.requests.filter((f) => f.service === 1 && f.messageId === id).length;
    expect(wdsCalls(0x20)).toBe(1);
    expect(wdsCalls(0x21)).toBe(1);
    expect(m.bearers.size).toBe(0);
  });
});
