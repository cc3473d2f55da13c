/**
 * Regression (issue 18, finding 7): NDP pointer chains that revisit an NDP, and entries that all point
 * at one datagram, made one transfer yield hundreds of thousands of packets. A transfer of N bytes now
 * yields at most N bytes of datagrams, never overlapping, and every refusal is a counted drop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Datapath } from '../../src/link/datapath.js';
import type { DataPipe } from '../../src/link/data-pipe.js';
import { describeTransfer } from '../../src/mux/describe.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { NtbDecoder } from '../../src/mux/ntb.js';
import { collector, ipv4 } from './helpers.js';

const IPS0 = 0x00535049;

/**
 * NTB16 of `size` bytes: NDPs at `ndps` (each reaching to the next NDP above it or to the packet, all its
 * entries pointing at the one 20-byte IPv4 packet at the end), each NDP's next pointer given by `next`.
 */
export function hostileNtb(size: number, ndps: number[], next: (i: number) => number): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  const packetAt = size - 20;
  dv.setUint32(0, 0x484d434e, true);
  dv.setUint16(4, 12, true);
  dv.setUint16(8, size & 0xffff, true);
  dv.setUint16(10, ndps[0]!, true);
  // Entries first, so an NDP that overlaps another's entries still finds its header intact.
  for (let e = 12; e + 4 <= packetAt; e += 4) {
    dv.setUint16(e, packetAt, true);
    dv.setUint16(e + 2, 20, true);
  }
  ndps.forEach((at, i) => {
    dv.setUint32(at, IPS0, true);
    const end = Math.min(packetAt, ...ndps.filter((x) => x > at));
    dv.setUint16(at + 4, (end - at) & ~3, true);
    dv.setUint16(at + 6, next(i), true);
  });
  b.set(ipv4(20, 1), packetAt);
  return b;
}

function decode(bytes: Uint8Array, rxMax = 65536) {
  const d = new NtbDecoder({ rxMax });
  const got = collector();
  d.decapsulate(bytes, got);
  return { packets: got.packets.length, bytes: got.packets.reduce((s, p) => s + p.bytes.length, 0), drops: d.drops };
}

describe('NTB NDP loops and overlapping datagrams', () => {
  it('an NDP pointing at itself, its entries all at one packet: one packet, the loop and the overlap counted', () => {
    const r = decode(hostileNtb(65535, [12], () => 12));
    expect(r.packets).toBe(1);
    expect(r.drops['ndp-loop']).toBe(1);
    expect(r.drops['datagram-overlap']).toBe(1);
  });

  it('a chain that comes back to an earlier NDP stops there', () => {
    // 12 → 400 → 800 → 400: three distinct NDPs, then a revisit.
    const ndps = [12, 400, 800];
    const r = decode(hostileNtb(16384, ndps, (i) => (i === 2 ? 400 : ndps[i + 1]!)));
    expect(r.packets).toBe(1);
    expect(r.drops['ndp-loop']).toBe(1);
    expect(r.drops['datagram-overlap']).toBe(3);
  });

  it('the chain limit still holds for distinct NDPs: the first plus 50 chained', () => {
    const ndps = Array.from({ length: 60 }, (_, i) => 12 + i * 32);
    const r = decode(hostileNtb(16384, ndps, (i) => ndps[i + 1] ?? 0));
    expect(r.packets).toBe(1);
    expect(r.drops['datagram-overlap']).toBe(51);
    expect(r.drops['ndp-chain']).toBe(1);
  });

  it('wwan decode’s describer is bounded the same way (one packet, not 834,921)', () => {
    const d = describeTransfer('ntb', hostileNtb(65535, [12], () => 12));
    expect(d.packets).toHaveLength(1);
    expect(d.errors.map((e) => e.reason).sort()).toEqual(['datagram-overlap', 'ndp-loop']);
  });

  it('the datapath delivers one packet to the link from a 16 KiB looping NTB (was 208,284)', () => {
    let receive: (t: Uint8Array) => void = () => undefined;
    const pipe: DataPipe = { description: 'memory', send: () => undefined, onTransfer: (l) => void (receive = l), onClose: () => undefined, close: async () => undefined, writeDrops: 0, onHold: () => undefined };
    const logs: string[] = [];
    const datapath = new Datapath(pipe, { framing: 'ntb' }, { log: (l) => logs.push(l) });
    const netdev = new MemoryNetdev('wwan0');
    datapath.attach(0, netdev);
    receive(hostileNtb(16384, [12], () => 12));
    expect(netdev.counters.rxPackets).toBe(1);
    expect(datapath.drops().receive).toMatchObject({ 'ndp-loop': 1, 'datagram-overlap': 1 });
    // Many such transfers: every drop counted, the log told only now and then.
    const t = hostileNtb(2048, [12], () => 12);
    for (let i = 1; i < 2000; i++) receive(t);
    expect(datapath.drops().receive).toMatchObject({ 'ndp-loop': 2000, 'datagram-overlap': 2000 });
    expect(logs).toHaveLength(6); // per reason: the 1st, the 1000th, the 2000th
    expect(logs[5]).toMatch(/\(2000 so far\)$/);
  });

  it('for any input of N bytes: datagram bytes ≤ N, no two datagrams overlap', () => {
    const loops = fc
      .tuple(fc.integer({ min: 64, max: 4096 }), fc.array(fc.integer({ min: 3, max: 40 }), { minLength: 1, maxLength: 60 }), fc.array(fc.nat(60), { minLength: 60, maxLength: 60 }))
      .map(([size, words, nexts]) => {
        const ndps = words.map((w) => Math.min(w * 4, size - 40));
        return hostileNtb(size, ndps, (i) => ndps[nexts[i]! % ndps.length]!);
      });
    fc.assert(
      fc.property(fc.oneof(loops, fc.uint8Array({ minLength: 20, maxLength: 2048 })), (bytes) => {
        const d = new NtbDecoder({ rxMax: 65536 });
        const spans: [number, number][] = [];
        d.decapsulate(bytes, { packet: (_l, v) => spans.push([v.byteOffset - bytes.byteOffset, v.length]) });
        expect(spans.reduce((s, [, n]) => s + n, 0)).toBeLessThanOrEqual(bytes.length);
        spans.sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![0] + spans[i - 1]![1]);
      }),
      { numRuns: 300 },
    );
  });
});
