/**
 * The datapath thread's side (see datapath-thread.ts): a UserspaceBackend whose links are TUN devices
 * opened here and whose pipe is the modem's record socket, so every packet is read, framed and written
 * on this thread's event loop while the main thread does control. It answers the main thread's
 * requests, counts each netdev in the shared memory the main thread reads, and hands stream datagrams
 * over in both directions within a shared byte budget.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { PipeFormat } from '../mux/pipe.js';
import { sharedCounters } from '../net/netdev.js';
import { TunNetdev } from '../net/tun-netdev.js';
import type { StreamPort } from './backend.js';
import { connectRecordPipe } from './data-pipe.js';
import { UserspaceBackend } from './userspace.js';

export interface DatapathWorkerData {
  /** The modem's record socket. */
  pipe: string;
  queueLimit?: number;
  /** Where snapshots are asked for (a number: the request's sequence) and answered. */
  snapshots: MessagePort;
  /** Int32 cells: [0] set to 1 when a snapshot is posted; [1] stream bytes toward this thread, [2] toward main, not yet taken. */
  shared: SharedArrayBuffer;
}

export type DatapathRequest =
  | { op: 'setFormat'; seq: number; format: PipeFormat }
  | { op: 'attach'; seq: number; link: number; name: string; counters: SharedArrayBuffer }
  | { op: 'detach'; seq: number; link: number }
  | { op: 'attachStream'; seq: number; session: number }
  | { op: 'detachStream'; seq: number; session: number }
  | { op: 'close'; seq: number }
  /** A datagram toward the modem; not answered (refusals are counted in the snapshot's stats). */
  | { op: 'send'; session: number; payload: Uint8Array };

export type DatapathMessage =
  /** A request ended: the netdev's name (attach), the TUN's fd (so that main can close it should this thread die), or why it failed. */
  | { kind: 'done'; seq: number; name?: string; fd?: number; error?: string }
  | { kind: 'log'; line: string }
  | { kind: 'stream'; session: number; payload: Uint8Array };

/** What the main thread reads of this datapath at one moment. */
export interface DatapathSnapshot {
  format?: PipeFormat;
  /** The pipe's description (links' lower end). */
  lower: string;
  stats: Record<string, number>;
  drops: ReturnType<NonNullable<UserspaceBackend['datapath']>['drops']>;
  links: [number, { paused: boolean; pauses: number; queueDropped: number; channel?: { exists: boolean; remoteOpen: boolean; up: boolean } }][];
}

/** Stream bytes either way that may wait for the other thread before more are dropped. */
export const STREAM_BUDGET = 4 << 20;

function run(port: MessagePort, data: DatapathWorkerData): void {
  const shared = new Int32Array(data.shared);
  const post = (m: DatapathMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const counters = new Map<number, SharedArrayBuffer>();
  const streams = new Map<number, StreamPort>();
  /** Datagrams toward the modem its datapath refused, and toward main that found the budget spent. */
  const streamDrops = { toModem: 0, toMain: 0 };
  const backend = new UserspaceBackend({
    netdev: async (name, id) => new TunNetdev(name, sharedCounters(counters.get(id)!)),
    pipe: () => connectRecordPipe(data.pipe),
    log: (line) => post({ kind: 'log', line }),
    ...(data.queueLimit !== undefined ? { queueLimit: data.queueLimit } : {}),
  });

  const snapshot = (): DatapathSnapshot => {
    const dp = backend.datapath;
    return {
      ...(dp ? { format: dp.format } : {}),
      lower: dp?.pipe.description ?? 'no pipe',
      stats: { ...(dp?.stats ?? {}), streamDropsToModem: streamDrops.toModem, streamDropsToMain: streamDrops.toMain },
      drops: dp?.drops() ?? { receive: {}, send: {}, pipeWrites: 0 },
      links: [...(dp?.links.values() ?? [])].map((l) => {
        const channel = dp!.channelState(l.id);
        return [l.id, { paused: l.paused, pauses: l.pauses, queueDropped: l.queueDropped, ...(channel ? { channel: { ...channel } } : {}) }];
      }),
    };
  };
  data.snapshots.on('message', (seq: number) => {
    data.snapshots.postMessage({ seq, snapshot: snapshot() });
    Atomics.store(shared, 0, 1);
    Atomics.notify(shared, 0);
  });

  const handle = async (r: Exclude<DatapathRequest, { op: 'send' }>): Promise<Omit<Extract<DatapathMessage, { kind: 'done' }>, 'kind' | 'seq'>> => {
    switch (r.op) {
      case 'setFormat':
        await backend.setFormat(r.format);
        return {};
      case 'attach': {
        counters.set(r.link, r.counters);
        const netdev = (await backend.attach(r.link, { name: r.name })) as TunNetdev;
        return { name: netdev.name, fd: netdev.fd };
      }
      case 'detach':
        await backend.detach(r.link);
        counters.delete(r.link);
        return {};
      case 'attachStream': {
        const stream = await backend.attachStream(r.session);
        streams.set(r.session, stream);
        stream.onData((payload) => {
          // Bytes main has not taken yet count against the budget: a main thread that stalls costs drops, not memory.
          if (Atomics.load(shared, 2) + payload.length > STREAM_BUDGET) return void streamDrops.toMain++;
          Atomics.add(shared, 2, payload.length);
          const copy = payload.slice();
          post({ kind: 'stream', session: r.session, payload: copy }, [copy.buffer]);
        });
        return {};
      }
      case 'detachStream':
        streams.delete(r.session);
        await backend.detachStream(r.session);
        return {};
      case 'close':
        // The thread ends after this: links still attached lose their TUNs now, not at exit.
        for (const id of [...counters.keys()]) await backend.detach(id).catch(() => undefined);
        counters.clear();
        streams.clear();
        await backend.close();
        return {};
    }
  };

  port.on('message', (r: DatapathRequest) => {
    if (r.op === 'send') {
      Atomics.sub(shared, 1, r.payload.length);
      if (!streams.get(r.session)?.send(r.payload)) streamDrops.toModem++;
      return;
    }
    handle(r).then(
      (done) => post({ kind: 'done', seq: r.seq, ...done }),
      (e: unknown) => post({ kind: 'done', seq: r.seq, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

if (parentPort) run(parentPort, workerData as DatapathWorkerData);
