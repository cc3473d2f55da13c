/**
 * The datapath threads: workers (datapath-worker.ts) that move TUN links' packets, shared by the
 * modems' datapaths — as many as the cores beside the main thread, each modem on the one with the
 * fewest, so a fleet does not make a thread per modem. A thread with no modem left is stopped.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { EMPTY_SNAPSHOT, type DatapathMessage, type DatapathRequest, type DatapathSnapshot, type DatapathWorkerData } from './datapath-worker.js';

/** How long a snapshot may hold the main thread while a datapath thread is busy; the last figures stand after that. */
const SNAPSHOT_WAIT_MS = 250;
/** A request a datapath thread leaves unanswered fails after this (it opens a socket at most). */
export const REQUEST_TIMEOUT_MS = 10_000;

export type Request = DatapathRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;
export type Done = Extract<DatapathMessage, { kind: 'done' }>;

/** What a datapath on a thread hears from it. */
export interface ThreadUser {
  log(line: string): void;
  stream(session: number, payload: Uint8Array): void;
  /** The thread is gone: its TUNs with it. */
  failed(error: Error): void;
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

/** One datapath thread and the datapaths it carries. */
export class DatapathWorker {
  readonly users = new Map<number, ThreadUser>();
  readonly worker: Worker;
  private readonly snapshots: MessagePort;
  private readonly signal: Int32Array;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (d: Done) => void; reject: (e: Error) => void }>();
  /** Why the thread is gone; set, every request is refused with it. */
  failure: Error | undefined;
  private stopping = false;
  private snapshotSeq = 0;
  /** Each datapath's last snapshot, and whether it was taken this turn of the event loop (one exchange serves a whole scrape). */
  private readonly last = new Map<number, { snapshot: DatapathSnapshot; fresh: boolean }>();

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.snapshots = port1;
    const signal = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    this.signal = new Int32Array(signal);
    const data: DatapathWorkerData = { snapshots: port2, signal };
    const entry = workerEntry();
    // The TUN fds are opened by the addon, not fs.open: the worker does not track them (each DatapathThread does).
    this.worker = new Worker(entry.entry, { eval: entry.eval, workerData: data, transferList: [port2], trackUnmanagedFds: false });
    this.worker.on('message', (m: DatapathMessage) => this.message(m));
    this.worker.on('error', (e) => this.fail(new Error(`datapath thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`datapath thread exited (code ${code})`)));
  }

  request(r: Request, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Done> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<Done>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`the datapath thread did not answer ${r.op} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle =
        <T>(f: (v: T) => void) =>
        (v: T): void => {
          clearTimeout(timer);
          f(v);
        };
      this.pending.set(seq, { resolve: settle(resolve), reject: settle(reject) });
      this.worker.postMessage({ ...r, seq } as DatapathRequest);
    }).then((d) => (d.error !== undefined ? Promise.reject(new Error(d.error)) : d));
  }

  /** Posts without an answer (a stream datagram). */
  post(r: Extract<DatapathRequest, { op: 'send' }>): void {
    this.worker.postMessage(r, [r.payload.buffer as ArrayBuffer]);
  }

  /**
   * Datapath `id`'s figures, asked of the thread and waited for (at most SNAPSHOT_WAIT_MS): callers
   * such as a metrics scrape read them synchronously.
   */
  snapshot(id: number): DatapathSnapshot {
    const had = this.last.get(id);
    if ((had && had.fresh) || this.failure) return had?.snapshot ?? EMPTY_SNAPSHOT;
    const seq = ++this.snapshotSeq;
    Atomics.store(this.signal, 0, 0);
    this.snapshots.postMessage({ seq, datapath: id });
    Atomics.wait(this.signal, 0, 0, SNAPSHOT_WAIT_MS);
    // Answers to earlier asks that timed out come first and are dropped; only this one's counts.
    for (let m = receiveMessageOnPort(this.snapshots); m; m = receiveMessageOnPort(this.snapshots)) {
      const answer = m.message as { seq: number; snapshot: DatapathSnapshot };
      if (answer.seq !== seq) continue;
      this.last.set(id, { snapshot: answer.snapshot, fresh: true });
      setImmediate(() => {
        const entry = this.last.get(id);
        if (entry) entry.fresh = false;
      });
    }
    return this.last.get(id)?.snapshot ?? EMPTY_SNAPSHOT;
  }

  forget(id: number): void {
    this.users.delete(id);
    this.last.delete(id);
  }

  /** Stops the thread (its datapaths closed first by their owners). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }

  private message(m: DatapathMessage): void {
    if (m.kind === 'log') return this.users.get(m.datapath)?.log(m.line);
    if (m.kind === 'stream') return this.users.get(m.datapath)?.stream(m.session, m.payload);
    const p = this.pending.get(m.seq);
    this.pending.delete(m.seq);
    p?.resolve(m);
  }

  private fail(error: Error): void {
    if (this.stopping || this.failure) return;
    this.failure = error;
    threads.delete(this);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const u of this.users.values()) u.failed(error);
  }
}

const threads = new Set<DatapathWorker>();
let nextDatapath = 1;

/** A datapath thread for one more modem's datapath (a new one while there are cores to spare), and its id there. */
export function datapathWorker(user: ThreadUser): { thread: DatapathWorker; id: number } {
  const most = Math.max(1, availableParallelism() - 1);
  let thread = [...threads].sort((a, b) => a.users.size - b.users.size)[0];
  if (!thread || (thread.users.size > 0 && threads.size < most)) {
    thread = new DatapathWorker();
    threads.add(thread);
  }
  const id = nextDatapath++;
  thread.users.set(id, user);
  return { thread, id };
}

/** Datapath `id` is closed: a thread left with none stops. */
export async function releaseDatapathWorker(thread: DatapathWorker, id: number): Promise<void> {
  thread.forget(id);
  if (thread.users.size > 0) return;
  threads.delete(thread);
  await thread.stop();
}
