/**
 * Joining TCP segments for the TUN (gro.ts): a super-packet cut into segments (gso.ts) and joined
 * again is one write whose segments are the very ones that went in; anything GRO must not join
 * (other flows, a corrupt checksum, SYN/FIN, a gap in the sequence, other options, a short segment
 * in the middle) is written as it came, in order. For any sequence of packets, cutting what comes
 * out gives back exactly what went in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GSO_NONE, GSO_TCPV4, GSO_TCPV6, VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_F_NEEDS_CSUM, segment } from '../../src/net/gso.js';
import { Coalescer } from '../../src/net/gro.js';
import { pseudoHeaderSum, transportChecksum, type PartialChecksum } from '../../src/wire/checksum.js';
import { superPacket } from './packets.js';

const ACK = 0x10;
const PSH = 0x08;
const TIMESTAMPS = Uint8Array.from([1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78]);

/** The segments the kernel would send for one super-packet. */
function segments(v6: boolean, payload: Uint8Array, mss: number, seq: number, flags = ACK, options = TIMESTAMPS): Uint8Array[] {
  const out: Uint8Array[] = [];
  expect(segment(superPacket(v6, true, payload, mss, seq, flags, true, options).frame, new Uint8Array(65536), (p) => out.push(p.slice()))).toBeUndefined();
  return out;
}

interface Written {
  header: Uint8Array;
  packet: Uint8Array;
  packets: number;
  bytes: number;
}

function join(packets: Uint8Array[], partial?: (p: Uint8Array) => PartialChecksum | undefined, valid = false): Written[] {
  const out: Written[] = [];
  const c = new Coalescer((header, packet, n, bytes) => out.push({ header: header.slice(), packet: packet.slice(), packets: n, bytes }));
  for (const p of packets) c.push(p, partial?.(p), valid);
  c.flush();
  return out;
}

/** What the kernel would make of each write: its segments again. */
function recut(written: Written[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const w of written) {
    const frame = new Uint8Array(w.header.length + w.packet.length);
    frame.set(w.header);
    frame.set(w.packet, w.header.length);
    expect(segment(frame, new Uint8Array(65536), (p) => out.push(p.slice()))).toBeUndefined();
  }
  return out;
}

/** The segment with another TCP source port, its checksum made right again. */
function fromPort(p: Uint8Array, port: number): Uint8Array {
  const l4 = p[0]! >> 4 === 6 ? 40 : 20;
  p[l4] = port >> 8;
  p[l4 + 1] = port & 0xff;
  p[l4 + 16] = p[l4 + 17] = 0;
  const sum = transportChecksum(p, l4, 6);
  p[l4 + 16] = sum >> 8;
  p[l4 + 17] = sum & 0xff;
  return p;
}

const bytesOf = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const hex = (ps: Uint8Array[]): string[] => ps.map((p) => Buffer.from(p).toString('hex'));

describe('Coalescer', () => {
  it('joins a cut super-packet into one write that cuts back into the same segments (IPv4, IPv6, short last, PSH last)', () => {
    for (const v6 of [false, true]) {
      for (const [size, mss] of [[14_000, 1448], [1448 * 9, 1448], [5000, 1000], [40_001, 1388]] as const) {
        const input = segments(v6, bytesOf(size), mss, 0xfffff000, ACK | PSH);
        const written = join(input);
        expect(written).toHaveLength(1);
        const [w] = written;
        expect(w!.header[0]).toBe(VIRTIO_NET_HDR_F_NEEDS_CSUM);
        expect(w!.header[1]).toBe(v6 ? GSO_TCPV6 : GSO_TCPV4);
        expect(w!.header[4]! | (w!.header[5]! << 8)).toBe(mss);
        expect(w!.packets).toBe(input.length);
        expect(w!.bytes).toBe(input.reduce((n, p) => n + p.length, 0));
        expect(hex(recut(written))).toEqual(hex(input));
      }
    }
  });

  it('starts a new packet at 64 KiB', () => {
    const input = segments(false, bytesOf(60_000), 1448, 1).concat(segments(false, bytesOf(60_000, 7), 1448, 1 + 60_000));
    const written = join(input);
    expect(written.length).toBeGreaterThan(1);
    for (const w of written) expect(w.packet.length).toBeLessThanOrEqual(65535);
    expect(hex(recut(written))).toEqual(hex(input));
  });

  it('writes alone, unchanged and in order, what GRO must not join', () => {
    const base = segments(false, bytesOf(1448 * 4), 1448, 1000);
    const corrupt = base.map((p) => p.slice());
    const hit = corrupt[2]!;
    hit[60] = hit[60]! ^ 0xff;
    const gap = [base[0]!, base[2]!, base[3]!];
    const otherFlow = segments(false, bytesOf(1448 * 2), 1448, 1000 + 1448);
    otherFlow.forEach((p) => fromPort(p, 4242));
    const syn = segments(false, bytesOf(1448 * 2), 1448, 1000, 0x12);
    const otherOptions = segments(false, bytesOf(1448), 1448, 1000 + 1448, ACK, Uint8Array.from([1, 1, 8, 10, 0, 0, 0x12, 0x35, 0, 0, 0x56, 0x78]));
    const shortFirst = [...segments(false, bytesOf(1000), 1000, 1000), ...segments(false, bytesOf(1448), 1448, 2000)];
    for (const input of [corrupt, gap, [base[0]!, ...otherFlow], syn, [base[0]!, ...otherOptions], shortFirst, [base[0]!.subarray(0, 19)]]) {
      const written = join(input);
      expect(hex(recut(written))).toEqual(hex(input));
    }
    // The corrupt segment ends the run before it and goes alone: the kernel drops it, not its neighbours.
    const c = join(corrupt);
    expect(c.map((w) => w.packets)).toEqual([2, 1, 1]);
    expect(c[1]!.header[1]).toBe(GSO_NONE);
    expect(join(syn).every((w) => w.packets === 1)).toBe(true);
  });

  it('gives back exactly the packets that went in, for any mix of flows, sizes, flags and corruption', () => {
    const packet = fc.record({
      flow: fc.integer({ min: 0, max: 2 }),
      v6: fc.boolean(),
      size: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 10_000, max: 30_000 })),
      mss: fc.constantFrom(536, 1000, 1448),
      flags: fc.constantFrom(ACK, ACK, ACK | PSH, 0x11, 0x18 | 0x80),
      corrupt: fc.option(fc.nat(), { freq: 4 }),
    });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 6 }), (specs) => {
        const seq = [1, 1, 1];
        const input: Uint8Array[] = [];
        for (const s of specs) {
          const ps = segments(s.v6, bytesOf(s.size, s.flow), s.mss, seq[s.flow]!, s.flags);
          seq[s.flow] = (seq[s.flow]! + s.size) >>> 0;
          for (const p of ps) fromPort(p, 4000 + s.flow);
          if (s.corrupt !== null) {
            const p = ps[s.corrupt % ps.length]!;
            const at = (s.corrupt >> 3) % p.length;
            p[at] = p[at]! ^ 0x5a;
          }
          input.push(...ps);
        }
        expect(hex(recut(join(input)))).toEqual(hex(input));
      }),
      { numRuns: 100 },
    );
  });

  it("joins segments whose checksum the modem left partial without verifying them, for the kernel to finish (NEEDS_CSUM), and writes a lone one so too", () => {
    const l4 = (p: Uint8Array): number => (p[0]! >> 4 === 6 ? 40 : 20);
    const partialTcp = (p: Uint8Array): PartialChecksum => ({ start: l4(p), offset: 16 });
    for (const v6 of [false, true]) {
      const finished = segments(v6, bytesOf(1448 * 5 + 100), 1448, 5000);
      // As the modem hands them on: the pseudo-header's sum in the field, nothing else changed.
      const partial = finished.map((f) => {
        const p = f.slice();
        const sum = pseudoHeaderSum(p, l4(p), 6);
        p.set([sum >> 8, sum & 0xff], l4(p) + 16);
        return p;
      });
      const written = join(partial, partialTcp);
      expect(written.map((w) => w.packets)).toEqual([6]);
      expect(written[0]!.header[0]).toBe(VIRTIO_NET_HDR_F_NEEDS_CSUM);
      expect(hex(recut(written))).toEqual(hex(finished));
      // One alone (the run's only segment) still goes partial, with where to finish it.
      const [lone] = join([partial[5]!], partialTcp);
      expect([lone!.packets, lone!.header[0], lone!.header[1], lone!.header[6], lone!.header[8]]).toEqual([1, VIRTIO_NET_HDR_F_NEEDS_CSUM, GSO_NONE, l4(partial[5]!), 16]);
      expect(hex(recut([lone!]))).toEqual(hex([finished[5]!]));
    }
    // Partial at another place than TCP's field: never joined, written alone with where it said.
    const odd = segments(false, bytesOf(1448 * 2), 1448, 1);
    const w = join(odd, () => ({ start: 20, offset: 6 }));
    expect(w.map((x) => [x.packets, x.header[0], x.header[6], x.header[8]])).toEqual([
      [1, VIRTIO_NET_HDR_F_NEEDS_CSUM, 20, 6],
      [1, VIRTIO_NET_HDR_F_NEEDS_CSUM, 20, 6],
    ]);
  });

  it('trusts the modem’s verdict (QMAP checksum offload): vouched-for segments join unverified, and a lone one tells the kernel it is valid', () => {
    for (const v6 of [false, true]) {
      const base = segments(v6, bytesOf(1448 * 3), 1448, 7000);
      // A checksum the modem vouched for is not looked at: even a wrong one joins (as rmnet trusts it).
      const wrong = base.map((p) => p.slice());
      const l4 = v6 ? 40 : 20;
      wrong[1]![l4 + 16] = wrong[1]![l4 + 16]! ^ 0xff;
      expect(join(wrong, undefined, true).map((w) => w.packets)).toEqual([3]);
      // Unvouched, the same segment ends the run and goes alone.
      expect(join(wrong).map((w) => w.packets)).toEqual([1, 1, 1]);
      const [lone] = join([base[0]!], undefined, true);
      expect([lone!.header[0], lone!.header[1]]).toEqual([VIRTIO_NET_HDR_F_DATA_VALID, GSO_NONE]);
      expect(hex([lone!.packet])).toEqual(hex([base[0]!]));
      // Not TCP: written as it came, no claim made for it.
      const udp = base[0]!.slice();
      if (v6) udp[6] = 17;
      else udp[9] = 17;
      expect(join([udp], undefined, true)[0]!.header[0]).toBe(0);
    }
  });
});
