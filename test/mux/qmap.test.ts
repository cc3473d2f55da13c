import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/index.js';
import { ipLink } from '../../src/mux/framing.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import {
  QMAP_FLOW_DISABLE,
  QMAP_FLOW_ENABLE,
  QmapDecoder,
  RMNET_UPLINK_AGGREGATION,
  encodeQmapCommand,
  parseQmapCommand,
  qmapCommandAck,
  qmapEncoder,
} from '../../src/mux/qmap.js';
import type { QmapFormat, QmapFrameInfo, QmapSink } from '../../src/mux/qmap.js';
import type { Link } from '../../src/mux/framing.js';
import { ManualClock, collector, concat, ipv4, ipv6 } from './helpers.js';

const DL = (version: 1 | 4 | 5): QmapFormat => ({ version, direction: 'downlink' });
const UL = (version: 1 | 4 | 5): QmapFormat => ({ version, direction: 'uplink' });

function decode(format: QmapFormat, bytes: Uint8Array, withCommands = false) {
  const d = new QmapDecoder(format);
  const got = collector();
  const infos: QmapFrameInfo[] = [];
  const commands: { link: Link; frame: Uint8Array }[] = [];
  const sink: QmapSink = {
    packet: (link, view, info) => {
      got.packet(link, view);
      infos.push({ ...info });
    },
    drop: got.drop,
  };
  if (withCommands) sink.command = (link, frame) => commands.push({ link, frame: frame.slice() });
  d.decapsulate(bytes, sink);
  return { ...got, infos, commands, drops: got.drops, counts: d.drops };
}

function encodeAll(format: QmapFormat, packets: [number, Uint8Array][], maxDatagrams = 64): Uint8Array[] {
  const out: Uint8Array[] = [];
  const enc = qmapEncoder({ ...format, maxBytes: 32768, maxDatagrams }, (t) => out.push(t.slice()));
  for (const [mux, p] of packets) expect(enc.send(ipLink(mux), p)).toBe(true);
  enc.flush();
  return out;
}

const P29 = ipv4(29, 1);
const P28 = ipv6(28, 2);

describe('QMAP uplink frames (rmnet egress: no pad)', () => {
  it('v1: MAP header with pkt_len = IP length and no pad, even for odd lengths', () => {
    const [t] = encodeAll(UL(1), [[1, P29], [2, P28]]);
    expect(toHex(t!)).toBe(toHex(concat([0x00, 0x01, 0x00, 0x1d], P29, [0x00, 0x02, 0x00, 0x1c], P28)));
  });

  it('v4: a zero UL checksum header between MAP header and IP, excluded from pkt_len', () => {
    const [t] = encodeAll(UL(4), [[7, P29]]);
    expect(toHex(t!)).toBe(toHex(concat([0x00, 0x07, 0x00, 0x1d, 0, 0, 0, 0], P29)));
  });

  it('v5: NEXT_HEADER set and `04 00 00 00` after the MAP header', () => {
    const [t] = encodeAll(UL(5), [[254, P29]]);
    expect(toHex(t!)).toBe(toHex(concat([0x40, 0xfe, 0x00, 0x1d, 0x04, 0x00, 0x00, 0x00], P29)));
  });
});

describe('QMAP downlink frames (the modem: pad to 4)', () => {
  it('v1: PAD_LEN and zero pad bytes, pkt_len includes the pad', () => {
    const [t] = encodeAll(DL(1), [[1, P29], [1, P28]]);
    expect(toHex(t!)).toBe(toHex(concat([0x03, 0x01, 0x00, 0x20], P29, [0, 0, 0], [0x00, 0x01, 0x00, 0x1c], P28)));
  });

  it('v4: a VALID trailer after the pad, carrying the Internet checksum of the IP packet', () => {
    const [t] = encodeAll(DL(4), [[3, P29]]);
    const csum = internetChecksum(P29);
    expect(toHex(t!)).toBe(
      toHex(concat([0x03, 0x03, 0x00, 0x20], P29, [0, 0, 0], [0x00, 0x01, 0x00, 0x00, 0x00, 0x1d, csum >> 8, csum & 0xff])),
    );
    const got = decode(DL(4), t!);
    expect(got.infos[0]).toMatchObject({ checksum: 'valid', checksumValue: csum, pad: 3 });
  });

  it('v5: `04 80 00 00` after a MAP header with NEXT_HEADER and PAD_LEN', () => {
    const [t] = encodeAll(DL(5), [[9, P29]]);
    expect(toHex(t!)).toBe(toHex(concat([0x43, 0x09, 0x00, 0x20, 0x04, 0x80, 0x00, 0x00], P29, [0, 0, 0])));
    expect(decode(DL(5), t!).infos[0]).toMatchObject({ checksum: 'valid', pad: 3 });
  });

  it('the Internet checksum is RFC 1071 (odd trailing byte padded with zero)', () => {
    expect(internetChecksum(fromHex('45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7')!)).toBe(0xb861);
    expect(internetChecksum(Uint8Array.of(0x01))).toBe(0xfeff);
  });
});

describe('QMAP deaggregation (rmnet_map_deaggregate)', () => {
  it('splits back-to-back frames and trims the pad, typing by first nibble', () => {
    const t = concat([0x03, 0x01, 0x00, 0x20], P29, [0, 0, 0], [0x00, 0x02, 0x00, 0x1c], P28);
    const got = decode(DL(1), t);
    expect(got.packets.map((p) => [p.link.id, toHex(p.bytes)])).toEqual([
      [1, toHex(P29)],
      [2, toHex(P28)],
    ]);
    expect(got.packets[0]!.view.buffer).toBe(t.buffer); // a view, not a copy
    expect(got.drops).toEqual([]);
  });

  it('a zero pkt_len ends the aggregate cleanly (zero-filled tail)', () => {
    const t = concat([0x00, 0x01, 0x00, 0x1c], P28, new Uint8Array(64), [0x00, 0x01, 0x00, 0x1c], P28);
    const got = decode(DL(1), t);
    expect(got.packets).toHaveLength(1);
    expect(got.drops).toEqual([]);
  });

  it('fewer than 4 bytes left: stop, counted as truncated', () => {
    const got = decode(DL(1), concat([0x00, 0x01, 0x00, 0x1c], P28, [0x00, 0x01, 0x00]));
    expect(got.packets).toHaveLength(1);
    expect(got.drops).toEqual([{ reason: 'truncated', offset: 32 }]);
  });

  it('a frame longer than what is left: stop; frames already out stay delivered; no resync', () => {
    const t = concat([0x00, 0x01, 0x00, 0x1c], P28, [0x00, 0x02, 0x00, 0x40], P28, [0x00, 0x03, 0x00, 0x1c], P28);
    const got = decode(DL(1), t);
    expect(got.packets.map((p) => p.link.id)).toEqual([1]);
    expect(got.drops).toEqual([{ reason: 'truncated', offset: 32 }]);
  });

  it('v4 adds 8 trailer bytes to every frame: a missing trailer truncates', () => {
    const trailer = [0, 1, 0, 0, 0, 0x1c, 0, 0];
    const ok = decode(DL(4), concat([0x00, 0x01, 0x00, 0x1c], P28, trailer, [0x00, 0x02, 0x00, 0x1c], P28, trailer));
    expect(ok.packets.map((p) => toHex(p.bytes))).toEqual([toHex(P28), toHex(P28)]);
    expect(ok.infos[0]!.checksum).toBe('valid');
    const notValid = decode(DL(4), concat([0x00, 0x01, 0x00, 0x1c], P28, [0, 0, 0, 0, 0, 0, 0, 0]));
    expect(notValid.infos[0]!.checksum).toBe('not-valid');
    const cut = decode(DL(4), concat([0x00, 0x01, 0x00, 0x1c], P28, [0, 1, 0, 0]));
    expect(cut.drops).toEqual([{ reason: 'truncated', offset: 0 }]);
  });

  it('v4 uplink (as the modem reads it): the UL checksum header sits before the IP packet', () => {
    const got = decode(UL(4), concat([0x00, 0x01, 0x00, 0x1c, 0x00, 0x14, 0xc0, 0x06], P28));
    expect(toHex(got.packets[0]!.bytes)).toBe(toHex(P28));
    expect(got.infos[0]!.checksum).toBe('requested');
  });

  it('v5: a data frame without NEXT_HEADER stops the aggregate', () => {
    const good = concat([0x40, 0x01, 0x00, 0x1c, 0x04, 0x80, 0, 0], P28);
    const got = decode(DL(5), concat(good, [0x00, 0x01, 0x00, 0x1c], P28, good));
    expect(got.packets).toHaveLength(1);
    expect(got.drops).toEqual([{ reason: 'v5-no-csum-header', offset: 36 }]);
  });

  it('v5: a header type other than checksum offload (2) stops the aggregate', () => {
    const coalescing = concat([0x40, 0x01, 0x00, 0x1c, 0x02, 0x80, 0, 0], P28);
    const got = decode(DL(5), concat(coalescing, [0x40, 0x01, 0x00, 0x1c, 0x04, 0x00, 0, 0], P28));
    expect(got.packets).toHaveLength(0);
    expect(got.drops).toEqual([{ reason: 'v5-header-type', offset: 0 }]);
    const notValid = decode(DL(5), concat([0x40, 0x01, 0x00, 0x1c, 0x04, 0x00, 0, 0], P28));
    expect(notValid.infos[0]!.checksum).toBe('not-valid');
  });

  it('mux id 255 drops that frame only; parsing continues', () => {
    const got = decode(DL(1), concat([0x00, 0xff, 0x00, 0x1c], P28, [0x00, 0x00, 0x00, 0x1c], P28));
    expect(got.packets.map((p) => p.link.id)).toEqual([0]);
    expect(got.drops).toEqual([{ reason: 'mux-id', offset: 0 }]);
  });

  it('payload = pkt_len − PAD_LEN; a pad that leaves nothing drops the frame', () => {
    const got = decode(DL(1), concat([0x04, 0x01, 0x00, 0x04], [0x45, 0, 0, 0], [0x00, 0x01, 0x00, 0x1c], P28));
    expect(got.packets).toHaveLength(1);
    expect(got.drops).toEqual([{ reason: 'pad', offset: 0 }]);
  });

  it('a payload that is neither IPv4 nor IPv6 is still delivered (rmnet marks it ETH_P_MAP)', () => {
    const got = decode(DL(1), concat([0x00, 0x01, 0x00, 0x04], [0x12, 0x34, 0x56, 0x78]));
    expect(toHex(got.packets[0]!.bytes)).toBe('12 34 56 78');
  });
});

describe('QMAP commands', () => {
  const flowDisable = encodeQmapCommand({ muxId: 5, name: QMAP_FLOW_DISABLE, type: 'request', transactionId: 0x01020304 }, UL(1));

  it('encodes a command frame: CD set, 16-byte body, transaction id', () => {
    expect(toHex(flowDisable)).toBe('80 05 00 10 01 00 00 00 01 02 03 04 00 00 00 00 00 00 00 00');
    expect(parseQmapCommand(flowDisable)).toEqual({ muxId: 5, name: 1, type: 'request', transactionId: 0x01020304 });
  });

  it('the ACK is the same bytes with cmd_type = ACK, reserved bits kept', () => {
    const req = flowDisable.slice();
    req[5] = 0xfc; // reserved bits set, type REQUEST
    expect(toHex(qmapCommandAck(req)!)).toBe('80 05 00 10 01 fd 00 00 01 02 03 04 00 00 00 00 00 00 00 00');
  });

  it('unknown command names and mux 255 get no reply', () => {
    expect(qmapCommandAck(encodeQmapCommand({ muxId: 5, name: 3, type: 'request', transactionId: 1 }, UL(1)))).toBeNull();
    expect(qmapCommandAck(encodeQmapCommand({ muxId: 255, name: QMAP_FLOW_ENABLE, type: 'request', transactionId: 1 }, UL(1)))).toBeNull();
  });

  it('v4 downlink: commands carry the 8-byte trailer too, which the frame handed up (and the ACK) leave out', () => {
    const cmd = encodeQmapCommand({ muxId: 2, name: QMAP_FLOW_ENABLE, type: 'request', transactionId: 9 }, DL(4));
    expect(cmd.length).toBe(4 + 16 + 8);
    const got = decode(DL(4), concat(cmd, [0x00, 0x02, 0x00, 0x1c], P28, new Uint8Array(8)), true);
    expect(got.commands).toHaveLength(1);
    expect(got.commands[0]!.link.id).toBe(2);
    expect(got.commands[0]!.frame.length).toBe(20);
    expect(toHex(qmapCommandAck(got.commands[0]!.frame)!)).toBe('80 02 00 10 02 01 00 00 00 00 00 09 00 00 00 00 00 00 00 00');
    expect(got.packets).toHaveLength(1);
  });

  it('v5: a command frame has no checksum header and needs no NEXT_HEADER', () => {
    const cmd = encodeQmapCommand({ muxId: 2, name: QMAP_FLOW_DISABLE, type: 'request', transactionId: 9 }, DL(5));
    const got = decode(DL(5), concat(cmd, [0x40, 0x02, 0x00, 0x1c, 0x04, 0x80, 0, 0], P28), true);
    expect(got.commands).toHaveLength(1);
    expect(got.packets).toHaveLength(1);
  });

  it('without a command handler, command frames are dropped (no INGRESS_MAP_COMMANDS)', () => {
    const got = decode(DL(1), concat(flowDisable, [0x00, 0x01, 0x00, 0x1c], P28));
    expect(got.drops).toEqual([{ reason: 'command', offset: 0 }]);
    expect(got.packets).toHaveLength(1);
  });
});

describe('QMAP aggregation limits', () => {
  function uplink(limits: { maxBytes: number; maxDatagrams: number; timeLimitMs?: number; idleBypassMs?: number }) {
    const clock = new ManualClock();
    const out: number[][] = [];
    const enc = qmapEncoder({ ...UL(1), ...limits }, (t) => out.push(lengths(t)), clock);
    return { clock, out, enc };
  }
  // The frame lengths in a transfer, to see how packets were grouped.
  const lengths = (t: Uint8Array): number[] => {
    const r: number[] = [];
    for (let o = 0; o < t.length; o += 4 + ((t[o + 2]! << 8) | t[o + 3]!)) r.push((t[o + 2]! << 8) | t[o + 3]!);
    return r;
  };

  it('rmnet defaults send every packet alone (count 1)', () => {
    const { out, enc } = uplink(RMNET_UPLINK_AGGREGATION);
    enc.send(ipLink(1), ipv4(100));
    enc.send(ipLink(1), ipv4(101));
    expect(out).toEqual([[100], [101]]);
  });

  it('flushes at max datagrams, and before a packet that does not fit in max bytes', () => {
    const { out, enc } = uplink({ maxBytes: 256, maxDatagrams: 3 });
    for (const n of [40, 41, 42, 43, 150, 60]) enc.send(ipLink(1), ipv4(n));
    expect(out).toEqual([[40, 41, 42], [43, 150]]);
    enc.flush();
    expect(out[2]).toEqual([60]);
  });

  it('a transfer filled to exactly max bytes goes at once; a packet over max bytes is dropped', () => {
    const { out, enc } = uplink({ maxBytes: 104, maxDatagrams: 10 });
    expect(enc.send(ipLink(1), ipv4(100))).toBe(true);
    expect(out).toEqual([[100]]);
    expect(enc.send(ipLink(1), ipv4(101))).toBe(false);
    expect(enc.drops['too-large']).toBe(1);
  });

  it('the time limit flushes an open aggregate from the clock', () => {
    const { clock, out, enc } = uplink({ maxBytes: 4096, maxDatagrams: 10, timeLimitMs: 0.8 });
    enc.send(ipLink(1), ipv4(30));
    enc.send(ipLink(1), ipv4(31));
    expect(out).toEqual([]);
    clock.advance(0.8);
    expect(out).toEqual([[30, 31]]);
    expect(clock.pending).toBe(0);
  });

  it('a packet arriving after the time limit flushes with it (the age check on append)', () => {
    const { clock, out, enc } = uplink({ maxBytes: 4096, maxDatagrams: 10, timeLimitMs: 5 });
    enc.send(ipLink(1), ipv4(30));
    // The timer is due at 5 ms but the event loop is busy until a packet comes at 6 ms.
    clock.skip(6);
    enc.send(ipLink(1), ipv4(31));
    expect(out).toEqual([[30, 31]]);
  });

  it('after more than 10 ms of silence a packet goes alone (rmnet bypass)', () => {
    const { clock, out, enc } = uplink({ ...RMNET_UPLINK_AGGREGATION, maxDatagrams: 10 });
    enc.send(ipLink(1), ipv4(30)); // first packet ever: idle
    expect(out).toEqual([[30]]);
    clock.advance(1);
    enc.send(ipLink(1), ipv4(31));
    enc.send(ipLink(1), ipv4(32));
    expect(out).toHaveLength(1);
    clock.advance(11);
    expect(out).toEqual([[30], [31, 32]]); // the 0.8 ms timer flushed them
    enc.send(ipLink(1), ipv4(33));
    expect(out[2]).toEqual([33]);
  });

  it('only mux ids 1..254 and non-empty packets are sent', () => {
    const { enc } = uplink({ maxBytes: 4096, maxDatagrams: 10 });
    expect(enc.send(ipLink(0), ipv4(30))).toBe(false);
    expect(enc.send(ipLink(255), ipv4(30))).toBe(false);
    expect(enc.send(ipLink(1), new Uint8Array(0))).toBe(false);
    expect(enc.drops).toMatchObject({ 'mux-id': 2, empty: 1 });
  });
});
