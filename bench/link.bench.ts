/**
 * Uplink aggregation as the link layer runs it: packets handed to the pipe a few per event-loop turn
 * (as TUN reads deliver them), framed as QMAPv5, flushed by the Pump, each transfer decoded by the
 * modem's side. With the time limit the modem negotiated in force, packets a few turns apart share a
 * transfer (up to 32 datagrams); the baseline is the same traffic with no time limit, where each
 * turn's packets leave in a transfer of their own. Figures: packets per transfer, with packets/s and
 * the mean delay a packet waits for its transfer beside them.
 */
import { report } from './harness.js';
import { Pump } from '../src/link/pump.js';
import { ipLink } from '../src/mux/framing.js';
import { PipeFraming, type PipeFormat } from '../src/mux/pipe.js';

const PACKET_BYTES = 1400;
/** Packets per event-loop turn. */
const PER_TURN = 4;
const TIME_LIMIT_MS = 1;

function ipv4(size: number): Uint8Array {
  const p = new Uint8Array(size).fill(0x5a);
  p[0] = 0x45;
  p[2] = size >> 8;
  p[3] = size & 0xff;
  return p;
}

interface Run {
  packetsPerSec: number;
  packetsPerTransfer: number;
  meanDelayMs: number;
}

async function uplink(timeLimitMs: number | undefined, ms = Number(process.env.BENCH_MS ?? 400)): Promise<Run> {
  const format: PipeFormat = { framing: 'qmap', version: 5, maxDatagrams: 32, maxBytes: 32768, ...(timeLimitMs ? { timeLimitMs } : {}) };
  const sentAt: number[] = [];
  let head = 0;
  let delivered = 0;
  let delaySum = 0;
  let transfers = 0;
  const modem = new PipeFraming({ ...format }, 'modem', () => undefined, {
    packet: () => {
      delaySum += performance.now() - sentAt[head++]!;
      delivered++;
    },
  });
  const host = new PipeFraming(format, 'host', (t) => {
    transfers++;
    modem.receive(t.slice());
  }, { packet: () => undefined });
  const pump = new Pump(host);
  const link = ipLink(1);
  const p = ipv4(PACKET_BYTES);
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < PER_TURN; i++) {
      sentAt.push(performance.now());
      host.send(link, p);
      sent++;
    }
    pump.sent();
    await new Promise((r) => setImmediate(r));
  }
  // The last transfer leaves at its time limit.
  while (delivered < sent) await new Promise((r) => setTimeout(r, 1));
  const elapsed = performance.now() - start;
  return { packetsPerSec: (sent * 1000) / elapsed, packetsPerTransfer: delivered / transfers, meanDelayMs: delaySum / delivered };
}

export async function run(): Promise<void> {
  await uplink(TIME_LIMIT_MS, 100); // warm-up
  const timed = await uplink(TIME_LIMIT_MS);
  const perTurn = await uplink(undefined);
  report({
    bench: 'link.uplink.qmap.timeLimit.packetsPerTransfer',
    unit: 'packets/transfer',
    value: timed.packetsPerTransfer,
    baseline: { name: 'the same traffic with no time limit (a transfer per event-loop turn)', value: perTurn.packetsPerTransfer },
    timeLimitMs: TIME_LIMIT_MS,
    packetBytes: PACKET_BYTES,
    packetsPerTurn: PER_TURN,
    packetsPerSec: Math.round(timed.packetsPerSec),
    baselinePacketsPerSec: Math.round(perTurn.packetsPerSec),
    meanDelayMs: Math.round(timed.meanDelayMs * 1000) / 1000,
    baselineMeanDelayMs: Math.round(perTurn.meanDelayMs * 1000) / 1000,
  });
}
