/**
 * A datapath thread's side (see datapath-workers.ts): for each modem given to it, a UserspaceBackend
 * whose links are TUN devices opened here and whose pipe is the modem's record socket, so every packet
 * is read, framed and written on this thread's event loop while the main thread does control. It
 * answers the main thread's requests, counts each netdev in memory the main thread reads, and hands
 * stream datagrams over in both directions within a shared byte budget per modem.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { PipeFormat } from '../mux/pipe.js';
import { sharedCounters } from '../net/netdev.js';
import { TunNetdev } from '../net/tun-netdev.js';
import type { StreamPort } from './backend.js';
import { connectRecordPipe } from './data-pipe.js';
import { UserspaceBackend } from './userspace.js';

export interface DatapathWorkerData {
  /** Where snapshots are asked for ({ seq, datapath }) and answered ({ seq, snapshot }). */
  snapshots: MessagePort;
  /** One Int32 cell, set to 1 when a snapshot is posted. */
  signal: SharedArrayBuffer;
}

export type DatapathRequest =
  /** A modem's datapath on this thread: its pipe, and two Int32 cells of stream bytes not yet taken (toward this thread, toward main). */
  | { op: 'open'; seq: number; datapath: number; pipe: string; queueLimit?: number; budgets: SharedArrayBuffer }
  | { op: 'setFormat'; seq: number; datapath: number; format: PipeFormat }
  | { op: 'attach'; seq: number; datapath: number; link: number; name: string; counters: SharedArrayBuffer }
  | { op: 'detach'; seq: number; datapath: number; link: number }
  | { op: 'attachStream'; seq: number; datapath: number; session: number }
  | { op: 'detachStream'; seq: number; datapath: number; session: number }
  | { op: 'close'; seq: number; datapath: number }
  /** A datagram toward the modem; not answered (refusals are counted in the snapshot's stats). */
  | { op: 'send'; datapath: number; session: number; payload: Uint8Array };

export type DatapathMessage =
  /** A request ended: the netdev's name (attach), the TUN's fd (so that main can close it should this thread die), or why it failed. */
  | { kind: 'done'; seq: number; name?: string; fd?: number; error?: string }
  | { kind: 'log'; datapath: number; line: string }
  | { kind: 'stream'; datapath: number; session: number; payload: Uint8Array };

/** What the main thread reads of one datapath at one moment. */
export interface DatapathSnapshot {
  format?: PipeFormat;
  /** The pipe's description (links' lower end). */
  lower: string;
  stats: Record<string, number>;
  drops: { receive: Record<string, number>; send: Record<string, number>; pipeWrites: number };
  links: [number, { paused: boolean; pauses: number; queueDropped: number; channel?: { exists: boolean; remoteOpen: boolean; up: boolean } }][];
}

export const EMPTY_SNAPSHOT: DatapathSnapshot = { lower: 'no pipe', stats: {}, drops: { receive: {}, send: {}, pipeWrites: 0 }, links: [] };

/** Stream bytes either way, per modem, that may wait for the other thread before more are dropped. */
export const STREAM_BUDGET = 4 << 20;
/** The budgets' cells. */
export const TO_WORKER = 0;
export const TO_MAIN = 1;

/** One modem's datapath on this thread. */
class Hosted {
  readonly counters = new Map<number, SharedArrayBuffer>();
  readonly streams = new Map<number, StreamPort>();
  /** Datagrams toward the modem its datapath refused, and toward main that found the budget spent. */
  readonly streamDrops = { toModem: 0, toMain: 0 };
  readonly budgets: Int32Array;
  readonly backend: UserspaceBackend;

  constructor(
    private readonly id: number,
    r: Extract<DatapathRequest, { op: 'open' }>,
    private readonly post: (m: DatapathMessage, transfer?: ArrayBuffer[]) => void,
  ) {
    this.budgets = new Int32Array(r.budgets);
    this.backend = new UserspaceBackend({
      netdev: async (name, link) => new TunNetdev(name, sharedCounters(this.counters.get(link)!)),
      pipe: () => connectRecordPipe(r.pipe),
      log: (line) => post({ kind: 'log', datapath: id, line }),
      ...(r.queueLimit !== undefined ? { queueLimit: r.queueLimit } : {}),
    });
  }

  snapshot(): DatapathSnapshot {
    const dp = this.backend.datapath;
    if (!dp) return EMPTY_SNAPSHOT;
    return {
      format: dp.format,
      lower: dp.pipe.description,
      stats: { ...dp.stats, streamDropsToModem: this.streamDrops.toModem, streamDropsToMain: this.streamDrops.toMain },
      drops: dp.drops(),
      links: [...dp.links.values()].map((l) => {
        const channel = dp.channelState(l.id);
        return [l.id, { paused: l.paused, pauses: l.pauses, queueDropped: l.queueDropped, ...(channel ? { channel: { ...channel } } : {}) }];
      }),
    };
  }

  async attachStream(session: number): Promise<void> {
    const stream = await this.backend.attachStream(session);
    this.streams.set(session, stream);
    stream.onData((payload) => {
      // Bytes main has not taken yet count against the budget: a main thread that stalls costs drops, not memory.
      if (Atomics.load(this.budgets, TO_MAIN) + payload.length > STREAM_BUDGET) return void this.streamDrops.toMain++;
      Atomics.add(this.budgets, TO_MAIN, payload.length);
      const copy = payload.slice();
      this.post({ kind: 'stream', datapath: this.id, session, payload: copy }, [copy.buffer]);
    });
  }

  send(session: number, payload: Uint8Array): void {
    Atomics.sub(this.budgets, TO_WORKER, payload.length);
    if (!this.streams.get(session)?.send(payload)) this.streamDrops.toModem++;
  }

  async close(): Promise<void> {
    // Links still attached lose their TUNs now: nothing of this modem's is left open on the thread.
    for (const link of [...this.counters.keys()]) await this.backend.detach(link).catch(() => undefined);
    this.counters.clear();
    this.streams.clear();
    await this.backend.close();
  }
}

function run(port: MessagePort, data: DatapathWorkerData): void {
  const signal = new Int32Array(data.signal);
  const post = (m: DatapathMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const hosted = new Map<number, Hosted>();

  data.snapshots.on('message', ({ seq, datapath }: { seq: number; datapath: number }) => {
    data.snapshots.postMessage({ seq, snapshot: hosted.get(datapath)?.snapshot() ?? EMPTY_SNAPSHOT });
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });

  const handle = async (r: Exclude<DatapathRequest, { op: 'send' }>): Promise<Omit<Extract<DatapathMessage, { kind: 'done' }>, 'kind' | 'seq'>> => {
    if (r.op === 'open') {
      if (hosted.has(r.datapath)) throw new Error(`datapath ${r.datapath} is open already`);
      hosted.set(r.datapath, new Hosted(r.datapath, r, post));
      return {};
    }
    const h = hosted.get(r.datapath);
    if (!h) throw new Error(`no datapath ${r.datapath} on this thread`);
    switch (r.op) {
      case 'setFormat':
        await h.backend.setFormat(r.format);
        return {};
      case 'attach': {
        h.counters.set(r.link, r.counters);
        const netdev = (await h.backend.attach(r.link, { name: r.name })) as TunNetdev;
        return { name: netdev.name, fd: netdev.fd };
      }
      case 'detach':
        await h.backend.detach(r.link);
        h.counters.delete(r.link);
        return {};
      case 'attachStream':
        await h.attachStream(r.session);
        return {};
      case 'detachStream':
        h.streams.delete(r.session);
        await h.backend.detachStream(r.session);
        return {};
      case 'close':
        hosted.delete(r.datapath);
        await h.close();
        return {};
    }
  };

  port.on('message', (r: DatapathRequest) => {
    if (r.op === 'send') return hosted.get(r.datapath)?.send(r.session, r.payload);
    handle(r).then(
      (done) => post({ kind: 'done', seq: r.seq, ...done }),
      (e: unknown) => post({ kind: 'done', seq: r.seq, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

if (parentPort) run(parentPort, workerData as DatapathWorkerData);
