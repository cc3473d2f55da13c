import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/wire/index.js';
import { describeTransfer } from '../../src/mux/describe.js';
import { dssLink, ipLink } from '../../src/mux/framing.js';
import { ntbEncoder } from '../../src/mux/ntb.js';
import { writeIpPcap, writeNtbPcap } from '../../src/mux/pcap.js';
import { QMAP_FLOW_DISABLE, encodeQmapCommand, qmapEncoder } from '../../src/mux/qmap.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import { itWithTools } from '../support/tools.js';
import { concat, ipv4, ipv6 } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wwankit-mux-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A UDP datagram that Wireshark will parse as such. */
function udp(src: number, payload: number[]): Uint8Array {
  const p = concat(
    [0x45, 0, 0, 28 + payload.length, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, src, 10, 0, 0, 99],
    [0x30, 0x39, 0x9c, 0x40, 0, 8 + payload.length, 0, 0], // ports with no dissector of their own
    payload,
  );
  const csum = internetChecksum(p, 0, 20);
  p[10] = csum >> 8;
  p[11] = csum & 0xff;
  return p;
}

describe('describeTransfer', () => {
  it('QMAP v4 downlink: packets with pad and checksum state, a command, and where parsing stopped', () => {
    const frames: Uint8Array[] = [];
    qmapEncoder({ version: 4, direction: 'downlink', maxBytes: 4096, maxDatagrams: 1 }, (t) => frames.push(t.slice())).send(
      ipLink(3),
      ipv4(29),
    );
    const cmd = encodeQmapCommand({ muxId: 3, name: QMAP_FLOW_DISABLE, type: 'request', transactionId: 77 }, { version: 4, direction: 'downlink' });
    const bytes = concat(frames[0]!, cmd, [0x00, 0x01, 0x00, 0x40, 0x45]);
    expect(describeTransfer('qmap', bytes, { qmapVersion: 4 })).toEqual({
      packets: [
        { link: 3, type: 'ipv4', offset: 4, length: 29, frame: 0, pad: 3, checksum: 'valid', checksumValue: internetChecksum(ipv4(29)), checksumMatches: true },
        { link: 3, type: 'command', offset: 48, length: 16, command: 'flow-disable', commandType: 'request', transactionId: 77 },
      ],
      errors: [{ offset: 72, reason: 'truncated' }],
    });
  });

  it('qmimux and BAM-DMUX', () => {
    expect(describeTransfer('qmimux', concat([0x01, 0x05, 0x00, 0x15], ipv6(20), [0], [0x80, 0x05, 0x00, 0x00]))).toEqual({
      packets: [{ link: 5, type: 'ipv6', offset: 4, length: 20, frame: 0, pad: 1 }],
      errors: [],
    });
    expect(describeTransfer('bam-dmux', fromHex('fc 33 00 01 00 04 00 00')!)).toEqual({
      packets: [{ link: 4, type: 'open', offset: 8, length: 0 }],
      errors: [],
    });
    expect(describeTransfer('bam-dmux', fromHex('fc 33 00 00 02 01 02 00 12 34 00 00')!).packets).toEqual([
      { link: 1, type: 'other', offset: 8, length: 2, pad: 2, signal: 0 },
    ]);
  });

  it('NTB: IPS and DSS datagrams with their NDP signature', () => {
    const ntbs: Uint8Array[] = [];
    const enc = ntbEncoder({ maxBytes: 2048, maxDatagrams: 4 }, (t) => ntbs.push(t.slice()));
    enc.send(ipLink(1), ipv4(20));
    enc.send(dssLink(2), Uint8Array.of(1, 2, 3));
    enc.flush();
    const d = describeTransfer('ntb', ntbs[0]!);
    expect(d.packets).toEqual([
      { link: 1, type: 'ipv4', offset: 40, length: 20, ntb: 16, ndp: 12, signature: 'IPS1', entry: 0 },
      { link: 2, type: 'dss', offset: 88, length: 3, ntb: 16, ndp: 60, signature: 'DSS2', entry: 0 },
    ]);
    expect(describeTransfer('ntb', Uint8Array.of(1, 2, 3))).toEqual({ packets: [], errors: [{ offset: 0, reason: 'short' }] });
  });
});

describe('pcap', () => {
  it('writes the IP packets found in any framing as raw IP records', () => {
    const transfers: Uint8Array[] = [];
    const enc = qmapEncoder({ version: 5, direction: 'downlink', maxBytes: 4096, maxDatagrams: 8 }, (t) => transfers.push(t.slice()));
    enc.send(ipLink(1), udp(1, [1, 2, 3]));
    enc.send(ipLink(2), udp(2, [4]));
    enc.flush();
    const path = join(dir, 'ip.pcap');
    expect(writeIpPcap(path, 'qmap', transfers, { qmapVersion: 5 }, 1000)).toBe(2);
    const file = readFileSync(path);
    expect(file.readUInt32LE(20)).toBe(101); // LINKTYPE_RAW
    expect(file.readUInt32LE(24 + 8)).toBe(31); // first record: the 31-byte packet, no framing
  });

  itWithTools(['tshark'])('tshark decodes our NTBs with its mbim.bulk dissector: sessions and datagrams', () => {
    const ntbs: Uint8Array[] = [];
    const enc = ntbEncoder({ maxBytes: 4096, maxDatagrams: 8 }, (t) => ntbs.push(t.slice()));
    enc.send(ipLink(0), udp(1, [0xaa]));
    enc.send(ipLink(3), udp(2, [0xbb, 0xcc]));
    enc.send(dssLink(5), Uint8Array.of(0xde, 0xad));
    enc.send(ipLink(0), udp(3, [0xdd]));
    enc.flush();
    const ntb32: Uint8Array[] = [];
    const enc32 = ntbEncoder({ format: 32, maxBytes: 4096 }, (t) => ntb32.push(t.slice()));
    enc32.send(ipLink(7), udp(4, [0xee]));
    enc32.flush();
    const path = join(dir, 'ntb.pcap');
    writeNtbPcap(path, [...ntbs, ...ntb32], 1000);
    const out = execFileSync('tshark', ['-r', path, '-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [first, second] = out.split(/^Frame 2:/m) as [string, string];
    expect(first).toContain('Mobile Broadband Interface Model');
    expect(first).toMatch(/Signature: NCMH/);
    expect(first.match(/Signature: IPS0[\s\S]*?IPS Session Id: 0/)).not.toBeNull();
    expect(first).toMatch(/IPS Session Id: 3/);
    expect(first).toMatch(/DSS Session Id: 5/);
    expect(first).toMatch(/\[Number Of Datagrams: 2\]/); // IPS0
    expect(first).toMatch(/\[Total Number Of Datagrams: 4\]/);
    expect(first).toContain('Datagram: dead');
    for (const src of [1, 2, 3]) expect(first).toContain(`Src: 10.0.0.${src}, Dst: 10.0.0.99`);
    expect(first).not.toMatch(/Malformed|Expert Info \(Error/);
    expect(second).toMatch(/Signature: ncmh/);
    expect(second).toMatch(/Signature: ips7/);
    expect(second).toContain('Src: 10.0.0.4, Dst: 10.0.0.99');
  });
});
