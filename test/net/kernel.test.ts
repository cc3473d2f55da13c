/** The kernel datapath's steps, run against a fake sysfs tree with `ip` recorded, and as a dry run. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
        } else writeFileSync(path, `${value}\n`);
      },
      ip: async (args) => void ip.push(args),
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
