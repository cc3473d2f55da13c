/**
 * QMAP uplink checksum offload: what the host writes (v4 UL header and the complemented field, v5
 * CSUM_REQUIRED), what the modem does with it, and that a packet crossing both ends up with a
 * checksum an independent check accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/wire/index.js';
import { describeTransfer } from '../../src/mux/describe.js';
import { ipLink } from '../../src/mux/framing.js';
import { QmapBuilder, QmapDecoder, completeQmapChecksum, deferQmapChecksum, qmapEncoder } from '../../src/mux/qmap.js';
import { finishChecksum, type PartialChecksum } from '../../src/wire/checksum.js';
import type { QmapFrameInfo } from '../../src/mux/qmap.js';
import { concat } from './helpers.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const V4_SRC = [10, 0, 0, 1];
const V4_DST = [10, 0, 0, 2];
const V6_SRC = [0xfe, 0x80, ...new Array<number>(13).fill(0), 1];
const V6_DST = [0xfe, 0x80, ...new Array<number>(13).fill(0), 2];

// The checks below are written out here, apart from src/mux/checksum.ts, so they check it too.
function sum16(bytes: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i]! << 8) + (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The pseudo-header as RFC 793/768 (IPv4) and RFC 8200 section 8.1 (IPv6) lay it out. */
function pseudoHeader(src: number[], dst: number[], proto: number, length: number): number[] {
  return src.length === 4
    ? [...src, ...dst, 0, proto, length >> 8, length & 0xff]
    : [...src, ...dst, 0, 0, length >> 8, length & 0xff, 0, 0, 0, proto];
}

interface StackPacket {
  packet: Uint8Array;
  /** Where the TCP/UDP header starts, and its checksum field. */
  l4: number;
  field: number;
  pseudo: number[];
}

interface PacketSpec {
  v6?: boolean;
  proto?: number;
  payload?: ArrayLike<number>;
  src?: number[];
  dst?: number[];
  /** IPv6 extension headers before the transport header: [type, length in 8-byte units beyond the first]. */
  ext?: [number, number][];
  /** IPv4 flags and fragment offset. */
  fragment?: number;
}

/**
 * A packet as the Linux stack hands it down for CHECKSUM_PARTIAL: the TCP/UDP checksum field holds
 * the folded pseudo-header sum, not yet complemented.
 */
function stackPacket({ v6 = false, proto = TCP, payload = [1, 2, 3, 4], src, dst, ext = [], fragment = 0x4000 }: PacketSpec): StackPacket {
  const udp = proto === UDP;
  const l4Header = udp ? [0x30, 0x39, 0x00, 0x35, 0, 0, 0, 0] : [0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
  if (proto !== TCP && proto !== UDP) l4Header.length = 8;
  const l4Length = l4Header.length + payload.length;
  if (udp) [l4Header[4], l4Header[5]] = [l4Length >> 8, l4Length & 0xff];
  const s = src ?? (v6 ? V6_SRC : V4_SRC);
  const d = dst ?? (v6 ? V6_DST : V4_DST);
  let ip: number[];
  if (v6) {
    const types = [...ext.map(([type]) => type), proto];
    const exts = ext.flatMap(([, len], i) => [types[i + 1]!, len, ...new Array<number>(6 + len * 8).fill(0)]);
    const payloadLength = exts.length + l4Length;
    ip = [0x60, 0, 0, 0, payloadLength >> 8, payloadLength & 0xff, types[0]!, 64, ...s, ...d, ...exts];
  } else {
    const total = 20 + l4Length;
    ip = [0x45, 0, total >> 8, total & 0xff, 0, 1, fragment >> 8, fragment & 0xff, 64, proto, 0, 0, ...s, ...d];
    const csum = ~sum16(ip) & 0xffff;
    [ip[10], ip[11]] = [csum >> 8, csum & 0xff];
  }
  const l4 = ip.length;
  const field = l4 + (udp ? 6 : 16);
  const pseudo = pseudoHeader(s, d, proto, l4Length);
  const packet = concat(ip, l4Header, Array.from(payload));
  if (proto === TCP || proto === UDP) [packet[field], packet[field + 1]] = [sum16(pseudo) >> 8, sum16(pseudo) & 0xff];
  return { packet, l4, field, pseudo };
}

/** The receiver's check: pseudo-header plus segment sum to all ones, and UDP never carries zero. */
function checksumVerifies(p: StackPacket, packet: Uint8Array): boolean {
  const field = (packet[p.field]! << 8) | packet[p.field + 1]!;
  return sum16([...p.pseudo, ...packet.subarray(p.l4)]) === 0xffff && field !== 0;
}

const field16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

function withField(packet: Uint8Array, at: number, value: number): Uint8Array {
  const out = packet.slice();
  [out[at], out[at + 1]] = [value >> 8, value & 0xff];
  return out;
}

function uplink(version: 4 | 5, packets: Uint8Array[], mux = 7): Uint8Array {
  const out: Uint8Array[] = [];
  const enc = qmapEncoder({ version, direction: 'uplink', checksumOffload: true, maxBytes: 32768, maxDatagrams: 64 }, (t) => out.push(t.slice()));
  for (const p of packets) expect(enc.send(ipLink(mux), p, true)).toBe(true);
  enc.flush();
  expect(out).toHaveLength(1);
  return out[0]!;
}

/** The simulated modem's side: each uplink packet as received, after completing what was asked. */
function modem(version: 4 | 5, transfer: Uint8Array): { packet: Uint8Array; info: QmapFrameInfo; completed: boolean }[] {
  const got: { packet: Uint8Array; info: QmapFrameInfo; completed: boolean }[] = [];
  new QmapDecoder({ version, direction: 'uplink' }).decapsulate(transfer, {
    packet(_link, view, info) {
      const completed = completeQmapChecksum(view, info, version);
      got.push({ packet: view.slice(), info: { ...info }, completed });
    },
  });
  return got;
}

describe('QMAPv4 uplink checksum offload (host)', () => {
  it('TCP over IPv4: start 20, ENABLED | 16, and the field complemented in the frame', () => {
    const p = stackPacket({});
    // Pseudo-header: 0a00 + 0001 + 0a00 + 0002 + proto 0006 + length 0018 = 1421; the wire carries ~1421.
    expect(field16(p.packet, p.field)).toBe(0x1421);
    expect(toHex(uplink(4, [p.packet]))).toBe(toHex(concat([0x00, 0x07, 0x00, 0x2c, 0x00, 0x14, 0x80, 0x10], withField(p.packet, p.field, 0xebde))));
  });

  it('UDP over IPv4: the UDP flag and insert offset 6', () => {
    const p = stackPacket({ proto: UDP });
    expect(field16(p.packet, p.field)).toBe(0x1420);
    expect(toHex(uplink(4, [p.packet]))).toBe(toHex(concat([0x00, 0x07, 0x00, 0x20, 0x00, 0x14, 0xc0, 0x06], withField(p.packet, p.field, 0xebdf))));
  });

  it('TCP and UDP over IPv6: start 40', () => {
    const tcp = stackPacket({ v6: true });
    const udp = stackPacket({ v6: true, proto: UDP });
    // fe80 + 0001 + fe80 + 0002 + 0018 + 0006 = 1fd21, folded fd22; UDP: length 000c, proto 0011 → fd21.
    expect([field16(tcp.packet, tcp.field), field16(udp.packet, udp.field)]).toEqual([0xfd22, 0xfd21]);
    expect(toHex(uplink(4, [tcp.packet, udp.packet]))).toBe(
      toHex(
        concat(
          [0x00, 0x07, 0x00, 0x40, 0x00, 0x28, 0x80, 0x10],
          withField(tcp.packet, tcp.field, 0x02dd),
          [0x00, 0x07, 0x00, 0x34, 0x00, 0x28, 0xc0, 0x06],
          withField(udp.packet, udp.field, 0x02de),
        ),
      ),
    );
  });

  it('IPv6 with hop-by-hop and destination options: the start offset counts them', () => {
    const p = stackPacket({ v6: true, ext: [[0, 0], [60, 1]] });
    expect(p.l4).toBe(40 + 8 + 16);
    const t = uplink(4, [p.packet]);
    expect(toHex(t.subarray(4, 8))).toBe('00 40 80 10');
    expect(toHex(t.subarray(8))).toBe(toHex(withField(p.packet, p.field, ~0xfd22 & 0xffff)));
  });

  it('the complement is ~field of what the stack left, in the frame only: the caller keeps its packet', () => {
    for (const value of [0x0000, 0xffff, 0x1234, 0x8001]) {
      const p = stackPacket({});
      const original = withField(p.packet, p.field, value);
      const sent = original.slice();
      const t = uplink(4, [sent]);
      expect(field16(t, 8 + p.field)).toBe(~value & 0xffff);
      expect(sent).toEqual(original);
    }
  });

  it('no offload for what the modem cannot finish: the header stays zero and the packet as it was', () => {
    const cases = [
      stackPacket({ proto: ICMP }), // not TCP/UDP
      stackPacket({ fragment: 0x2000 }), // IPv4 more-fragments
      stackPacket({ fragment: 0x0010 }), // IPv4 fragment offset
      stackPacket({ v6: true, ext: [[43, 0]] }), // routing header: the pseudo-header's destination moves
      stackPacket({ v6: true, ext: [[0, 0], [44, 0]] }), // fragment header after hop-by-hop
      stackPacket({ v6: true, proto: 58 }), // ICMPv6
    ];
    for (const p of cases) {
      const t = uplink(4, [p.packet]);
      expect(toHex(t.subarray(4, 8))).toBe('00 00 00 00');
      expect(t.subarray(8)).toEqual(p.packet);
      expect(modem(4, t)[0]!.completed).toBe(false);
    }
  });

  it('a packet too short for its transport header is sent without offload', () => {
    const p = stackPacket({ payload: [] });
    const t = uplink(4, [p.packet.subarray(0, 20 + 19)]);
    expect(toHex(t.subarray(4, 8))).toBe('00 00 00 00');
  });

  it('describeTransfer shows the header fields of uplink v4 frames', () => {
    const t = uplink(4, [stackPacket({ proto: UDP }).packet, stackPacket({ proto: ICMP }).packet]);
    const d = describeTransfer('qmap', t, { qmapVersion: 4, qmapDirection: 'uplink' });
    expect(d.packets.map(({ checksum, checksumStart, checksumInsert, checksumUdp }) => ({ checksum, checksumStart, checksumInsert, checksumUdp }))).toEqual([
      { checksum: 'requested', checksumStart: 20, checksumInsert: 6, checksumUdp: true },
      { checksum: 'none', checksumStart: 0, checksumInsert: 0, checksumUdp: false },
    ]);
  });

  it('offload is an uplink v4/v5 option', () => {
    expect(() => new QmapBuilder({ version: 1, direction: 'uplink', checksumOffload: true }, 4096)).toThrow(RangeError);
    expect(() => new QmapBuilder({ version: 5, direction: 'downlink', checksumOffload: true }, 4096)).toThrow(RangeError);
  });
});

describe('QMAPv5 uplink checksum offload (host)', () => {
  it('CSUM_REQUIRED (0x80) for TCP/UDP, the packet unchanged', () => {
    const tcp = stackPacket({});
    const udp = stackPacket({ v6: true, proto: UDP, ext: [[0, 0]] });
    expect(toHex(uplink(5, [tcp.packet, udp.packet], 254))).toBe(
      toHex(concat([0x40, 0xfe, 0x00, 0x2c, 0x04, 0x80, 0x00, 0x00], tcp.packet, [0x40, 0xfe, 0x00, 0x3c, 0x04, 0x80, 0x00, 0x00], udp.packet)),
    );
  });

  it('`04 00 00 00` for the rest', () => {
    const p = stackPacket({ proto: ICMP });
    expect(toHex(uplink(5, [p.packet]).subarray(0, 8))).toBe('40 07 00 20 04 00 00 00');
  });
});

describe('the modem finishing the checksum', () => {
  it('v4 and v5, TCP and UDP, IPv4 and IPv6: the checksum verifies and nothing else changes', () => {
    const specs: PacketSpec[] = [{}, { proto: UDP }, { v6: true }, { v6: true, proto: UDP }, { v6: true, ext: [[0, 2]] }];
    for (const version of [4, 5] as const) {
      const sent = specs.map(stackPacket);
      const got = modem(version, uplink(version, sent.map((s) => s.packet)));
      got.forEach(({ packet, completed }, i) => {
        const s = sent[i]!;
        expect(completed).toBe(true);
        expect(checksumVerifies(s, packet)).toBe(true);
        expect(withField(packet, s.field, 0)).toEqual(withField(s.packet, s.field, 0));
      });
    }
  });

  it('v4 follows the header fields, not its own reading of the packet', () => {
    const p = stackPacket({ proto: UDP, payload: new Array<number>(12).fill(5) });
    // A UDP datagram the header calls TCP: the modem writes at start + 16 and sums as TCP.
    const t = concat([0x00, 0x01, 0x00, 0x28, 0x00, 0x14, 0x80, 0x10], p.packet);
    const [got] = modem(4, t);
    expect(got!.completed).toBe(true);
    const asTcp = { ...p, field: p.l4 + 16, pseudo: pseudoHeader(V4_SRC, V4_DST, TCP, 20) };
    expect(checksumVerifies(asTcp, got!.packet)).toBe(true);
  });

  it('v4 requests that do not fit the packet are refused and leave it alone', () => {
    const p = stackPacket({});
    for (const header of [
      [0x00, 0x10, 0x80, 0x10], // start inside the IP header
      [0x00, 0x14, 0x80, 0x30], // field past the end
    ]) {
      const [got] = modem(4, concat([0x00, 0x01, 0x00, 0x2c], header, p.packet));
      expect(got!.completed).toBe(false);
      expect(got!.packet).toEqual(p.packet);
    }
  });

  it('frames that asked for nothing are left alone', () => {
    const p = stackPacket({});
    const [got] = modem(5, concat([0x40, 0x01, 0x00, 0x2c, 0x04, 0x00, 0x00, 0x00], p.packet));
    expect(got!.completed).toBe(false);
    expect(got!.packet).toEqual(p.packet);
  });

  it('a UDP checksum that computes to zero is sent as ffff', () => {
    const p = stackPacket({ proto: UDP, payload: [0, 0] });
    // Pick the payload word that makes the whole sum all ones, so the checksum computes to 0.
    const rest = sum16([...p.pseudo, ...withField(p.packet, p.field, 0).subarray(p.l4)]);
    const packet = withField(p.packet, p.l4 + 8, ~rest & 0xffff);
    const [got] = modem(5, uplink(5, [packet]));
    expect(field16(got!.packet, p.field)).toBe(0xffff);
    expect(checksumVerifies(p, got!.packet)).toBe(true);
  });

  it('end to end: host offload → modem → the modem sends it back down → the host receives a valid checksum', () => {
    const sent = [stackPacket({ payload: [9, 8, 7] }), stackPacket({ v6: true, proto: UDP, ext: [[60, 0]] })];
    const down: Uint8Array[] = [];
    const dl = qmapEncoder({ version: 4, direction: 'downlink', maxBytes: 32768, maxDatagrams: 8 }, (t) => down.push(t.slice()));
    new QmapDecoder({ version: 4, direction: 'uplink' }).decapsulate(uplink(4, sent.map((s) => s.packet)), {
      packet(link, view, info) {
        expect(completeQmapChecksum(view, info, 4)).toBe(true);
        dl.send(link, view);
      },
    });
    dl.flush();
    const received: Uint8Array[] = [];
    new QmapDecoder({ version: 4, direction: 'downlink' }).decapsulate(down[0]!, {
      packet(_link, view, info) {
        expect(info.checksum).toBe('valid');
        received.push(view.slice());
      },
    });
    expect(received.map((packet, i) => checksumVerifies(sent[i]!, packet))).toEqual([true, true]);
  });
});

describe('property: any TCP/UDP packet offloaded by the host and finished by the modem has a valid checksum', () => {
  const address = (v6: boolean) => fc.uint8Array({ minLength: v6 ? 16 : 4, maxLength: v6 ? 16 : 4 }).map((a) => Array.from(a));
  const spec: fc.Arbitrary<PacketSpec> = fc.boolean().chain((v6) =>
    fc.record({
      v6: fc.constant(v6),
      proto: fc.constantFrom(TCP, UDP),
      payload: fc.uint8Array({ maxLength: 1400 }),
      src: address(v6),
      dst: address(v6),
      ext: v6 ? fc.array(fc.tuple(fc.constantFrom(0, 60), fc.nat(3)), { maxLength: 2 }) : fc.constant([]),
    }),
  );

  it('for v4 and v5, in aggregates', () => {
    fc.assert(
      fc.property(fc.constantFrom(4 as const, 5 as const), fc.array(spec, { minLength: 1, maxLength: 8 }), (version, specs) => {
        const sent = specs.map(stackPacket);
        const got = modem(version, uplink(version, sent.map((s) => s.packet)));
        expect(got).toHaveLength(sent.length);
        got.forEach(({ packet, completed }, i) => {
          expect(completed).toBe(true);
          expect(checksumVerifies(sent[i]!, packet)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('the modem handing the checksum on (deferQmapChecksum)', () => {
  it('leaves the pseudo-header sum where it asked, and finishing it there gives what completing gives, whatever the host left in the field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<4 | 5>(4, 5),
        fc.constantFrom<PacketSpec>({}, { proto: UDP }, { v6: true }, { v6: true, proto: UDP }, { v6: true, ext: [[0, 1]] }, { v6: true, proto: UDP, ext: [[60, 0]] }),
        fc.uint8Array({ maxLength: 1500 }),
        fc.nat({ max: 0xffff }),
        (version, spec, payload, garbage) => {
          const s = stackPacket({ ...spec, payload });
          const sent = withField(s.packet, s.field, garbage);
          const completed = modem(version, uplink(version, [sent]))[0]!.packet;
          const deferred: { packet: Uint8Array; partial: PartialChecksum }[] = [];
          new QmapDecoder({ version, direction: 'uplink' }).decapsulate(uplink(version, [sent]), {
            packet(_link, view, info) {
              const partial = { start: 0, offset: 0 };
              expect(deferQmapChecksum(view, info, version, partial)).toBe(true);
              deferred.push({ packet: view.slice(), partial });
            },
          });
          const [{ packet, partial }] = deferred as [(typeof deferred)[0]];
          expect(partial).toEqual({ start: s.l4, offset: s.field - s.l4 });
          expect(field16(packet, s.field)).toBe(sum16(s.pseudo));
          finishChecksum(packet, partial.start, partial.offset);
          expect(toHex(packet)).toBe(toHex(completed));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('defers nothing the modem would not finish, nor a v4 request whose field is not the transport\'s own', () => {
    const icmp = stackPacket({ proto: ICMP });
    const partial = { start: 0, offset: 0 };
    for (const version of [4, 5] as const) {
      new QmapDecoder({ version, direction: 'uplink' }).decapsulate(uplink(version, [icmp.packet]), {
        packet: (_l, view, info) => expect(deferQmapChecksum(view, info, version, partial)).toBe(false),
      });
    }
    // A v4 header asking for a TCP checksum at offset 10: completed (as asked), never handed on.
    const p = stackPacket({});
    new QmapDecoder({ version: 4, direction: 'uplink' }).decapsulate(concat([0x00, 0x01, 0x00, 0x2c, 0x00, 0x14, 0x80, 0x0a], p.packet), {
      packet: (_l, view, info) => expect(deferQmapChecksum(view, info, 4, partial)).toBe(false),
    });
    expect(partial).toEqual({ start: 0, offset: 0 });
  });
});
