/**
 * BAM-DMUX channels wired into the bam-dmux profile's datapath: the modem opens its channels, the
 * host's OPEN follows each link up and its CLOSE each link down (seen on the simulator's side), and
 * data flows only on a channel open on both sides; what is sent on a closed one is counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { UserspaceBackend } from '../../src/link/userspace.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { managedModem, until, type Managed } from '../support/managed.js';
import { ipPacket } from '../net/packets.js';

/** A UDP packet whose last byte is `tag` (the echo network sends it back). */
const ipv4Packet = (src: string, dst: string, tag: number): Uint8Array => ipPacket({ src, dst, protocol: 17 }, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, tag));

let managed: Managed<MemoryNetdev> | undefined;
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

describe('BAM-DMUX channels', () => {
  it('opens a channel per link, carries data only while both sides have it open, and closes it on disconnect', async () => {
    managed = await managedModem({ profile: 'bam-dmux' });
    const { modem, sim, netdevs } = managed;
    const data = sim.modems[0]!.data;
    const b = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    await until(() => data.hostChannels.get(b.linkId)?.open === true);
    expect(data.hostChannels.get(b.linkId)).toEqual({ open: true, opens: 1, closes: 0 });
    // Only the link's channel: the others the modem opened stay down on the host.
    expect([...data.hostChannels.keys()]).toEqual([b.linkId]);
    expect(modem.links.topology(b.linkId, 'ip')?.channel).toEqual({ exists: true, remoteOpen: true, up: true });
    const got: number[] = [];
    const netdev = netdevs.get(b.linkId)!;
    netdev.onReceive((p) => got.push(p[p.length - 1]!));
    netdev.send(ipv4Packet(b.connected!.ipv4!.address, '8.8.8.8', 1));
    await until(() => got.length === 1);

    // The modem closes the channel: the host sends nothing on it, and counts what it could not send.
    expect(sim.fault({ fault: 'bam-channel', channel: b.linkId, open: false })).toMatchObject({ ok: true });
    await until(() => modem.links.topology(b.linkId, 'ip')?.channel?.remoteOpen === false);
    netdev.send(ipv4Packet(b.connected!.ipv4!.address, '8.8.8.8', 2));
    expect(modem.datapath!.drops().send['inactive-channel']).toBe(1);
    expect(netdev.counters.txDropped).toBe(1);
    // Reopened: traffic flows again.
    sim.fault({ fault: 'bam-channel', channel: b.linkId, open: true });
    await until(() => modem.links.topology(b.linkId, 'ip')?.channel?.remoteOpen === true);
    netdev.send(ipv4Packet(b.connected!.ipv4!.address, '8.8.8.8', 3));
    await until(() => got.length === 2);
    expect(got).toEqual([1, 3]);

    await modem.disconnect(b.id);
    await until(() => data.hostChannels.get(b.linkId)?.open === false);
    expect(data.hostChannels.get(b.linkId)).toEqual({ open: false, opens: 1, closes: 1 });
  });

  it('the simulator drops uplink data on a channel the host never opened, and counts it', async () => {
    managed = await managedModem({ profile: 'bam-dmux' });
    const { modem, sim } = managed;
    const b = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const data = sim.modems[0]!.data;
    await until(() => data.hostChannels.get(b.linkId)?.open === true);
    // A host that skips the OPEN: its data is not taken.
    const { PipeFraming } = await import('../../src/mux/pipe.js');
    const raw = new PipeFraming({ framing: 'bam-dmux' }, 'modem', (t) => (modem.links as UserspaceBackend).datapath!.pipe.send(t.slice()), { packet: () => undefined });
    raw.send({ kind: 'ip', id: 5 }, ipv4Packet('10.0.0.1', '8.8.8.8', 4));
    await until(() => data.stats.closedChannel === 1);
  });
});
