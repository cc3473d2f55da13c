import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/wire/index.js';
import { ipLink } from '../../src/mux/framing.js';
import { QmimuxDecoder, qmimuxEncoder } from '../../src/mux/qmimux.js';
import { RAW_IP_LINK, RawIpDecoder, RawIpEncoder } from '../../src/mux/raw-ip.js';
import { collector, concat, ipv4, ipv6 } from './helpers.js';

function decode(bytes: Uint8Array) {
  const d = new QmimuxDecoder();
  const got = collector();
  d.decapsulate(bytes, got);
  return { packets: got.packets, drops: got.drops, counts: d.drops };
}

const P28 = ipv4(28, 3);

describe('qmimux receive (qmimux_rx_fixup)', () => {
  it('delivers len − pad bytes of each v1 frame', () => {
    const got = decode(concat([0x02, 0x01, 0x00, 0x1e], P28, [0, 0], [0x00, 0x70, 0x00, 0x1c], ipv6(28)));
    expect(got.packets.map((p) => [p.link.id, p.bytes.length, p.bytes[0]])).toEqual([
      [1, 28, 0x45],
      [0x70, 28, 0x60],
    ]);
    expect(got.drops).toEqual([]);
  });

  it('walks only while offset + 4 < length: a bare trailing header is never looked at', () => {
    const got = decode(concat([0x00, 0x01, 0x00, 0x1c], P28, [0x00, 0x01, 0x00, 0x1c]));
    expect(got.packets).toHaveLength(1);
    expect(got.drops).toEqual([]);
  });

  it('a bogus length aborts the rest; frames before it stay delivered', () => {
    const got = decode(concat([0x00, 0x01, 0x00, 0x1c], P28, [0x00, 0x02, 0x01, 0x00], P28, [0x00, 0x03, 0x00, 0x1c], P28));
    expect(got.packets.map((p) => p.link.id)).toEqual([1]);
    expect(got.drops).toEqual([{ reason: 'bogus-length', offset: 32 }]);
  });

  it('skips command frames, zero lengths (4 bytes on), pad ≥ len, mux ids no qmimux can have, and non-IP', () => {
    const got = decode(
      concat(
        [0x80, 0x01, 0x00, 0x04, 1, 0, 0, 0], // command
        [0x00, 0x00, 0x00, 0x00], // zero length: advances 4 bytes
        [0x04, 0x01, 0x00, 0x04, 0x45, 0, 0, 0], // pad == len
        [0x00, 0x00, 0x00, 0x1c], P28, // mux 0
        [0x00, 0xff, 0x00, 0x1c], P28, // mux 255
        [0x00, 0x01, 0x00, 0x04, 0x12, 0, 0, 0], // not IP
        [0x00, 0x01, 0x00, 0x1c], P28,
      ),
    );
    expect(got.drops.map((d) => d.reason)).toEqual(['command', 'zero-length', 'pad', 'mux-id', 'mux-id', 'not-ip']);
    expect(got.drops.map((d) => d.offset)).toEqual([0, 8, 12, 20, 52, 84]);
    expect(got.packets.map((p) => p.link.id)).toEqual([1]);
  });
});

describe('qmimux transmit', () => {
  it('one unpadded v1 frame per transfer: 00 mux len IP', () => {
    const out: string[] = [];
    const enc = qmimuxEncoder((t) => out.push(toHex(t)));
    enc.send(ipLink(0x70), ipv4(29));
    enc.send(ipLink(1), P28);
    expect(out).toEqual([toHex(concat([0x00, 0x70, 0x00, 0x1d], ipv4(29))), toHex(concat([0x00, 0x01, 0x00, 0x1c], P28))]);
  });

  it('rejects packets over the MTU it was made for', () => {
    const enc = qmimuxEncoder(() => {}, 1500);
    expect(enc.send(ipLink(1), ipv4(1501))).toBe(false);
    expect(enc.drops['too-large']).toBe(1);
  });
});

describe('raw IP', () => {
  it('one packet per transfer, delivered as is when the first nibble is 4 or 6', () => {
    const d = new RawIpDecoder();
    const seen: string[] = [];
    const sink = { packet: (_l: unknown, p: Uint8Array, type: string) => seen.push(`${type}:${p.length}`) };
    d.decapsulate(P28, sink);
    d.decapsulate(ipv6(40), sink);
    d.decapsulate(Uint8Array.of(0x00, 1, 2), sink);
    d.decapsulate(new Uint8Array(0), sink);
    expect(seen).toEqual(['ipv4:28', 'ipv6:40']);
    expect(d.drops['not-ip']).toBe(2);
  });

  it('encapsulation hands the packet itself on, on the single link only', () => {
    const out: Uint8Array[] = [];
    const enc = new RawIpEncoder((t) => out.push(t));
    expect(enc.send(RAW_IP_LINK, P28)).toBe(true);
    expect(out[0]).toBe(P28);
    expect(enc.send(ipLink(1), P28)).toBe(false);
    expect(enc.send(RAW_IP_LINK, new Uint8Array(0))).toBe(false);
    expect(enc.drops).toEqual({ link: 1, empty: 1 });
  });
});
