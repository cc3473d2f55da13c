/**
 * End to end, per simulator profile: the manager connects two PDNs, each link is a TUN device in this
 * namespace; ping goes through each link to its gateway, which lives on the simulator's TUN bridge in
 * another namespace (the kernel there answers); iperf3 TCP runs through one link to a server there.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect } from 'vitest';
import { connectRecordPipe } from '../../src/link/data-pipe.js';
import { MbimDevice } from '../../src/mbim/client.js';
import type { ControlDriver } from '../../src/modem/driver.js';
import { MbimDriver } from '../../src/modem/mbim-driver.js';
import { Modem } from '../../src/modem/modem.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { TunNetdev } from '../../src/net/tun-netdev.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { itWithTun, testNetnsName } from '../net/root.js';

const run = promisify(execFile);
const it = itWithTun(['ping', 'iperf3', 'ss']);

let sim: Simulator | undefined;
let modem: Modem | undefined;
afterEach(async () => {
  await modem?.close();
  await sim?.stop();
  modem = sim = undefined;
});

async function managed(profile: ProfileName, tag: string): Promise<{ sim: Simulator; modem: Modem; netns: string }> {
  const netns = testNetnsName(tag);
  sim = await Simulator.start({ profile: PROFILES[profile], seed: 11, tunNetns: netns });
  const port = sim.modems[0]!.ports[0]!.socket;
  const driver: ControlDriver =
    PROFILES[profile].control === 'qmi'
      ? new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(port))), { pipe: profile === 'bam-dmux' ? 'bam-dmux' : 'usb' })
      : new MbimDriver(await MbimDevice.open(await connectUnix(port)));
  modem = new Modem('e2e', driver, {
    linkPrefix: `wwe${process.pid % 1000}${tag.slice(0, 2)}.`,
    pipe: () => connectRecordPipe(sim!.ready().modems[0]!.data),
    netdev: async (name) => new TunNetdev(name),
    backoffMs: [50, 200],
  });
  await modem.probe();
  return { sim, modem, netns };
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
      const { modem, netns } = await managed(profile, profile.replace(/[^a-z]/g, ''));
      const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
      const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
      expect(a.linkId).not.toBe(b.linkId);
      for (const bearer of [a, b]) expect(await ping(bearer.netdev!.name, bearer.connected!.ipv4!.gateway!)).toBe(3);
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
