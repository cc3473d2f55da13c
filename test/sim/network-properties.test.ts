/** Properties of the network behind the modem over generated packets, good and bad. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { NETWORK_DROP_REASONS, SimNetwork } from '../../src/sim/network/index.js';
import { TYPE_A, TYPE_AAAA, dnsQuery, echoBody, icmpPacket, packetChecksumsValid, udpPacket } from '../net/packets.js';

const firmware = new ModemFirmware({ seed: 3 });
const session = firmware.startSession({ apn: 'internet', family: 'ipv4v6' });
const { ipv4, ipv6 } = session as Required<typeof session>;

const v4Destination = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const v6Destination = fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 }).map((w) => `2001:${w.map((x) => x.toString(16)).join(':')}`);
const payload = fc.uint8Array({ maxLength: 1500 });

/** Requests the network must answer: pings anywhere, UDP echo anywhere, DNS at the session’s servers. */
const answerable = fc.oneof(
  fc.tuple(v4Destination, fc.nat(0xffff), fc.nat(0xffff), payload).map(([dst, id, seq, data]) => icmpPacket({ src: ipv4.address, dst }, 8, 0, echoBody(id, seq, data))),
  fc.tuple(v6Destination, fc.nat(0xffff), fc.nat(0xffff), payload).map(([dst, id, seq, data]) => icmpPacket({ src: ipv6.address, dst }, 128, 0, echoBody(id, seq, data))),
  fc.tuple(fc.oneof(v4Destination, v6Destination), fc.integer({ min: 1, max: 0xffff }), payload).map(([dst, sport, data]) =>
    udpPacket({ src: dst.includes(':') ? ipv6.address : ipv4.address, dst }, sport, 7, data),
  ),
  fc.tuple(fc.boolean(), fc.nat(0xffff), fc.constantFrom('echo.sim', 'gateway.sim', 'WwAnKiT.tEsT', 'nope.example'), fc.constantFrom(TYPE_A, TYPE_AAAA, 16)).map(([v6, id, name, type]) =>
    udpPacket(v6 ? { src: ipv6.address, dst: ipv6.dns[0] } : { src: ipv4.address, dst: ipv4.dns[1] }, 5353, 53, dnsQuery(id, name, type)),
  ),
);

/** A good packet with a few bytes changed, cut short, or followed by junk. */
const damaged = fc.tuple(answerable, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 8 })).map(([p, edits, cut, tail]) => {
  const out = Uint8Array.from([...p, ...tail]);
  for (const [at, value] of edits) out[at % out.length] = value;
  return out.subarray(0, cut % (out.length + 1));
});

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), damaged, answerable);

function total(counts: object): number {
  return (Object.values(counts) as number[]).reduce((a, b) => a + b, 0);
}

describe('SimNetwork properties', () => {
  it('answers every well-formed request once, to its sender, from the address it was sent to, with valid checksums', () => {
    fc.assert(
      fc.property(answerable, (packet) => {
        const network = new SimNetwork();
        const replies: Uint8Array[] = [];
        network.respond(session, packet, (r) => replies.push(r.slice()));
        expect(replies).toHaveLength(1);
        const reply = replies[0]!;
        expect(packetChecksumsValid(reply)).toBe(true);
        const [src, dst] = packet[0]! >> 4 === 4 ? [12, 16] : [8, 24];
        const n = dst - src;
        expect(reply.subarray(src, src + n)).toEqual(packet.subarray(dst, dst + n));
        expect(reply.subarray(dst, dst + n)).toEqual(packet.subarray(src, src + n));
        expect(total(network.drops)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any bytes, counts each packet once as answered or dropped, and replies only with valid checksums', () => {
    const network = new SimNetwork();
    let packets = 0;
    fc.assert(
      fc.property(anyBytes, (packet) => {
        packets++;
        let replies = 0;
        network.respond(session, packet, (r) => {
          replies++;
          expect(packetChecksumsValid(r)).toBe(true);
        });
        expect(replies).toBeLessThanOrEqual(1);
        expect(total(network.drops) + total(network.answers)).toBe(packets);
      }),
      { numRuns: 3000 },
    );
    expect(Object.keys(network.drops)).toEqual([...NETWORK_DROP_REASONS]);
  });
});
