/**
 * The userspace datapath on a thread of its own: the pipe, the framing and the links' TUN devices live
 * on a datapath thread (datapath-workers.ts), so moving packets takes another core and never waits
 * behind control on the main thread. This side is the LinkBackend the modem sees: requests go over and
 * are answered, netdev counters are read in shared memory, and what the datapath reports (format, drops,
 * flow control, channels) is read by a short synchronous snapshot.
 */
import { closeSync } from 'node:fs';
import type { PipeFormat } from '../mux/pipe.js';
import { SHARED_COUNTERS_BYTES, sharedCounters, type Netdev, type NetdevConfig, type NetdevCounters } from '../net/netdev.js';
import { configureTun } from '../net/tun-netdev.js';
import type { DatapathView, IpLinkConfig, LinkBackend, LinkTopology, StreamPort } from './backend.js';
import { STREAM_BUDGET, TO_MAIN, TO_WORKER, type DatapathSnapshot } from './datapath-worker.js';
import { datapathWorker, releaseDatapathWorker, type DatapathWorker, type Done, type Request } from './datapath-workers.js';

export interface DatapathThreadOptions {
  /** The modem's record socket (the data pipe). */
  pipe: string;
  /** Packets a link paused by flow control may hold. */
  queueLimit?: number;
  log?: (line: string) => void;
}

/** A request as this side asks it: the datapath's id is added on the way. */
type Ask = Request extends infer R ? (R extends { datapath: number } ? Omit<R, 'datapath'> : never) : never;

/** Closing waits this long for the thread to close the TUNs before their fds are closed here. */
const CLOSE_TIMEOUT_MS = 2_000;
/** A datapath whose thread died this many times within RESTART_WINDOW_MS is not restarted again. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/** A link's TUN as this thread knows it: its packets move on the datapath thread, its counters are shared. */
class ThreadTun implements Netdev {
  readonly kind = 'tun';
  readonly counters: NetdevCounters;
  /** The addresses last given, set again on the TUN a restarted thread makes. */
  config: NetdevConfig | undefined;

  constructor(
    readonly name: string,
    readonly memory: SharedArrayBuffer,
  ) {
    this.counters = sharedCounters(memory);
  }

  configure(config: NetdevConfig): Promise<void> {
    this.config = config;
    return configureTun(this.name, config);
  }

  async close(): Promise<void> {
    // The TUN is the datapath thread's and closes when the backend detaches the link.
  }
}

export class DatapathThread implements LinkBackend {
  readonly kind = 'userspace';
  private current: PipeFormat | undefined;
  private thread!: DatapathWorker;
  private id!: number;
  /** The thread has this datapath open (after a restart: and its links back). */
  private ready!: Promise<unknown>;
  /** Int32 cells: stream bytes posted toward the thread, and toward here, not yet taken. */
  private readonly budgets: Int32Array;
  private readonly netdevs = new Map<number, ThreadTun>();
  /** The TUN fds the datapath thread opened, closed here should it die before it could. */
  private readonly fds = new Map<number, number>();
  private readonly streams = new Map<number, ((payload: Uint8Array) => void)[]>();
  /** Why this datapath carries nothing any more (its thread died too often); set, every request is refused with it. */
  private failure: Error | undefined;
  private closed = false;
  private readonly restarts: number[] = [];
  private view: { of: DatapathSnapshot; view: DatapathView } | undefined;

  constructor(private readonly options: DatapathThreadOptions) {
    this.budgets = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    this.ready = this.open();
    // A failure is told to whoever asks next.
    this.ready.catch(() => undefined);
  }

  /** Takes a place on a datapath thread and opens this datapath there. */
  private open(): Promise<Done> {
    ({ thread: this.thread, id: this.id } = datapathWorker({
      log: (line) => this.options.log?.(line),
      stream: (session, payload) => {
        Atomics.sub(this.budgets, TO_MAIN, payload.length);
        for (const r of this.streams.get(session) ?? []) r(payload);
      },
      failed: (e) => this.failed(e),
    }));
    const { pipe, queueLimit } = this.options;
    return this.ask({ op: 'open', pipe, budgets: this.budgets.buffer as SharedArrayBuffer, ...(queueLimit !== undefined ? { queueLimit } : {}) });
  }

  get format(): PipeFormat | undefined {
    return this.current;
  }

  /** The datapath as its thread last reported it (asked at most once per turn); undefined until a format is set. */
  get datapath(): DatapathView | undefined {
    const s = this.thread.snapshot(this.id);
    if (!s.format) return undefined;
    // One view per snapshot: a metrics scrape asks for it once per bearer.
    if (this.view?.of !== s) {
      const links = new Map(s.links.map(([id, l]) => [id, { paused: l.paused, pauses: l.pauses, queueDropped: l.queueDropped }]));
      this.view = { of: s, view: { format: s.format, stats: s.stats as unknown as DatapathView['stats'], links, drops: () => s.drops } };
    }
    return this.view.view;
  }

  async setFormat(format: PipeFormat): Promise<void> {
    await this.request({ op: 'setFormat', format });
    this.current = format;
  }

  async attach(id: number, config: IpLinkConfig): Promise<Netdev> {
    const had = this.netdevs.get(id);
    if (had) return had;
    const memory = new SharedArrayBuffer(SHARED_COUNTERS_BYTES);
    const done = await this.request({ op: 'attach', link: id, name: config.name, counters: memory });
    const netdev = new ThreadTun(done.name!, memory);
    this.netdevs.set(id, netdev);
    if (done.fd !== undefined) this.fds.set(id, done.fd);
    return netdev;
  }

  async detach(id: number): Promise<void> {
    if (!this.netdevs.delete(id)) return;
    // Forgotten first: should the thread die mid-way, an fd it may have closed (and the number reused) is never closed here.
    this.fds.delete(id);
    await this.request({ op: 'detach', link: id }).catch((e: Error) => this.options.log?.(`link ${id}: ${e.message}`));
  }

  async attachStream(session: number): Promise<StreamPort> {
    if (this.streams.has(session)) throw new Error(`stream ${session} is already attached`);
    const receivers: ((payload: Uint8Array) => void)[] = [];
    this.streams.set(session, receivers);
    try {
      await this.request({ op: 'attachStream', session });
    } catch (e) {
      this.streams.delete(session);
      throw e;
    }
    return {
      send: (payload) => {
        // What the datapath thread has not taken yet is bounded: past the budget a datagram is dropped here.
        if (this.streams.get(session) !== receivers || this.failure || Atomics.load(this.budgets, TO_WORKER) + payload.length > STREAM_BUDGET) return false;
        Atomics.add(this.budgets, TO_WORKER, payload.length);
        this.thread.post({ op: 'send', datapath: this.id, session, payload: payload.slice() });
        return true;
      },
      onData: (receive) => void receivers.push(receive),
    };
  }

  async detachStream(session: number): Promise<void> {
    if (!this.streams.delete(session)) return;
    await this.request({ op: 'detachStream', session }).catch(() => undefined);
  }

  topology(id: number, kind: 'ip' | 'stream'): LinkTopology | undefined {
    const s = this.thread.snapshot(this.id);
    if (kind === 'stream') return this.streams.has(id) ? { lower: s.lower, upper: `dss${id}` } : undefined;
    const netdev = this.netdevs.get(id);
    const channel = s.links.find(([l]) => l === id)?.[1].channel;
    return netdev && { lower: s.lower, upper: netdev.name, ...(channel ? { channel } : {}) };
  }

  stats(): Record<string, unknown> {
    const s = this.thread.snapshot(this.id);
    return s.format ? { ...s.stats, drops: s.drops, thread: this.failure ? this.failure.message : 'running' } : {};
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.streams.clear();
    // The thread closes the TUNs; should it not (gone, or no answer), the fds it reported are closed here.
    const done = await this.request({ op: 'close' }, CLOSE_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    if (done) this.fds.clear();
    this.closeFds();
    await releaseDatapathWorker(this.thread, this.id);
  }

  /** A request for this datapath, once the thread has it open (after a restart: with its links back). */
  private async request(r: Ask, timeoutMs?: number): Promise<Done> {
    if (this.failure) throw this.failure;
    await this.ready;
    return this.ask(r, timeoutMs);
  }

  /** A request for this datapath on its current thread, now. */
  private ask(r: Ask, timeoutMs?: number): Promise<Done> {
    return this.thread.request({ ...r, datapath: this.id } as Request, timeoutMs);
  }

  /**
   * The thread died (with it the TUNs, whose fds are closed here): the datapath starts again on a
   * thread and brings its links back as they were — the same names, counters and addresses, the
   * streams attached — unless it has died too often, when it stays down and says why.
   */
  private failed(error: Error): void {
    if (this.closed || this.failure) return;
    this.closeFds();
    const dead = this.thread;
    void releaseDatapathWorker(dead, this.id);
    const now = Date.now();
    this.restarts.push(now);
    while (this.restarts[0]! < now - RESTART_WINDOW_MS) this.restarts.shift();
    if (this.restarts.length > MAX_RESTARTS) {
      this.failure = new Error(`${error.message}; ${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 1000} s, so its links carry nothing until the modem is set up again`);
      return this.options.log?.(this.failure.message);
    }
    this.options.log?.(`${error.message}; starting the datapath again with its ${this.netdevs.size} links`);
    // Datagrams in flight went with the thread.
    Atomics.store(this.budgets, TO_WORKER, 0);
    Atomics.store(this.budgets, TO_MAIN, 0);
    this.ready = this.restore();
    this.ready.catch((e: Error) => this.options.log?.(`the datapath could not start again: ${e.message}`));
  }

  private async restore(): Promise<void> {
    await this.open();
    if (this.current) await this.ask({ op: 'setFormat', format: this.current });
    for (const [link, netdev] of this.netdevs) {
      const done = await this.ask({ op: 'attach', link, name: netdev.name, counters: netdev.memory });
      if (done.fd !== undefined) this.fds.set(link, done.fd);
      if (done.name !== netdev.name) this.options.log?.(`link ${link} came back as ${done.name}, not ${netdev.name}`);
      if (netdev.config) await configureTun(netdev.name, netdev.config);
    }
    for (const session of this.streams.keys()) await this.ask({ op: 'attachStream', session });
  }

  private closeFds(): void {
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        // Closed already by the datapath thread.
      }
    }
    this.fds.clear();
  }
}
