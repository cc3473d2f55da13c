import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipLink, dssLink, type Link } from '../../src/mux/framing.js';
import { PipeFraming, type PipeFormat } from '../../src/mux/pipe.js';
import { encodeRecord, MAX_RECORD, RecordFramer } from '../../src/transport/records.js';
import type { PartialChecksum } from '../../src/wire/checksum.js';
import { toHex } from '../../src/wire/hex.js';

/** A minimal IPv4 packet of `size` bytes whose payload carries `tag`. */
function ipv4(size: number, tag: number): Uint8Array {
  const p = new Uint8Array(Math.max(20, size));
  p[0] = 0x45;
  p[2] = p.length >> 8;
  p[3] = p.length & 0xff;
  p[9] = 17;
  p.fill(tag & 0xff, 20);
  return p;
}

const formats: [string, PipeFormat, Link[]][] = [
  ['raw-ip', { framing: 'raw-ip' }, [ipLink(0)]],
  ['qmap v1', { framing: 'qmap', version: 1, maxDatagrams: 8, maxBytes: 16384 }, [ipLink(1), ipLink(2)]],
  ['qmap v4', { framing: 'qmap', version: 4, maxDatagrams: 8, maxBytes: 16384 }, [ipLink(1), ipLink(200)]],
  ['qmap v5', { framing: 'qmap', version: 5, maxDatagrams: 32, maxBytes: 32768 }, [ipLink(1), ipLink(7)]],
  ['qmimux', { framing: 'qmimux' }, [ipLink(1), ipLink(2)]],
  ['qmimux, aggregated downlink', { framing: 'qmimux', maxDatagrams: 8, maxBytes: 4096 }, [ipLink(1), ipLink(2)]],
  ['bam-dmux', { framing: 'bam-dmux' }, [ipLink(0), ipLink(7)]],
  ['ntb16', { framing: 'ntb', maxBytes: 16384, maxDatagrams: 16 }, [ipLink(0), ipLink(3), dssLink(1)]],
];

describe('PipeFraming: host and modem roles understand each other', () => {
  for (const [name, format, links] of formats) {
    it(`${name}: every packet arrives on its link, both directions`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: links.length - 1 }), fc.integer({ min: 20, max: 1400 })), { minLength: 1, maxLength: 20 }), (spec) => {
          for (const [from, to] of [['host', 'modem'], ['modem', 'host']] as const) {
            const got: string[] = [];
            const receiver = new PipeFraming(format, to, () => undefined, { packet: (l, p) => got.push(`${l.kind}${l.id}:${p.length}:${p[p.length - 1]}`) });
            const sender = new PipeFraming(format, from, (t) => receiver.receive(t.slice()), { packet: () => undefined });
            const sent = spec.map(([li, size], i) => {
              const link = links[li]!;
              // DSS carries arbitrary bytes; IP links carry IP.
              const p = link.kind === 'dss' ? new Uint8Array(size).fill(i & 0xff) : ipv4(size, i);
              expect(sender.send(link, p)).toBe(true);
              return `${link.kind}${link.id}:${p.length}:${p[p.length - 1]}`;
            });
            sender.flush();
            // Order holds per link; NTB groups each session's datagrams in its own NDP.
            const byLink = (xs: string[]): Record<string, string[]> => {
              const out: Record<string, string[]> = {};
              for (const x of xs) (out[x.split(':')[0]!] ??= []).push(x);
              return out;
            };
            expect(byLink(got)).toEqual(byLink(sent));
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  it('qmimux: the modem aggregates its downlink as negotiated (several frames a transfer, never over the size); the host takes each whole', () => {
    const transfers: Uint8Array[] = [];
    const got: number[] = [];
    const host = new PipeFraming({ framing: 'qmimux' }, 'host', () => undefined, { packet: (_l, p) => got.push(p.length) });
    const modem = new PipeFraming({ framing: 'qmimux', maxDatagrams: 32, maxBytes: 4096 }, 'modem', (t) => transfers.push(t.slice()), { packet: () => undefined });
    for (let i = 0; i < 10; i++) modem.send(ipLink(1 + (i % 2)), ipv4(1000, i));
    modem.flush();
    // 1004 bytes a frame: four fit in 4096.
    expect(transfers.map((t) => t.length)).toEqual([4016, 4016, 2008]);
    for (const t of transfers) host.receive(t);
    expect(got).toEqual(Array(10).fill(1000));
    // Without limits: one frame a transfer, as before.
    const single: Uint8Array[] = [];
    const plain = new PipeFraming({ framing: 'qmimux' }, 'modem', (t) => single.push(t), { packet: () => undefined });
    plain.send(ipLink(1), ipv4(100, 1));
    plain.send(ipLink(1), ipv4(100, 2));
    expect(single.length).toBe(2);
  });

  it('sends BAM-DMUX channel commands the other side sees', () => {
    const seen: string[] = [];
    const host = new PipeFraming({ framing: 'bam-dmux' }, 'host', () => undefined, { packet: () => undefined, control: (e) => e.kind === 'channel' && seen.push(`${e.link.id}:${e.open ? 'open' : 'close'}`) });
    const modem = new PipeFraming({ framing: 'bam-dmux' }, 'modem', (t) => host.receive(t), { packet: () => undefined });
    modem.sendChannelCommand(ipLink(3), 'open');
    modem.sendChannelCommand(ipLink(3), 'close');
    expect(seen).toEqual(['3:open', '3:close']);
  });
});

describe('RecordFramer', () => {
  it('splits records across any chunking and rejects an oversized length', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), fc.integer({ min: 1, max: 50 }), (records, step) => {
        const stream = Buffer.concat(records.map((r) => encodeRecord(r)));
        const got: string[] = [];
        const f = new RecordFramer((r) => got.push(Buffer.from(r).toString('hex')), () => expect.unreachable());
        for (let i = 0; i < stream.length; i += step) f.push(stream.subarray(i, i + step));
        expect(got).toEqual(records.map((r) => Buffer.from(r).toString('hex')));
      }),
      { numRuns: 200 },
    );
    const errors: string[] = [];
    const refusing = new RecordFramer(() => expect.unreachable(), (m) => errors.push(m));
    refusing.push(new Uint8Array([0xff, 0xff, 0xff, 0x7f]));
    // The stream cannot resync: what follows is never read as records.
    refusing.push(encodeRecord(new Uint8Array(3)));
    expect(errors).toEqual([`record of ${0x7fffffff} bytes exceeds ${MAX_RECORD}`]);
  });

  it('hands records inside one read on as views into it, and copies only the records a read cuts', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 12 }), fc.uniqueArray(fc.nat(), { maxLength: 8 }), (records, cuts) => {
        const stream = new Uint8Array(Buffer.concat(records.map((r) => encodeRecord(r))));
        const ends = [...new Set([...cuts.map((c) => c % (stream.length + 1)), stream.length])].sort((x, y) => x - y);
        const spans = ends.map((end, i) => [i === 0 ? 0 : ends[i - 1]!, end] as const);
        const got: Uint8Array[] = [];
        const f = new RecordFramer((r) => got.push(r), () => expect.unreachable());
        for (const [from, to] of spans) f.push(stream.subarray(from, to));
        expect(got.map((r) => Buffer.from(r).toString('hex'))).toEqual(records.map((r) => Buffer.from(r).toString('hex')));
        // A record inside one read is a view into the stream; one a read cut is a copy of its own.
        let end = 0;
        got.forEach((r, i) => {
          const start = end + 4;
          end = start + records[i]!.length;
          const inOneRead = spans.some(([from, to]) => from <= start - 4 && end <= to);
          if (inOneRead) expect(r.buffer).toBe(stream.buffer);
          else expect(r.buffer).not.toBe(stream.buffer);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('PipeFraming checksum offload', () => {
  it('the modem completes the UDP checksum a QMAPv5 host asked for', () => {
    // IPv4/UDP 10.0.0.2:1000 → 10.0.0.1:7 with 4 payload bytes; the checksum field holds the folded pseudo-header sum.
    const p = new Uint8Array([0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1, 0x03, 0xe8, 0, 7, 0, 12, 0, 0, 1, 2, 3, 4]);
    const ipHeaderSum = (): number => {
      let s = 0;
      for (let i = 0; i < 20; i += 2) s += (p[i]! << 8) | p[i + 1]!;
      while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
      return ~s & 0xffff;
    };
    const h = ipHeaderSum();
    p[10] = h >> 8;
    p[11] = h & 0xff;
    // Folded pseudo-header sum: src + dst + proto + UDP length.
    let pseudo = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 17 + 12;
    while (pseudo > 0xffff) pseudo = (pseudo & 0xffff) + (pseudo >> 16);
    p[26] = pseudo >> 8;
    p[27] = pseudo & 0xff;
    let delivered: Uint8Array | undefined;
    const modem = new PipeFraming({ framing: 'qmap', version: 5, maxDatagrams: 1, maxBytes: 4096 }, 'modem', () => undefined, { packet: (_l, pkt) => (delivered = pkt.slice()) });
    const host = new PipeFraming({ framing: 'qmap', version: 5, maxDatagrams: 1, maxBytes: 4096, checksumOffload: true }, 'host', (t) => modem.receive(t.slice()), { packet: () => undefined });
    host.send(ipLink(1), p, true);
    host.flush();
    // Verify: the sum over pseudo-header + UDP header + payload must fold to 0xffff.
    let s = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 17 + 12;
    for (let i = 20; i < 32; i += 2) s += (delivered![i]! << 8) | delivered![i + 1]!;
    while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
    expect(s).toBe(0xffff);
    expect(delivered![26]! | delivered![27]!).not.toBe(0);

    // A modem whose receiver takes partial checksums hands the request on: the field keeps the pseudo-header sum.
    const handedOn: [string, PartialChecksum | undefined][] = [];
    const modem2 = new PipeFraming({ framing: 'qmap', version: 5, maxDatagrams: 1, maxBytes: 4096 }, 'modem', () => undefined, {
      packet: (_l, pkt, partial) => void handedOn.push([toHex(pkt.subarray(26, 28)), partial && { ...partial }]),
      partialChecksums: true,
    });
    const host2 = new PipeFraming({ framing: 'qmap', version: 5, maxDatagrams: 1, maxBytes: 4096, checksumOffload: true }, 'host', (t) => modem2.receive(t.slice()), { packet: () => undefined });
    host2.send(ipLink(1), p, true);
    host2.flush();
    // A packet whose checksum is finished asks nothing: it arrives as sent, with nothing partial.
    const finished = delivered!.slice();
    host2.send(ipLink(1), finished, false);
    host2.flush();
    expect(handedOn).toEqual([
      [toHex(p.subarray(26, 28)), { start: 20, offset: 6 }],
      [toHex(finished.subarray(26, 28)), undefined],
    ]);
  });

  it('the host takes the modem’s checksum verdict from a QMAPv5 downlink only where it negotiated checksum offload', () => {
    const p = Uint8Array.from({ length: 40 }, (_, i) => i);
    p[0] = 0x45;
    const verdicts: (boolean | undefined)[] = [];
    for (const checksumOffload of [true, false]) {
      const host = new PipeFraming({ framing: 'qmap', version: 5, maxDatagrams: 1, maxBytes: 4096, checksumOffload }, 'host', () => undefined, {
        packet: (_l, _pkt, _partial, valid) => void verdicts.push(valid),
      });
      // The modem's downlink carries the v5 checksum header with its verdict (valid).
      const modem = new PipeFraming({ framing: 'qmap', version: 5, maxDatagrams: 1, maxBytes: 4096 }, 'modem', (t) => host.receive(t.slice()), { packet: () => undefined });
      modem.send(ipLink(1), p);
      modem.flush();
    }
    expect(verdicts).toEqual([true, undefined]);
  });
});
