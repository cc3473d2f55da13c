import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/wire/index.js';
import { dssLink, ipLink } from '../../src/mux/framing.js';
import type { Link } from '../../src/mux/framing.js';
import {
  NtbDecoder,
  linkToMbimVlan,
  mbimVlanToLink,
  ntbEncoder,
  ntbTxParameters,
} from '../../src/mux/ntb.js';
import type { NtbEncoderOptions } from '../../src/mux/ntb.js';
import { collector, concat, ipv4, ipv6 } from './helpers.js';

const P20 = ipv4(20, 5);
const IPS = 0x00535049;
const DSS = 0x00535344;
const NCM0 = 0x304d434e;

function encode(options: NtbEncoderOptions, packets: [Link, Uint8Array][]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const enc = ntbEncoder(options, (t) => out.push(t.slice()));
  for (const [link, p] of packets) expect(enc.send(link, p)).toBe(true);
  enc.flush();
  return out;
}

function decode(bytes: Uint8Array, rxMax?: number) {
  const d = new NtbDecoder({ rxMax });
  const got = collector();
  d.decapsulate(bytes, got);
  return { packets: got.packets, drops: got.drops, ids: got.packets.map((p) => `${p.link.kind}${p.link.id}`) };
}

/** A hand-made NTB16: NDPs of one entry each (plus terminator) chained in order, datagrams after. */
function handNtb(ndps: { signature: number; index: number; length: number }[], datagrams: Uint8Array, tailPad = 0): Uint8Array {
  const ndpAt = (i: number): number => 12 + i * 16;
  const dataAt = 12 + ndps.length * 16;
  const b = new Uint8Array(dataAt + datagrams.length + tailPad);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x484d434e, true);
  dv.setUint16(4, 12, true);
  dv.setUint16(8, b.length, true);
  dv.setUint16(10, ndps.length ? 12 : 0, true);
  ndps.forEach((n, i) => {
    dv.setUint32(ndpAt(i), n.signature >>> 0, true);
    dv.setUint16(ndpAt(i) + 4, 16, true);
    dv.setUint16(ndpAt(i) + 6, i + 1 < ndps.length ? ndpAt(i + 1) : 0, true);
    dv.setUint16(ndpAt(i) + 8, n.index === 0 ? 0 : dataAt + n.index, true);
    dv.setUint16(ndpAt(i) + 10, n.length, true);
  });
  b.set(datagrams, dataAt);
  return b;
}

describe('NTB transmit layout (cdc_ncm_fill_tx_frame)', () => {
  it('NTH16, a maximum-size zeroed NDP16 reserved for the session, then the aligned datagram', () => {
    const [t] = encode({ maxBytes: 256, maxDatagrams: 2 }, [[ipLink(0), P20]]);
    expect(toHex(t!)).toBe(
      toHex(
        concat(
          [0x4e, 0x43, 0x4d, 0x48, 0x0c, 0x00, 0x00, 0x00, 0x34, 0x00, 0x0c, 0x00],
          [0x49, 0x50, 0x53, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00, 0x14, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
          P20,
        ),
      ),
    );
  });

  it('NTH32/NDP32 with "ncmh" and "ips"', () => {
    const [t] = encode({ format: 32, maxBytes: 256, maxDatagrams: 1 }, [[ipLink(0), P20]]);
    expect(toHex(t!)).toBe(
      toHex(
        concat(
          [0x6e, 0x63, 0x6d, 0x68, 0x10, 0x00, 0x00, 0x00, 0x44, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00],
          [0x69, 0x70, 0x73, 0x00, 0x20, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
          [0x30, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
          P20,
        ),
      ),
    );
    expect(decode(t!).ids).toEqual(['ip0']);
  });

  it('one NDP per session, chained by wNextNdpIndex; datagrams aligned by divisor and remainder', () => {
    const [t] = encode({ maxBytes: 2048, divisor: 8, remainder: 2, ndpAlignment: 16, maxDatagrams: 4 }, [
      [ipLink(0), P20],
      [dssLink(3), Uint8Array.of(1, 2, 3)],
      [ipLink(0), ipv6(40)],
    ]);
    const got = decode(t!);
    expect(got.ids).toEqual(['ip0', 'ip0', 'dss3']);
    for (const p of got.packets) expect((p.view.byteOffset - t!.byteOffset) % 8).toBe(2);
    const dv = new DataView(t!.buffer, t!.byteOffset);
    const first = dv.getUint16(10, true);
    const second = dv.getUint16(first + 6, true);
    expect([first % 16, second % 16]).toEqual([0, 0]);
    expect(dv.getUint32(second, true)).toBe((DSS | (3 << 24)) >>> 0);
    expect(dv.getUint16(first + 4, true)).toBe(8 + 4 * 3); // two entries and the terminator
    expect(dv.getUint16(6, true)).toBe(0); // wSequence of the first NTB
  });

  it('NDP at the end: datagrams first, one NDP after them, one session per NTB', () => {
    const out = encode({ maxBytes: 256, maxDatagrams: 2, ndpToEnd: true }, [
      [ipLink(1), P20],
      [ipLink(1), P20],
      [ipLink(2), P20],
    ]);
    expect(out).toHaveLength(2);
    expect(toHex(out[0]!)).toBe(
      toHex(
        concat(
          [0x4e, 0x43, 0x4d, 0x48, 0x0c, 0x00, 0x00, 0x00, 0x48, 0x00, 0x34, 0x00],
          P20,
          P20,
          [0x49, 0x50, 0x53, 0x01, 0x14, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x14, 0x00, 0x20, 0x00, 0x14, 0x00, 0, 0, 0, 0],
        ),
      ),
    );
    expect(decode(out[1]!).ids).toEqual(['ip2']);
    expect(new DataView(out[1]!.buffer).getUint16(6, true)).toBe(1); // wSequence counts NTBs
  });

  it('flushes at max datagrams and when the next datagram (with its NDP) would not fit', () => {
    const counts = (o: NtbEncoderOptions, n: number, size: number) =>
      encode(o, Array.from({ length: n }, (): [Link, Uint8Array] => [ipLink(0), ipv4(size)])).map((t) => decode(t).packets.length);
    expect(counts({ maxBytes: 16384, maxDatagrams: 3 }, 7, 100)).toEqual([3, 3, 1]);
    expect(counts({ maxBytes: 2048, maxDatagrams: 40 }, 5, 600)).toEqual([3, 2]);
  });

  it('refuses empty packets and IPS packets the receiver would reject', () => {
    const enc = ntbEncoder({}, () => {});
    expect(enc.send(ipLink(0), new Uint8Array(0))).toBe(false);
    expect(enc.send(ipLink(0), ipv4(19))).toBe(false);
    expect(enc.send(ipLink(0), Uint8Array.from(new Uint8Array(40).fill(0x11)))).toBe(false);
    expect(enc.send(dssLink(0), Uint8Array.of(0x11))).toBe(true);
    expect(enc.send(ipLink(0), ipv4(20000))).toBe(false);
    expect(enc.drops).toEqual({ empty: 1, 'not-ip': 2, 'too-large': 1 });
  });

  it('sanitises the Out parameters as cdc_ncm does', () => {
    expect(ntbTxParameters({ divisor: 3, ndpAlignment: 2, remainder: 9, maxDatagrams: 0 })).toMatchObject({
      divisor: 4,
      ndpAlignment: 4,
      remainder: 0,
      maxDatagrams: 40,
    });
    expect(ntbTxParameters({ divisor: 16, remainder: 14, maxDatagrams: 41 })).toMatchObject({ remainder: 14, maxDatagrams: 40 });
    expect(ntbTxParameters({ divisor: 32768, maxBytes: 16384 }).divisor).toBe(4);
    expect(ntbTxParameters({ maxBytes: 100000 }).maxBytes).toBe(0xffff);
  });
});

describe('NTB receive checks (cdc_ncm_rx_verify_*, cdc_mbim_rx_fixup)', () => {
  it("decodes mhi_wwan_mbim's one-datagram NTB (28-byte header, session 5)", () => {
    const t = concat(
      [0x4e, 0x43, 0x4d, 0x48, 0x0c, 0x00, 0x07, 0x00, 0x30, 0x00, 0x0c, 0x00],
      [0x49, 0x50, 0x53, 0x05, 0x10, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x14, 0x00, 0, 0, 0, 0],
      P20,
    );
    const got = decode(t);
    expect(got.ids).toEqual(['ip5']);
    expect(got.packets[0]!.view.buffer).toBe(t.buffer);
  });

  const one = handNtb([{ signature: IPS, index: 1, length: 20 }], concat([0], P20));

  it('the NTH: too short, wrong signature, block length over rx_max drop the transfer', () => {
    expect(decode(one.subarray(0, 19)).drops).toEqual([{ reason: 'short', offset: 0 }]);
    const ncmh = one.slice();
    ncmh[3] = 0x68;
    expect(decode(ncmh).drops).toEqual([{ reason: 'nth-signature', offset: 0 }]);
    expect(decode(one, one.length - 1).drops).toEqual([{ reason: 'block-length', offset: 8 }]);
    // wBlockLength is not compared with the transfer: a longer claim within rx_max passes.
    const longer = one.slice();
    longer[8] = 0xff;
    expect(decode(longer).ids).toEqual(['ip0']);
  });

  it('the NDP: past the end, wLength under 16, entries past the transfer stop processing', () => {
    const past = one.slice();
    past[10] = one.length - 4;
    expect(decode(past).drops.map((d) => d.reason)).toEqual(['ndp-offset']);
    const shortNdp = one.slice();
    shortNdp[16] = 0x0c;
    expect(decode(shortNdp).drops.map((d) => d.reason)).toEqual(['ndp-length']);
    const many = one.slice();
    many[16] = 0xff; // (255 − 8)/4 − 1 = 60 entries: 8 + 240 > length
    expect(decode(many).drops.map((d) => d.reason)).toEqual(['ndp-entries']);
    // Within Linux's non-relative bound but running past the end from where the NDP sits.
    const late = concat(one, new Uint8Array(36));
    late[18] = one.length + 20; // chained from the first NDP
    // A DSS NDP whose two readable entries point at distinct bytes of the padding.
    late.set([0x44, 0x53, 0x53, 0x00, 0x28, 0x00, 0x00, 0x00, one.length, 0x00, 0x04, 0x00, one.length + 4, 0x00, 0x04, 0x00], one.length + 20);
    const got = decode(late);
    expect(got.ids).toEqual(['ip0', 'dss0', 'dss0']);
    expect(got.drops.map((d) => d.reason)).toEqual(['ndp-entries']);
  });

  it('an NDP that is not IPS/DSS (NCM0 here) is skipped; the next one is read', () => {
    const t = handNtb(
      [
        { signature: NCM0, index: 1, length: 20 },
        { signature: IPS | (1 << 24), index: 1, length: 20 },
      ],
      concat([0], P20),
    );
    const got = decode(t);
    expect(got.ids).toEqual(['ip1']);
    expect(got.drops.map((d) => d.reason)).toEqual(['ndp-signature']);
  });

  it('an NDP whose first entry is the terminator is skipped', () => {
    const t = handNtb(
      [
        { signature: IPS, index: 0, length: 0 },
        { signature: IPS | (2 << 24), index: 1, length: 20 },
      ],
      concat([0], P20),
    );
    expect(decode(t).ids).toEqual(['ip2']);
    expect(decode(t).drops.map((d) => d.reason)).toEqual(['empty-ndp']);
  });

  it('a datagram past the transfer or over rx_max ends its NDP; later NDPs are still read', () => {
    const t = handNtb(
      [
        { signature: IPS, index: 1, length: 200 },
        { signature: IPS | (2 << 24), index: 1, length: 20 },
      ],
      concat([0], P20),
    );
    expect(decode(t).ids).toEqual(['ip2']);
    expect(decode(t).drops.map((d) => d.reason)).toEqual(['datagram-bounds']);
    expect(decode(one, 19).drops.map((d) => d.reason)).toEqual(['block-length']);
    const big = handNtb([{ signature: IPS, index: 1, length: 20 }], concat([0], P20));
    new DataView(big.buffer).setUint16(8, 40, true);
    expect(decode(big, 40).ids).toEqual(['ip0']);
    expect(decode(handNtb([{ signature: IPS, index: 1, length: 20 }], concat([0], P20), 30), 21).drops[0]!.reason).toBe(
      'block-length',
    );
  });

  it('a bad entry after a good one stops that NDP only', () => {
    // Two entries in one NDP: the second points past the end.
    const t = concat(
      [0x4e, 0x43, 0x4d, 0x48, 0x0c, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x0c, 0x00],
      [0x49, 0x50, 0x53, 0x00, 0x14, 0x00, 0x00, 0x00, 0x20, 0x00, 0x14, 0x00, 0x20, 0x00, 0xff, 0x00, 0, 0, 0, 0],
      P20,
    );
    const got = decode(t);
    expect(got.ids).toEqual(['ip0']);
    expect(got.drops).toEqual([{ reason: 'datagram-bounds', offset: 24 }]);
  });

  it('an IPS datagram under 20 bytes or not IPv4/IPv6 abandons the rest of the NTB; DSS is not checked', () => {
    const bad = Uint8Array.from(new Uint8Array(20).fill(0x11));
    const t = handNtb(
      [
        { signature: DSS | (4 << 24), index: 1, length: 3 },
        { signature: IPS, index: 24, length: 20 },
        { signature: IPS | (1 << 24), index: 4, length: 20 },
      ],
      concat([0], [0x11, 0x22, 0x33], P20, bad),
    );
    const got = decode(t);
    expect(got.ids).toEqual(['dss4']);
    expect(toHex(got.packets[0]!.bytes)).toBe('11 22 33');
    expect(got.drops.map((d) => d.reason)).toEqual(['not-ip']);
    const short = handNtb([{ signature: IPS, index: 1, length: 19 }], concat([0], P20));
    expect(decode(short).drops.map((d) => d.reason)).toEqual(['not-ip']);
  });

  it('follows wNextNdpIndex at most 50 times: 51 NDPs are read, the 52nd is not', () => {
    const ndps = Array.from({ length: 52 }, (_, i) => ({ signature: (IPS | (i << 24)) >>> 0, index: 1 + i * 20, length: 20 }));
    const got = decode(handNtb(ndps, concat([0], ...ndps.map(() => P20))), 65535);
    expect(got.packets).toHaveLength(51);
    expect(got.drops.map((d) => d.reason)).toEqual(['ndp-chain']);
  });

  it('stops at an NDP the chain already visited, and never hands out a datagram twice', () => {
    const loop = one.slice();
    loop[18] = 12; // the NDP points at itself
    const looped = decode(loop);
    expect(looped.packets).toHaveLength(1);
    expect(looped.drops.map((d) => d.reason)).toEqual(['ndp-loop']);
    // Two NDPs naming the same datagram: the second's entry is an overlap, and the rest of that NDP is skipped.
    const twice = decode(handNtb([{ signature: IPS, index: 1, length: 20 }, { signature: IPS | (1 << 24), index: 11, length: 20 }], concat([0], P20, P20)));
    expect(twice.ids).toEqual(['ip0']);
    expect(twice.drops.map((d) => d.reason)).toEqual(['datagram-overlap']);
  });
});

describe('cdc_mbim VLAN ↔ session mapping', () => {
  it('TX: untagged or 4094 → IPS0, 1..255 → IPS n, 256..511 → DSS n−256, the rest rejected', () => {
    expect(mbimVlanToLink(null)).toBe(ipLink(0));
    expect(mbimVlanToLink(4094)).toBe(ipLink(0));
    expect(mbimVlanToLink(1)).toBe(ipLink(1));
    expect(mbimVlanToLink(255)).toBe(ipLink(255));
    expect(mbimVlanToLink(256)).toBe(dssLink(0));
    expect(mbimVlanToLink(511)).toBe(dssLink(255));
    for (const vid of [512, 1000, 4093, 4095]) expect(mbimVlanToLink(vid)).toBeNull();
  });

  it('once VLAN 4094 exists, untagged frames are dropped and IPS0 arrives on 4094', () => {
    expect(mbimVlanToLink(null, true)).toBeNull();
    expect(mbimVlanToLink(4094, true)).toBe(ipLink(0));
    expect(linkToMbimVlan(ipLink(0))).toBeNull();
    expect(linkToMbimVlan(ipLink(0), true)).toBe(4094);
    expect(linkToMbimVlan(ipLink(7))).toBe(7);
    expect(linkToMbimVlan(dssLink(2))).toBe(258);
  });
});
