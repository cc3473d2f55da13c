/** The kernel datapath's steps, run against a fake sysfs tree with `ip` recorded, and as a dry run. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunner, KernelNetdev, linkName, planLink, qmimuxIds, type KernelDevice, type StepRunner } from '../../src/net/kernel.js';

/** A fake /sys with qmi_wwan's files; add_mux behaves like the driver's (lists ids as 0x%02x). */
function fakeSysfs(): { root: string; runner: StepRunner; ip: string[][] } {
  const root = mkdtempSync(join(tmpdir(), 'wwan-sysfs-'));
  const qmi = join(root, 'class/net/wwan0/qmi');
  mkdirSync(qmi, { recursive: true });
  for (const f of ['raw_ip', 'pass_through']) writeFileSync(join(qmi, f), 'N\n');
  writeFileSync(join(qmi, 'add_mux'), '');
  writeFileSync(join(root, 'class/net/wwan0/mtu'), '1500\n');
  const ip: string[][] = [];
  return {
    root,
    ip,
    runner: {
      write(path, value) {
        if (path.endsWith('add_mux') || path.endsWith('del_mux')) {
          const ids = readFileSync(join(qmi, 'add_mux'), 'utf8').split('\n').filter(Boolean);
          const id = `0x${Number(value).toString(16).padStart(2, '0')}`;
          if (path.endsWith('add_mux')) {
            if (ids.includes(id)) throw new Error('EINVAL (mux id exists)');
            ids.push(id);
          } else if (!ids.includes(id)) throw new Error('EINVAL (no such mux id)');
          writeFileSync(join(qmi, 'add_mux'), ids.filter((x) => !(path.endsWith('del_mux') && x === id)).map((x) => `${x}\n`).join(''));
          // As qmi_wwan: the mux netdev is qmimux<next free number>, an upper device of wwan0 with qmap/mux_id.
          const net = join(root, 'class/net');
          if (path.endsWith('add_mux')) {
            let n = 0;
            while (existsSync(join(net, `qmimux${n}`))) n++;
            mkdirSync(join(net, `qmimux${n}/qmap`), { recursive: true });
            writeFileSync(join(net, `qmimux${n}/qmap/mux_id`), `${id}\n`);
            mkdirSync(join(net, `wwan0/upper_qmimux${n}`));
          } else {
            for (const up of readdirSync(join(net, 'wwan0')).filter((f) => f.startsWith('upper_'))) {
              const name = up.slice(6);
              if (readFileSync(join(net, name, 'qmap/mux_id'), 'utf8').trim() === id) {
                rmSync(join(net, name), { recursive: true });
                rmSync(join(net, 'wwan0', up), { recursive: true });
              }
            }
          }
        } else {
          // As qmi_wwan: leaving raw-IP mode gives the netdev usbnet's whole MTU range (fresh: 1500 at most).
          if (path.endsWith('raw_ip') && value === 'N' && readFileSync(path, 'utf8').trim() === 'Y') writeFileSync(join(root, 'class/net/wwan0/max_mtu'), '65535');
          writeFileSync(path, `${value}\n`);
        }
      },
      ip: async (args) => {
        ip.push(args);
        const [, , , dev, what, value] = args;
        if (dev !== 'wwan0' || what !== 'mtu') return;
        // As usbnet: no link-layer header in raw-IP mode, and an MTU that is a multiple of the
        // USB packet size (512) is refused.
        const rawIp = readFileSync(join(qmi, 'raw_ip'), 'utf8').trim() === 'Y';
        if (rawIp && Number(value) % 512 === 0) throw new Error('RTNETLINK answers: Numerical argument out of domain');
        const max = existsSync(join(root, 'class/net/wwan0/max_mtu')) ? Number(readFileSync(join(root, 'class/net/wwan0/max_mtu'), 'utf8')) : 1500;
        if (Number(value) > max) throw new Error('Error: mtu greater than device maximum.');
        writeFileSync(join(root, 'class/net/wwan0/mtu'), `${value}\n`);
      },
    },
  };
}

describe('kernel datapath steps', () => {
  it('qmi_wwan qmimux: raw_ip while down, add_mux, addresses; del_mux on close', async () => {
    const { root, runner, ip } = fakeSysfs();
    const dev: KernelDevice = { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'qmimux', sysfs: root };
    const link = await KernelNetdev.create(dev, 5, runner);
    expect(link.name).toBe('qmimux0');
    expect(readFileSync(join(root, 'class/net/wwan0/qmi/raw_ip'), 'utf8')).toBe('Y\n');
    expect(qmimuxIds(dev)).toEqual([5]);
    await link.configure({ ipv4: { address: '10.0.0.2', prefix: 24, dns: [] }, mtu: 1500 });
    expect(ip).toEqual([
      ['link', 'set', 'dev', 'wwan0', 'down'],
      ['link', 'set', 'dev', 'wwan0', 'up'],
      ['addr', 'flush', 'dev', 'qmimux0'],
      ['link', 'set', 'dev', 'qmimux0', 'mtu', '1500'],
      ['addr', 'add', '10.0.0.2/24', 'dev', 'qmimux0'],
      ['link', 'set', 'dev', 'qmimux0', 'up'],
    ]);
    expect(linkName(dev, 6, ['qmimux0'])).toBe('qmimux1');
    await expect(KernelNetdev.create(dev, 5, runner)).rejects.toThrow(/echo 5 > .*add_mux: EINVAL/);
    await link.close();
    expect(qmimuxIds(dev)).toEqual([]);
  });

  it('qmi_wwan qmimux: the name is the one the kernel gave (read back from upper_*), not the guess', async () => {
    const { root, runner } = fakeSysfs();
    const dev: KernelDevice = { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'qmimux', sysfs: root };
    // Another program made qmimux0 already: the guess from our own links says qmimux0 again.
    await KernelNetdev.create(dev, 9, runner);
    const link = await KernelNetdev.create(dev, 3, { ...runner, readBack: true });
    expect(linkName(dev, 3, [])).toBe('qmimux0');
    expect(link.name).toBe('qmimux1');
    await link.close();
    expect(qmimuxIds(dev)).toEqual([9]);
  });

  it('the MTU rule: the parent\'s MTU fits the downlink aggregates before the first qmimux link (set with raw_ip off) and goes back after the last', async () => {
    const { root, runner, ip } = fakeSysfs();
    const dev: KernelDevice = { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'qmimux', sysfs: root };
    const mtu = (): string => readFileSync(join(root, 'class/net/wwan0/mtu'), 'utf8').trim();
    // A fresh netdev (raw_ip N, 1500 at most): the rule goes through raw-IP to ethernet mode.
    const first = await KernelNetdev.create(dev, 1, runner, [], 32768);
    expect(mtu()).toBe('32768');
    expect(readFileSync(join(root, 'class/net/wwan0/qmi/raw_ip'), 'utf8')).toBe('Y\n');
    expect(ip.slice(0, 2)).toEqual([['link', 'set', 'dev', 'wwan0', 'down'], ['link', 'set', 'dev', 'wwan0', 'mtu', '32768']]);
    // The second link finds the MTU fitting: no raw_ip toggling under a running link.
    ip.length = 0;
    const second = await KernelNetdev.create(dev, 2, runner, [first.name], 32768);
    expect(ip.some((a) => a.includes('mtu'))).toBe(false);
    await first.close();
    expect(mtu()).toBe('32768');
    await second.close();
    expect(mtu()).toBe('1500');
    // A link that fails to come up leaves no raised MTU behind.
    const failing: StepRunner = { ...runner, ip: async (args) => (args.at(-1) === 'up' ? Promise.reject(new Error('RTNETLINK answers: Operation not permitted')) : runner.ip(args)) };
    await expect(KernelNetdev.create(dev, 3, failing, [], 32768)).rejects.toThrow(/Operation not permitted/);
    expect(mtu()).toBe('1500');
    expect(qmimuxIds(dev)).toEqual([]);
    // Without an aggregation size (none negotiated) the MTU is left alone.
    const plain = await KernelNetdev.create(dev, 4, runner);
    expect(mtu()).toBe('1500');
    await plain.close();
    // Raw-IP already (an earlier session), where 32768 is refused: the same steps work.
    expect(readFileSync(join(root, 'class/net/wwan0/qmi/raw_ip'), 'utf8')).toBe('Y\n');
    const again = await KernelNetdev.create(dev, 5, runner, [], 32768);
    expect(mtu()).toBe('32768');
    await again.close();
    expect(mtu()).toBe('1500');
  });

  it('a step that fails after the link was made removes the link (nothing half-made)', async () => {
    const { root, runner } = fakeSysfs();
    const dev: KernelDevice = { driver: 'qmi_wwan', netdev: 'wwan0', mux: 'qmimux', sysfs: root };
    const failing: StepRunner = { ...runner, ip: async (args) => { if (args.includes('up')) throw new Error('RTNETLINK answers: Operation not permitted'); } };
    await expect(KernelNetdev.create(dev, 4, failing)).rejects.toThrow(/ip link set dev wwan0 up: RTNETLINK answers: Operation not permitted/);
    expect(qmimuxIds(dev)).toEqual([]);
    // A refused add_mux (the id exists) must not delete the link that had it.
    await KernelNetdev.create(dev, 4, runner);
    await expect(KernelNetdev.create(dev, 4, runner)).rejects.toThrow(/add_mux: EINVAL/);
    expect(qmimuxIds(dev)).toEqual([4]);
  });

  it('qmi_wwan rmnet, wwan-core links and cdc_mbim VLANs', () => {
    expect(planLink({ driver: 'qmi_wwan', netdev: 'wwan0', mux: 'rmnet' }, 1, 'rmnet_data0').steps.map((s) => (s.kind === 'ip' ? s.args.join(' ') : `${s.path}=${s.value}`))).toEqual([
      'link set dev wwan0 down',
      '/sys/class/net/wwan0/qmi/raw_ip=Y',
      '/sys/class/net/wwan0/qmi/pass_through=Y',
      'link set dev wwan0 up',
      'link add link wwan0 name rmnet_data0 type rmnet mux_id 1',
    ]);
    expect(planLink({ driver: 'wwan', netdev: 'wwan0' }, 3, 'wwan0.3').steps).toEqual([{ kind: 'ip', args: ['link', 'add', 'wwan0.3', 'parentdev', 'wwan0', 'type', 'wwan', 'linkid', '3'] }]);
    expect(planLink({ driver: 'cdc_mbim', netdev: 'wwan0' }, 2, 'wwan0.2').steps.at(-1)).toEqual({ kind: 'ip', args: ['link', 'add', 'link', 'wwan0', 'name', 'wwan0.2', 'type', 'vlan', 'id', '2'] });
    expect(() => planLink({ driver: 'qmi_wwan', netdev: 'wwan0' }, 255, 'x')).toThrow(RangeError);
    // DSS streams: VLANs 256..511, brought up without IPv6 (they carry no IP and get no addresses).
    expect(planLink({ driver: 'cdc_mbim', netdev: 'wwan0' }, 256, 'wwan0.256').steps.slice(-2)).toEqual([
      { kind: 'ip', args: ['link', 'add', 'link', 'wwan0', 'name', 'wwan0.256', 'type', 'vlan', 'id', '256'] },
      { kind: 'ip', args: ['link', 'set', 'dev', 'wwan0.256', 'addrgenmode', 'none', 'up'] },
    ]);
    expect(() => planLink({ driver: 'cdc_mbim', netdev: 'wwan0' }, 512, 'x')).toThrow(/VLANs 0..255 \(IP sessions\) and 256..511/);
  });

  it('a dry run prints the exact commands and touches nothing', async () => {
    const lines: string[] = [];
    const link = await KernelNetdev.create({ driver: 'qmi_wwan', netdev: 'wwan0', mux: 'rmnet', sysfs: '/nonexistent' }, 2, dryRunner((l) => lines.push(l)));
    await link.configure({ ipv4: { address: '10.64.1.2', prefix: 24, dns: [] } });
    expect(lines).toEqual([
      'ip link set dev wwan0 down',
      'echo Y > /nonexistent/class/net/wwan0/qmi/raw_ip',
      'echo Y > /nonexistent/class/net/wwan0/qmi/pass_through',
      'ip link set dev wwan0 up',
      'ip link add link wwan0 name rmnet_data1 type rmnet mux_id 2',
      'ip addr flush dev rmnet_data1',
      'ip addr add 10.64.1.2/24 dev rmnet_data1',
      'ip link set dev rmnet_data1 up',
    ]);
  });
});
