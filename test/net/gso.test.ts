/**
 * Cutting TUN super-packets (gso.ts): the segments carry exactly the super-packet's payload, in
 * order, each a valid IP packet with a correct TCP/UDP checksum, for TCP and UDP over IPv4 and
 * IPv6, odd sizes and a short last segment; and no read, however malformed, throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishChecksum, internetChecksum, pseudoHeaderSum, transportChecksum } from '../../src/wire/checksum.js';
import { segment } from '../../src/net/gso.js';
import { superPacket, type Super } from './packets.js';

const cut = (s: Super, partial = false): Uint8Array[] => {
  const out: Uint8Array[] = [];
  expect(segment(s.frame.slice(), new Uint8Array(65536), (p) => out.push(p.slice()), partial)).toBeUndefined();
  return out;
};

describe('segment', () => {
  it('cuts TCP and UDP super-packets (IPv4, IPv6) into valid segments carrying the payload in order', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constant(65535 - 60)).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 500, max: 1460 })),
        fc.nat({ max: 0xffffffff }),
        fc.constantFrom(0x10, 0x18, 0x19, 0x98),
        (v6, tcp, payload, gsoSize, seq, flags) => {
          // A 64 KiB IP packet at most (IPv6: its payload), cut in segments of at least 1/2000 of it.
          const size = Math.min(payload.length, 65535 - (v6 ? 0 : 20) - (tcp ? 20 : 8));
          const s = superPacket(v6, tcp, payload.subarray(0, size), Math.max(gsoSize, Math.ceil(size / 2000)), seq, flags);
          gsoSize = s.gsoSize;
          const segs = cut(s);
          const l3 = v6 ? 40 : 20;
          const l4Len = tcp ? 20 : 8;
          expect(segs.length).toBe(Math.ceil(s.payload.length / gsoSize));
          const joined = Buffer.concat(segs.map((g) => g.subarray(l3 + l4Len)));
          expect(joined.equals(Buffer.from(s.payload))).toBe(true);
          const wrong = segs.flatMap((g, i) => {
            const last = i === segs.length - 1;
            const f = g[l3 + 13]!;
            const checks: [string, boolean][] = [
              ['size', g.length - l3 - l4Len === (last ? s.payload.length - i * gsoSize : gsoSize)],
              ['ip length', v6 ? ((g[4]! << 8) | g[5]!) === g.length - 40 : ((g[2]! << 8) | g[3]!) === g.length],
              ['ip checksum', v6 || internetChecksum(g, 0, 20) === 0],
              ['ip id', v6 || ((g[4]! << 8) | g[5]!) === ((0x1234 + i) & 0xffff)],
              ['checksum', transportChecksum(g, l3, tcp ? 6 : 17) === 0],
              ['seq', !tcp || ((g[l3 + 4]! << 24) | (g[l3 + 5]! << 16) | (g[l3 + 6]! << 8) | g[l3 + 7]!) >>> 0 === (seq + i * gsoSize) >>> 0],
              // FIN and PSH only on the last segment, CWR only on the first.
              ['fin/psh', !tcp || (f & 0x09) === (last ? flags & 0x09 : 0)],
              ['cwr', !tcp || (f & 0x80) === (i === 0 ? flags & 0x80 : 0)],
              ['udp length', tcp || ((g[l3 + 4]! << 8) | g[l3 + 5]!) === g.length - l3],
            ];
            return checks.filter(([, ok]) => !ok).map(([what]) => `segment ${i}: ${what}`);
          });
          expect(wrong).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('completes the partial checksum of a single packet, as offload off would have sent it', () => {
    for (const [v6, tcp] of [[false, true], [false, false], [true, true], [true, false]] as const) {
      const payload = Uint8Array.from({ length: 333 }, (_, i) => (i * 7) & 0xff);
      const [one] = cut(superPacket(v6, tcp, payload, 1400, 99, 0x18, false));
      expect(transportChecksum(one!, v6 ? 40 : 20, tcp ? 6 : 17)).toBe(0);
      expect(Buffer.from(one!.subarray((v6 ? 40 : 20) + (tcp ? 20 : 8))).equals(Buffer.from(payload))).toBe(true);
    }
  });

  it('with partial checksums (the modem finishes them), every segment carries its pseudo-header sum and, finished, is byte for byte the segment cut without', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.integer({ min: 1, max: 1460 }), (v6, tcp, gso, payload, gsoSize) => {
        const s = superPacket(v6, tcp, payload, gso ? gsoSize : 65535, 7, 0x18, gso);
        const finished = cut(s);
        const partial = cut(s, true);
        const l3 = v6 ? 40 : 20;
        const offset = tcp ? 16 : 6;
        expect(partial.length).toBe(finished.length);
        partial.forEach((g, i) => {
          expect((g[l3 + offset]! << 8) | g[l3 + offset + 1]!).toBe(pseudoHeaderSum(g, l3, tcp ? 6 : 17));
          // The IPv4 header checksum of a cut segment is never the modem's: it is made right here.
          if (!v6 && gso) expect(internetChecksum(g, 0, 20)).toBe(0);
          finishChecksum(g, l3, offset);
          expect(Buffer.from(g).equals(Buffer.from(finished[i]!))).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('finishes, even with partial checksums on, what a modem would not find: a transport header after IPv6 extension headers', () => {
    // IPv6, hop-by-hop options (8 bytes), then UDP with 20 bytes of payload; the kernel left the pseudo-header sum.
    const p = new Uint8Array(40 + 8 + 8 + 20);
    p.set([0x60, 0, 0, 0, 0, 36, 0, 64]);
    p.set([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2, 0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1], 8);
    p.set([17, 0, 1, 4, 0, 0, 0, 0], 40);
    p.set([0x30, 0x39, 0, 53, 0, 28], 48);
    p.fill(9, 56);
    const pseudo = pseudoHeaderSum(p, 48, 17);
    p.set([pseudo >> 8, pseudo & 0xff], 54);
    const frame = new Uint8Array(10 + p.length);
    frame.set([1, 0, 0, 0, 0, 0, 48, 0, 6, 0]);
    frame.set(p, 10);
    const out: Uint8Array[] = [];
    expect(segment(frame, new Uint8Array(65536), (x) => out.push(x.slice()), true)).toBeUndefined();
    expect(transportChecksum(out[0]!, 48, 17)).toBe(0);
  });

  it('drops what is not a packet (short, headers past the end, UFO) with a reason, never a throw', () => {
    expect(segment(new Uint8Array(5), new Uint8Array(65536), () => undefined)).toBe('malformed');
    const ufo = superPacket(false, false, new Uint8Array(100), 10, 0, 0);
    ufo.frame[1] = 3;
    expect(segment(ufo.frame, new Uint8Array(65536), () => undefined)).toBe('unsupported');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1, 4, 5, 0x81), (bytes, gso) => {
        const f = Uint8Array.from(bytes);
        if (f.length > 1) f[1] = gso;
        const r = segment(f, new Uint8Array(65536), (p) => expect(p.length).toBeLessThanOrEqual(65535));
        expect(r === undefined || r === 'malformed' || r === 'unsupported').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
