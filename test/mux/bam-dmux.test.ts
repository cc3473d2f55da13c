import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/wire/index.js';
import { ipLink } from '../../src/mux/framing.js';
import type { Link } from '../../src/mux/framing.js';
import { BamDmuxDecoder, bamDmuxEncoder } from '../../src/mux/bam-dmux.js';
import type { BamDmuxCommand } from '../../src/mux/bam-dmux.js';
import { BamDmuxChannels } from '../../src/mux/bam-dmux-channels.js';
import { collector, concat, ipv4, ipv6 } from './helpers.js';

function encode(link: Link, packet: Uint8Array): Uint8Array {
  let out = new Uint8Array(0);
  bamDmuxEncoder((t) => (out = t.slice())).send(link, packet);
  return out;
}

function decode(bytes: Uint8Array) {
  const d = new BamDmuxDecoder();
  const got = collector();
  const commands: string[] = [];
  d.decapsulate(bytes, { ...got, command: (link, c) => commands.push(`${c}:${link.id}`) });
  return { packets: got.packets, drops: got.drops, commands };
}

const OPEN_2 = Uint8Array.of(0xfc, 0x33, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00);
const CLOSE_2 = Uint8Array.of(0xfc, 0x33, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00);

describe('BAM-DMUX frames', () => {
  it('DATA: LE header with magic FC 33, len excluding the pad, pad 1..3 to align', () => {
    const p = ipv4(29);
    expect(toHex(encode(ipLink(1), p))).toBe(toHex(concat([0xfc, 0x33, 0x00, 0x00, 0x03, 0x01, 0x1d, 0x00], p, [0, 0, 0])));
  });

  it('an already aligned payload still gets 4 pad bytes', () => {
    const p = ipv6(28);
    expect(toHex(encode(ipLink(7), p))).toBe(toHex(concat([0xfc, 0x33, 0x00, 0x00, 0x04, 0x07, 0x1c, 0x00], p, [0, 0, 0, 0])));
  });

  it('rejects channels ≥ 8 and payloads over 2040 bytes', () => {
    const enc = bamDmuxEncoder(() => {});
    expect(enc.send(ipLink(8), ipv4(20))).toBe(false);
    expect(enc.send(ipLink(0), ipv4(2041))).toBe(false);
    expect(enc.send(ipLink(0), ipv4(2040))).toBe(true);
    expect(enc.drops).toMatchObject({ channel: 1, 'too-large': 1 });
  });

  it('RX: strips the header, trims to len and ignores the pad; any first nibble is delivered', () => {
    const got = decode(concat([0xfc, 0x33, 0x09, 0x00, 0x02, 0x03, 0x04, 0x00], [0x12, 0x34, 0x56, 0x78, 0xaa, 0xbb]));
    expect(got.packets.map((p) => [p.link.id, toHex(p.bytes)])).toEqual([[3, '12 34 56 78']]);
  });

  it('RX: OPEN and CLOSE are bare headers', () => {
    expect(decode(OPEN_2).commands).toEqual(['open:2']);
    expect(decode(CLOSE_2).commands).toEqual(['close:2']);
  });

  it('RX drops: bad magic, channel ≥ 8, unknown command, len > 2040, shorter than claimed', () => {
    const frame = (b: number[]): string => decode(Uint8Array.from(b)).drops.map((d) => d.reason).join();
    expect(frame([0x33, 0xfc, 0, 0, 0, 0, 0, 0])).toBe('magic');
    expect(frame([0xfc, 0x33, 0, 0, 0, 8, 0, 0])).toBe('channel');
    expect(frame([0xfc, 0x33, 0, 4, 0, 0, 0, 0])).toBe('command');
    expect(decode(concat([0xfc, 0x33, 0, 0, 0, 0, 0xf9, 0x07], new Uint8Array(2041))).drops[0]!.reason).toBe('too-large');
    expect(frame([0xfc, 0x33, 0, 0, 0, 0, 0x10, 0, 0x45])).toBe('truncated');
    expect(frame([0xfc, 0x33, 0])).toBe('truncated');
  });
});

describe('BAM-DMUX channels', () => {
  function setup() {
    const log: string[] = [];
    const delivered: string[] = [];
    const channels = new BamDmuxChannels({
      created: (l) => log.push(`created ${l.id}`),
      attached: (l) => log.push(`attached ${l.id}`),
      detached: (l) => log.push(`detached ${l.id}`),
      packet: (l, p) => delivered.push(`${l.id}:${p.length}`),
      sendCommand: (l, c: BamDmuxCommand) => log.push(`send ${c} ${l.id}`),
      drop: (r) => log.push(`drop ${r}`),
    });
    const decoder = new BamDmuxDecoder();
    const rx = (b: Uint8Array): void => decoder.decapsulate(b, channels);
    return { log, delivered, channels, rx };
  }
  const data2 = encode(ipLink(2), ipv4(40));

  it('a modem OPEN creates the link; data flows once the host brings it up', () => {
    const { log, delivered, channels, rx } = setup();
    rx(data2);
    expect(channels.linkUp(ipLink(2))).toBe(false); // no such link yet
    rx(OPEN_2);
    expect(channels.links()).toEqual([ipLink(2)]);
    rx(data2); // link exists but is down
    expect(channels.linkUp(ipLink(2))).toBe(true);
    rx(data2);
    expect(log).toEqual(['drop inactive-channel', 'created 2', 'drop inactive-channel', 'send open 2']);
    expect(delivered).toEqual(['2:40']);
  });

  it('CLOSE detaches (data dropped), a second OPEN re-attaches, duplicates are counted', () => {
    const { log, delivered, channels, rx } = setup();
    rx(OPEN_2);
    channels.linkUp(ipLink(2));
    rx(OPEN_2);
    rx(CLOSE_2);
    rx(data2);
    rx(CLOSE_2);
    rx(OPEN_2);
    rx(data2);
    expect(log).toEqual([
      'created 2',
      'send open 2',
      'drop already-open',
      'detached 2',
      'drop inactive-channel',
      'drop not-open',
      'attached 2',
    ]);
    expect(delivered).toEqual(['2:40']);
    expect(channels.drops).toEqual({ 'inactive-channel': 1, 'already-open': 1, 'not-open': 1 });
  });

  it('the host taking a link down sends CLOSE and stops delivery', () => {
    const { log, delivered, channels, rx } = setup();
    rx(OPEN_2);
    channels.linkUp(ipLink(2));
    expect(channels.linkDown(ipLink(2))).toBe(true);
    expect(channels.linkDown(ipLink(2))).toBe(false);
    rx(data2);
    expect(log.slice(-2)).toEqual(['send close 2', 'drop inactive-channel']);
    expect(delivered).toEqual([]);
  });
});
