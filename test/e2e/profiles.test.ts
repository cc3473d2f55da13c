/**
 * End to end, per simulator profile: the manager connects two PDNs, each link is a TUN device in this
 * namespace; ping goes through each link to its gateway, which lives on the simulator's TUN bridge in
 * another namespace (the kernel there answers); iperf3 TCP runs through one link to a server there.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect } from 'vitest';
import type { Modem } from '../../src/modem/modem.js';
import { TUN_TX_QUEUE, TunNetdev } from '../../src/net/tun-netdev.js';
import { readFileSync } from 'node:fs';
import type { ProfileName } from '../../src/sim/profiles.js';
import { itWithTun, testNetnsName } from '../net/root.js';
import { managedModem, type Managed } from '../support/managed.js';

const run = promisify(execFile);
const it = itWithTun(['ping', 'iperf3', 'ss']);

let managed: Managed<TunNetdev> | undefined;
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

async function setup(profile: ProfileName, tag: string): Promise<{ modem: Modem; netns: string }> {
  const netns = testNetnsName(tag);
  // Link names must be unique on this host while other test files run: pid and profile in them.
  const prefix = `wwe${process.pid % 1000}${tag.slice(0, 2)}.`;
  managed = await managedModem({ profile, seed: 11, tunNetns: netns, netdev: (name) => new TunNetdev(name), modem: { linkPrefix: prefix } });
  await managed.modem.probe();
  return { modem: managed.modem, netns };
}

const ping = async (dev: string, to: string): Promise<number> => {
  const r = await run('ping', ['-c', '3', '-i', '0.2', '-W', '2', '-I', dev, to]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
};

async function iperf(netns: string, server: string, client: string): Promise<number> {
  const srv = spawn('ip', ['netns', 'exec', netns, 'iperf3', '-s', '-1', '-B', server], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      const ss = await run('ip', ['netns', 'exec', netns, 'ss', '-ltn']).catch(() => ({ stdout: '' }));
      if (ss.stdout.includes(':5201')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const { stdout } = await run('iperf3', ['-c', server, '-B', client, '-t', '1', '-J'], { timeout: 20_000 });
    return (JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
  } finally {
    srv.kill();
  }
}

const profiles: ProfileName[] = ['qmi-usb', 'qmi-rmnet', 'bam-dmux', 'mbim-usb', 'iosm'];

describe('two PDNs through TUN links, per profile', () => {
  for (const profile of profiles) {
    it(`${profile}: ping through each link, iperf3 TCP through one`, async () => {
      const { modem, netns } = await setup(profile, profile.replace(/[^a-z]/g, ''));
      const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
      const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
      expect(a.linkId).not.toBe(b.linkId);
      for (const bearer of [a, b]) expect(await ping(bearer.netdev!.name, bearer.connected!.ipv4!.gateway!)).toBe(3);
      // Room in the kernel's queue for what TCP may put there while the datapath holds the link.
      expect(Number(readFileSync(`/sys/class/net/${a.netdev!.name}/tx_queue_len`, 'utf8'))).toBe(TUN_TX_QUEUE);
      const bps = await iperf(netns, a.connected!.ipv4!.gateway!, a.connected!.ipv4!.address);
      expect(bps).toBeGreaterThan(1e6);
      // Disconnect removes the link and its routes.
      const name = a.netdev!.name;
      await modem.disconnect(a.id);
      await expect(run('ip', ['link', 'show', 'dev', name])).rejects.toThrow();
      expect((await run('ip', ['route', 'show'])).stdout).not.toContain(name);
    }, 60_000);
  }
});
