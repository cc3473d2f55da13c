/**
 * Data-path framings: decapsulation and encapsulation at 64- and 1500-byte packets, in packets/s
 * and Gbit/s of packet bytes, each beside a memcpy of the same transfer bytes in the same run.
 * Targets (2-core machine): QMAP and NTB decapsulation ≥ 5 Mpps at 64 B and ≥ 20 Gbit/s at 1500 B;
 * aggregation ≥ 2 Mpps at 64 B.
 */
import { measure, memcpyRate, report } from './harness.js';
import { BamDmuxDecoder, bamDmuxEncoder } from '../src/mux/bam-dmux.js';
import { ipLink } from '../src/mux/framing.js';
import type { Encapsulator, Link, TransferSink } from '../src/mux/framing.js';
import type { QmapFrameInfo } from '../src/mux/qmap.js';
import { NtbDecoder, ntbEncoder } from '../src/mux/ntb.js';
import { QmapDecoder, completeQmapChecksum, qmapEncoder } from '../src/mux/qmap.js';
import { QmimuxDecoder, qmimuxEncoder } from '../src/mux/qmimux.js';

type BenchSink = { packet(l: Link, p: Uint8Array): void; command(): void };

interface Framing {
  name: string;
  /** Packets per transfer the encoder is allowed. */
  perTransfer: number;
  encoder(onTransfer: TransferSink): Encapsulator<string>;
  decoder(): { decapsulate(t: Uint8Array, sink: BenchSink): void };
  /** The packet sent, by size; an IPv4 packet of pattern bytes unless given. */
  packet?(size: number): Uint8Array;
}

const FRAMINGS: Framing[] = [
  {
    // Downlink as IPA v4.5+ and MHI modems send it (v5), uplink as the host aggregates it.
    name: 'qmap',
    perTransfer: 64,
    encoder: (t) => qmapEncoder({ version: 5, direction: 'uplink', maxBytes: 32768, maxDatagrams: 64 }, t),
    decoder: () => new QmapDecoder({ version: 5, direction: 'uplink' }),
  },
  {
    // Uplink v4 with checksum offload: the host's UL header and field complement, then the modem
    // reading the frames and computing each TCP checksum.
    name: 'qmap-v4-offload',
    perTransfer: 64,
    encoder: (t) => qmapEncoder({ version: 4, direction: 'uplink', checksumOffload: true, maxBytes: 32768, maxDatagrams: 64 }, t),
    decoder: () => {
      const decoder = new QmapDecoder({ version: 4, direction: 'uplink' });
      let out: BenchSink;
      const modem = {
        packet(l: Link, p: Uint8Array, info: QmapFrameInfo): void {
          completeQmapChecksum(p, info, 4);
          out.packet(l, p);
        },
        command(): void {},
      };
      return {
        decapsulate(t, sink) {
          out = sink;
          decoder.decapsulate(t, modem);
        },
      };
    },
    packet: tcpPacket,
  },
  {
    name: 'ntb',
    perTransfer: 40,
    encoder: (t) => ntbEncoder({ maxBytes: 65535, maxDatagrams: 40 }, t),
    decoder: () => new NtbDecoder({ rxMax: 65536 }),
  },
  {
    name: 'qmimux',
    perTransfer: 1,
    encoder: (t) => qmimuxEncoder(t),
    decoder: () => new QmimuxDecoder(),
  },
  {
    name: 'bam-dmux',
    perTransfer: 1,
    encoder: (t) => bamDmuxEncoder(t),
    decoder: () => new BamDmuxDecoder(),
  },
];

function packet(size: number): Uint8Array {
  const p = new Uint8Array(size);
  for (let i = 0; i < size; i++) p[i] = i & 0xff;
  p[0] = 0x45;
  return p;
}

/**
 * JS heap bytes allocated per packet: heap growth over a run too short to trigger a scavenge (runs
 * that shrank the heap had one and are discarded), median of several.
 */
function heapBytesPerOp(fn: () => void, packetsPerCall: number): number {
  const calls = Math.max(1, Math.ceil(20000 / packetsPerCall));
  const samples: number[] = [];
  for (let i = 0; i < 9; i++) {
    const before = process.memoryUsage().heapUsed;
    for (let c = 0; c < calls; c++) fn();
    const grown = process.memoryUsage().heapUsed - before;
    if (grown >= 0) samples.push(grown / (calls * packetsPerCall));
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(samples.length / 2)] ?? Number.NaN);
}

/** An unfragmented IPv4 TCP packet, so the offload applies. */
function tcpPacket(size: number): Uint8Array {
  const p = packet(size);
  p[6] = 0x40; // DF, offset 0
  p[7] = 0;
  p[9] = 6;
  return p;
}

const gbps = (pps: number, size: number): number => (pps * size * 8) / 1e9;

export async function run(): Promise<void> {
  for (const f of FRAMINGS) {
    for (const size of [64, 1500]) {
      const p = (f.packet ?? packet)(size);
      const link = ipLink(1);
      const count = f.perTransfer;
      // The first full transfer, kept for the decoder.
      let first: Uint8Array | undefined;
      const enc = f.encoder((t) => (first ??= t.slice()));
      for (let i = 0; i < count; i++) enc.send(link, p);
      enc.flush();
      const transfer = first!;
      let perTransfer = 0;
      f.decoder().decapsulate(transfer, { packet: () => perTransfer++, command() {} });

      let bytes = 0;
      const sink = { packet: (_l: Link, v: Uint8Array) => void (bytes += v.length), command() {} };
      const decoder = f.decoder();
      const decapOnce = (): void => decoder.decapsulate(transfer, sink);
      const decap = measure(decapOnce, perTransfer);
      const copy = memcpyRate(transfer.length);
      const copyPps = copy.opsPerSec * perTransfer;
      report({
        bench: `mux.${f.name}.decapsulate.${size}`,
        unit: 'packets/s',
        value: decap.opsPerSec,
        baseline: { name: `memcpy ${transfer.length} B`, value: copyPps },
        packetBytes: size,
        packetsPerTransfer: perTransfer,
        gbitPerSec: gbps(decap.opsPerSec, size),
        baselineGbitPerSec: gbps(copyPps, size),
        heapBytesPerPacket: heapBytesPerOp(decapOnce, perTransfer),
      });

      const encoder = f.encoder((t) => void (bytes += t.length));
      const encapOnce = (): void => {
        for (let i = 0; i < count; i++) encoder.send(link, p);
        encoder.flush();
      };
      const encap = measure(encapOnce, count);
      report({
        bench: `mux.${f.name}.encapsulate.${size}`,
        unit: 'packets/s',
        value: encap.opsPerSec,
        baseline: { name: `memcpy ${transfer.length} B`, value: copyPps },
        packetBytes: size,
        packetsPerTransfer: perTransfer,
        gbitPerSec: gbps(encap.opsPerSec, size),
        baselineGbitPerSec: gbps(copyPps, size),
        heapBytesPerPacket: heapBytesPerOp(encapOnce, count),
      });
      if (bytes < 0) throw new Error('unreachable: keeps the sinks observable');
    }
  }
}
