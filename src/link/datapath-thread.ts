/**
 * The userspace datapath on a thread of its own: the pipe, the framing and the links' TUN devices live
 * in a worker (datapath-worker.ts), so moving packets takes a core of its own and never waits behind
 * control on the main thread. This side is the LinkBackend the modem sees: requests go over and are
 * answered, netdev counters are read in shared memory, and what the datapath reports (format, drops,
 * flow control, channels) is read by a short synchronous snapshot.
 */
import { closeSync } from 'node:fs';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { PipeFormat } from '../mux/pipe.js';
import { SHARED_COUNTERS_BYTES, sharedCounters, type Netdev, type NetdevConfig, type NetdevCounters } from '../net/netdev.js';
import { configureTun } from '../net/tun-netdev.js';
import type { DatapathView, IpLinkConfig, LinkBackend, LinkTopology, StreamPort } from './backend.js';
import { STREAM_BUDGET, type DatapathMessage, type DatapathRequest, type DatapathSnapshot, type DatapathWorkerData } from './datapath-worker.js';

export interface DatapathThreadOptions {
  /** The modem's record socket (the data pipe). */
  pipe: string;
  /** Packets a link paused by flow control may hold. */
  queueLimit?: number;
  log?: (line: string) => void;
}

/** How long a snapshot may hold this thread while the datapath thread is busy; the last figures stand after that. */
const SNAPSHOT_WAIT_MS = 250;
/** A request the datapath thread leaves unanswered fails after this (it opens a socket at most). */
const REQUEST_TIMEOUT_MS = 10_000;
/** Closing waits this long for the thread to close its TUNs before it is stopped (and the fds closed here). */
const CLOSE_TIMEOUT_MS = 2_000;

type Request = DatapathRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;
type Done = Extract<DatapathMessage, { kind: 'done' }>;

/** A link's TUN as this thread knows it: its packets move on the datapath thread, its counters are shared. */
class ThreadTun implements Netdev {
  readonly kind = 'tun';
  constructor(
    readonly name: string,
    readonly counters: NetdevCounters,
  ) {}

  configure(config: NetdevConfig): Promise<void> {
    return configureTun(this.name, config);
  }

  async close(): Promise<void> {
    // The TUN is the datapath thread's and closes when the backend detaches the link.
  }
}

/**
 * The worker's entry. Where the sources run unbuilt (tests, the bench under tsx) it is the TypeScript
 * file, loaded after registering tsx in the worker (a worker does not inherit the parent's loader).
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./datapath-worker.js', import.meta.url), eval: false };
  const source = JSON.stringify(new URL('./datapath-worker.ts', import.meta.url).href);
  return { entry: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${source}); });`, eval: true };
}

export class DatapathThread implements LinkBackend {
  readonly kind = 'userspace';
  private current: PipeFormat | undefined;
  private readonly worker: Worker;
  private readonly snapshots: MessagePort;
  private readonly shared: Int32Array;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (d: Done) => void; reject: (e: Error) => void }>();
  private readonly netdevs = new Map<number, ThreadTun>();
  /** The TUN fds the datapath thread opened, closed here should it die before it could. */
  private readonly fds = new Map<number, number>();
  private readonly streams = new Map<number, ((payload: Uint8Array) => void)[]>();
  /** Why the datapath thread is gone; set, every request is refused with it. */
  private failure: Error | undefined;
  private closed = false;
  private snapshotSeq = 0;
  private last: DatapathSnapshot = { lower: 'no pipe', stats: {}, drops: { receive: {}, send: {}, pipeWrites: 0 }, links: [] };
  /** The snapshot taken this turn of the event loop: one exchange serves a whole metrics scrape or listing. */
  private fresh = false;

  constructor(private readonly options: DatapathThreadOptions) {
    const { port1, port2 } = new MessageChannel();
    this.snapshots = port1;
    const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    this.shared = new Int32Array(shared);
    const data: DatapathWorkerData = { pipe: options.pipe, snapshots: port2, shared, ...(options.queueLimit !== undefined ? { queueLimit: options.queueLimit } : {}) };
    const entry = workerEntry();
    // The TUN fds are opened by the addon, not fs.open: the worker does not track them (the fds map here does).
    this.worker = new Worker(entry.entry, { eval: entry.eval, workerData: data, transferList: [port2], trackUnmanagedFds: false });
    this.worker.on('message', (m: DatapathMessage) => this.message(m));
    this.worker.on('error', (e) => this.fail(new Error(`datapath thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`datapath thread exited (code ${code})`)));
  }

  get format(): PipeFormat | undefined {
    return this.current;
  }

  /** The datapath as its thread last reported it (asked at most once per turn); undefined until a format is set. */
  get datapath(): DatapathView | undefined {
    const s = this.snapshot();
    if (!s.format) return undefined;
    const links = new Map(s.links.map(([id, l]) => [id, { paused: l.paused, pauses: l.pauses, queueDropped: l.queueDropped }]));
    return { format: s.format, stats: s.stats as unknown as DatapathView['stats'], links, drops: () => s.drops };
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
    const netdev = new ThreadTun(done.name!, sharedCounters(memory));
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
        if (this.streams.get(session) !== receivers || this.failure || Atomics.load(this.shared, 1) + payload.length > STREAM_BUDGET) return false;
        Atomics.add(this.shared, 1, payload.length);
        const copy = payload.slice();
        this.worker.postMessage({ op: 'send', session, payload: copy } satisfies DatapathRequest, [copy.buffer]);
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
    const s = this.snapshot();
    if (kind === 'stream') return this.streams.has(id) ? { lower: s.lower, upper: `dss${id}` } : undefined;
    const netdev = this.netdevs.get(id);
    const channel = s.links.find(([l]) => l === id)?.[1].channel;
    return netdev && { lower: s.lower, upper: netdev.name, ...(channel ? { channel } : {}) };
  }

  stats(): Record<string, unknown> {
    const s = this.snapshot();
    return s.format ? { ...s.stats, drops: s.drops, thread: this.failure ? this.failure.message : 'running' } : {};
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.streams.clear();
    // The thread closes its TUNs; should it fail to, the fds it reported are closed here.
    const done = await this.request({ op: 'close' }, CLOSE_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    this.closed = true;
    if (done) this.fds.clear();
    await this.worker.terminate();
    this.closeFds();
  }

  private request(r: Request, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Done> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<Done>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`the datapath thread did not answer ${r.op} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = <T>(f: (v: T) => void) => (v: T): void => {
        clearTimeout(timer);
        f(v);
      };
      this.pending.set(seq, { resolve: settle(resolve), reject: settle(reject) });
      this.worker.postMessage({ ...r, seq } as DatapathRequest);
    }).then((d) => (d.error !== undefined ? Promise.reject(new Error(d.error)) : d));
  }

  private message(m: DatapathMessage): void {
    if (m.kind === 'log') return this.options.log?.(m.line);
    if (m.kind === 'stream') {
      Atomics.sub(this.shared, 2, m.payload.length);
      for (const r of this.streams.get(m.session) ?? []) r(m.payload);
      return;
    }
    const p = this.pending.get(m.seq);
    this.pending.delete(m.seq);
    p?.resolve(m);
  }

  /**
   * Asks the datapath thread for its figures and waits for them (at most SNAPSHOT_WAIT_MS): callers
   * such as a metrics scrape read them synchronously.
   */
  private snapshot(): DatapathSnapshot {
    if (this.fresh || this.failure || this.closed) return this.last;
    const seq = ++this.snapshotSeq;
    Atomics.store(this.shared, 0, 0);
    this.snapshots.postMessage(seq);
    Atomics.wait(this.shared, 0, 0, SNAPSHOT_WAIT_MS);
    // Answers to earlier asks that timed out come first; only this one's counts as fresh.
    for (let m = receiveMessageOnPort(this.snapshots); m; m = receiveMessageOnPort(this.snapshots)) {
      const answer = m.message as { seq: number; snapshot: DatapathSnapshot };
      this.last = answer.snapshot;
      if (answer.seq === seq) {
        this.fresh = true;
        setImmediate(() => (this.fresh = false));
      }
    }
    return this.last;
  }

  private fail(error: Error): void {
    if (this.closed || this.failure) return;
    this.failure = error;
    this.options.log?.(`${error.message}: its links carry nothing until the modem's data is set up again`);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.closeFds();
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
