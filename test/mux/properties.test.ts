/**
 * Properties over all framings: what an encoder writes, its decoder gives back (same links, same
 * bytes, same order per link), and no input makes a decoder throw or hand out a view outside the
 * transfer it was given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bamDmuxEncoder, BamDmuxDecoder } from '../../src/mux/bam-dmux.js';
import { dssLink, ipLink } from '../../src/mux/framing.js';
import type { Encapsulator, Link, TransferSink } from '../../src/mux/framing.js';
import { NtbDecoder, ntbEncoder } from '../../src/mux/ntb.js';
import { QmapDecoder, qmapEncoder } from '../../src/mux/qmap.js';
import type { QmapVersion } from '../../src/mux/qmap.js';
import { QmimuxDecoder, qmimuxEncoder } from '../../src/mux/qmimux.js';
import { describeTransfer } from '../../src/mux/describe.js';

const RUNS = 60;

interface Case {
  name: string;
  link: fc.Arbitrary<Link>;
  maxPacket: number;
  encoder(onTransfer: TransferSink): Encapsulator<string>;
  decode(transfer: Uint8Array, packet: (link: Link, view: Uint8Array) => void): void;
}

const sink = (packet: (link: Link, view: Uint8Array) => void) => ({ packet, command: () => {} });

const qmapCase = (version: QmapVersion, direction: 'uplink' | 'downlink'): Case => ({
  name: `QMAP v${version} ${direction}`,
  link: fc.integer({ min: 1, max: 254 }).map(ipLink),
  maxPacket: 1500,
  encoder: (t) => qmapEncoder({ version, direction, maxBytes: 8192, maxDatagrams: 16 }, t),
  decode: (t, p) => new QmapDecoder({ version, direction }).decapsulate(t, sink(p)),
});

const CASES: Case[] = [
  qmapCase(1, 'uplink'),
  qmapCase(1, 'downlink'),
  qmapCase(4, 'uplink'),
  qmapCase(4, 'downlink'),
  qmapCase(5, 'uplink'),
  qmapCase(5, 'downlink'),
  {
    name: 'qmimux',
    link: fc.integer({ min: 1, max: 254 }).map(ipLink),
    maxPacket: 1500,
    encoder: (t) => qmimuxEncoder(t),
    decode: (t, p) => new QmimuxDecoder().decapsulate(t, sink(p)),
  },
  {
    name: 'BAM-DMUX',
    link: fc.integer({ min: 0, max: 7 }).map(ipLink),
    maxPacket: 2040,
    encoder: (t) => bamDmuxEncoder(t),
    decode: (t, p) => new BamDmuxDecoder().decapsulate(t, sink(p)),
  },
  ...[16, 32].flatMap((format) =>
    [false, true].map(
      (ndpToEnd): Case => ({
        name: `NTB${format}${ndpToEnd ? ' NDP at end' : ''}`,
        link: fc.oneof(fc.integer({ min: 0, max: 255 }).map(ipLink), fc.integer({ min: 0, max: 255 }).map(dssLink)),
        maxPacket: 1500,
        encoder: (t) =>
          ntbEncoder({ format: format as 16 | 32, maxBytes: 8192, maxDatagrams: 16, divisor: 8, remainder: 2, ndpToEnd }, t),
        decode: (t, p) => new NtbDecoder({ rxMax: 65536 }).decapsulate(t, sink(p)),
      }),
    ),
  ),
];

/** A packet every receiver accepts on an IP link: IPv4/IPv6 first nibble, at least 20 bytes. */
const packet = (maxLength: number) =>
  fc
    .tuple(fc.integer({ min: 20, max: maxLength }), fc.constantFrom(0x45, 0x60), fc.integer({ min: 0, max: 255 }))
    .map(([n, first, seed]) => {
      const p = new Uint8Array(n);
      for (let i = 0; i < n; i++) p[i] = (i * 31 + seed) & 0xff;
      p[0] = first;
      return p;
    });

const key = (l: Link): string => `${l.kind}${l.id}`;

function perLink(items: { link: Link; bytes: Uint8Array }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const { link, bytes } of items) m.set(key(link), [...(m.get(key(link)) ?? []), Buffer.from(bytes).toString('hex')]);
  return m;
}

describe.each(CASES)('$name', (c) => {
  it('decapsulate(encapsulate(packets)) gives back every packet on its link, in order per link', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(c.link, packet(c.maxPacket)), { minLength: 1, maxLength: 40 }), (sent) => {
        const transfers: Uint8Array[] = [];
        const enc = c.encoder((t) => transfers.push(t.slice()));
        for (const [link, p] of sent) expect(enc.send(link, p)).toBe(true);
        enc.flush();
        const got: { link: Link; bytes: Uint8Array }[] = [];
        for (const t of transfers) c.decode(t, (link, view) => got.push({ link, bytes: view.slice() }));
        expect(perLink(got)).toEqual(perLink(sent.map(([link, bytes]) => ({ link, bytes }))));
        // Framings without per-session tables keep the global order too.
        if (!c.name.startsWith('NTB')) expect(got.map((g) => key(g.link))).toEqual(sent.map(([l]) => key(l)));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws, never hands out a view outside the transfer nor more bytes than it holds, for damaged and random input', () => {
    const damaged = fc
      .tuple(fc.array(fc.tuple(c.link, packet(300)), { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat())
      .map(([sent, flips, cut]) => {
        let first: Uint8Array | undefined;
        const enc = c.encoder((t) => (first ??= t.slice()));
        for (const [link, p] of sent) enc.send(link, p);
        enc.flush();
        const t = first!;
        for (const [at, v] of flips) t[at % t.length] = v;
        return t.subarray(0, t.length - (cut % 8));
      });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.uint8Array({ maxLength: 600 })), (bytes) => {
        // The transfer sits inside a bigger buffer, as a received chunk would.
        const backing = new Uint8Array(bytes.length + 64).fill(0xee);
        backing.set(bytes, 32);
        const t = backing.subarray(32, 32 + bytes.length);
        let delivered = 0;
        c.decode(t, (_link, view) => {
          expect(view.buffer).toBe(backing.buffer);
          expect(view.byteOffset).toBeGreaterThanOrEqual(t.byteOffset);
          expect(view.byteOffset + view.length).toBeLessThanOrEqual(t.byteOffset + t.length);
          delivered += view.length;
        });
        // No amplification: N bytes in, at most N bytes of packets out.
        expect(delivered).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('describeTransfer', () => {
  it('never throws and locates everything inside the input, for any bytes and format', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('qmap', 'qmimux', 'bam-dmux', 'ntb'),
        fc.constantFrom(1, 4, 5),
        fc.uint8Array({ maxLength: 400 }),
        (format, qmapVersion, bytes) => {
          const d = describeTransfer(format as 'qmap', bytes, { qmapVersion: qmapVersion as QmapVersion });
          for (const p of d.packets) expect(p.offset + p.length).toBeLessThanOrEqual(bytes.length);
          expect(JSON.parse(JSON.stringify(d))).toEqual(d);
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });
});
