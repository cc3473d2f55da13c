/**
 * One USB function endpoint file (FunctionFS or GadgetFS) served by its own thread: these files block
 * in read() and write() until the host side moves, which would starve libuv's small pool. The thread
 * only moves bytes; every decision stays with the gadget on the main thread.
 *  - `out`: reads transfers and posts each one.
 *  - `in`: writes each posted transfer (blocking until the host takes it).
 *  - `ep0`: reads events; a SETUP is posted and the thread waits for the gadget's answer: read the data
 *    stage (OUT, posted back), write the data stage (IN), or stall.
 */
import { readSync, readvSync, writeSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';

export interface EndpointWorkerData {
  mode: 'ep0' | 'in' | 'out';
  fd: number;
  /** ep0: the event type number of SETUP (FunctionFS 4, GadgetFS 3). */
  setupType?: number;
  /** ep0: where the gadget answers SETUPs (synchronously received). */
  answers?: MessagePort;
  /**
   * ep0: written before the first read (GadgetFS: the device's descriptors). Written from this thread
   * so the thread is already reading when the host enumerates: GadgetFS fails setups nobody reads.
   */
  init?: Uint8Array;
  /** Bytes per read on `out`. */
  readSize?: number;
  /**
   * ep0: an OUT request's data stage is read as soon as its SETUP is, before the gadget answers.
   * GadgetFS has taken that data from the host before it reports the SETUP, so the host moves on to
   * its next control request at once; that next SETUP voids the unread data (EIDRM), and the command
   * it carried (an encapsulated command to the modem) would be lost while the gadget decides.
   */
  outDataFirst?: boolean;
}

export type EndpointMessage =
  | { kind: 'transfer'; data: Uint8Array }
  | { kind: 'event'; type: number; raw: Uint8Array }
  | { kind: 'setup'; setup: Uint8Array }
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'error'; code: string; message: string }
  /** ep0: an answer the host no longer waited for (it sent a new SETUP first). */
  | { kind: 'superseded'; during: string }
  /** ep0: the data stage of the last `write` answer did not reach the host. */
  | { kind: 'unsent' };

export type SetupAnswer = { action: 'read' } | { action: 'write'; data: Uint8Array } | { action: 'stall' };

const EVENT_SIZE = 12;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);
const post = (m: EndpointMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);
const errorOf = (e: unknown): EndpointMessage => ({ kind: 'error', code: (e as NodeJS.ErrnoException).code ?? 'EIO', message: (e as Error).message });
/** The endpoint is not (yet, or no longer) enabled by the host: worth retrying later. */
const transient = (e: unknown): boolean => ['ESHUTDOWN', 'EAGAIN', 'EINTR', 'ECONNRESET', 'EL2HLT', 'EBUSY', 'ENODEV'].includes((e as NodeJS.ErrnoException).code ?? '');
/**
 * ep0: the host sent a new SETUP (or the bus suspended) before the gadget answered the last one:
 * FunctionFS and GadgetFS fail the next ep0 read or write once with EIDRM. Normal under load; the
 * answer is void and the next event is read. (Node has no name for errno 43: matched by number.)
 */
const superseded = (e: unknown): boolean => (e as NodeJS.ErrnoException).errno === -43 || (e as NodeJS.ErrnoException).code === 'EIDRM';

function copy(buf: Buffer, n: number): Uint8Array {
  return new Uint8Array(buf.subarray(0, n));
}

function out(fd: number, size: number): void {
  const buf = Buffer.alloc(size);
  for (;;) {
    try {
      const n = readSync(fd, buf, 0, size, null);
      const data = copy(buf, n);
      post({ kind: 'transfer', data }, [data.buffer as ArrayBuffer]);
    } catch (e) {
      if (!transient(e)) return post(errorOf(e));
      sleep(50);
    }
  }
}

function write(fd: number, data: Uint8Array): void {
  for (let tries = 0; ; tries++) {
    try {
      writeSync(fd, data);
      return;
    } catch (e) {
      // Before the host enables the endpoint (or after a reset) writes fail; a transfer that cannot
      // go for 5 s is dropped and reported.
      if (!transient(e) || tries >= 100) return post(errorOf(e));
      sleep(50);
    }
  }
}

function ep0(fd: number, setupType: number, answers: MessagePort, init: Uint8Array | undefined, outDataFirst: boolean): void {
  if (init) {
    try {
      writeSync(fd, init);
    } catch (e) {
      return post(errorOf(e));
    }
  }
  const buf = Buffer.alloc(EVENT_SIZE * 4);
  let lastError: string | undefined;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if (superseded(e)) {
        post({ kind: 'superseded', during: 'event read' });
        continue;
      }
      // Only a closed file ends the thread: a dead ep0 would stall the whole control path. An
      // error that repeats is reported once.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EBADF') return post(errorOf(e));
      if (!transient(e) && code !== lastError) post(errorOf(e));
      lastError = code;
      sleep(transient(e) ? 20 : 100);
      continue;
    }
    lastError = undefined;
    for (let off = 0; off + EVENT_SIZE <= n; off += EVENT_SIZE) {
      const type = buf.readUInt32LE(off + 8);
      if (type !== setupType) {
        post({ kind: 'event', type, raw: copy(buf.subarray(off), EVENT_SIZE) });
        continue;
      }
      const setup = copy(buf.subarray(off), 8);
      const wLength = setup[6]! | (setup[7]! << 8);
      let early: Uint8Array | undefined;
      if (outDataFirst && !(setup[0]! & 0x80) && wLength > 0) {
        try {
          const data = Buffer.alloc(wLength);
          early = copy(data, readvSync(fd, [data]));
        } catch (e) {
          // Voided already: the host's data never reaches the gadget, which is not asked.
          post(superseded(e) ? { kind: 'superseded', during: `data stage of SETUP ${Buffer.from(setup).toString('hex')}` } : errorOf(e));
          continue;
        }
      }
      post({ kind: 'setup', setup });
      let answer: SetupAnswer | undefined;
      while (!answer) {
        answer = receiveMessageOnPort(answers)?.message as SetupAnswer | undefined;
        if (!answer) sleep(1);
      }
      try {
        if (early) post({ kind: 'data', data: early });
        else if (answer.action === 'write') writeSync(fd, answer.data.subarray(0, wLength));
        else if (answer.action === 'read') {
          // readvSync really calls read() for 0 bytes (readSync returns early): that read acks the status stage.
          const data = Buffer.alloc(wLength);
          const got = readvSync(fd, [data]);
          post({ kind: 'data', data: copy(data, got) });
        } else if (setup[0]! & 0x80) readvSync(fd, [Buffer.alloc(0)]); // reading an IN request stalls it
        else writeSync(fd, Buffer.alloc(0)); // writing an OUT request stalls it
      } catch (e) {
        // A stall reports an error on some kernels; the host sees the stall either way.
        if (answer.action === 'stall') continue;
        // Superseded (EIDRM), or, under dummy_hcd, completed with EOVERFLOW as stale when the next
        // SETUP came: the host no longer waits for this answer.
        const during = `${answer.action} for SETUP ${Buffer.from(setup).toString('hex')}`;
        const err = errorOf(e) as { code: string; message: string };
        post(superseded(e) ? { kind: 'superseded', during } : { kind: 'error', code: err.code, message: `${err.message} (${during})` });
        post(answer.action === 'read' ? { kind: 'data', data: new Uint8Array(0) } : { kind: 'unsent' });
      }
    }
  }
}

const data = workerData as EndpointWorkerData;
if (data.mode === 'out') out(data.fd, data.readSize ?? 32768);
else if (data.mode === 'in') parentPort!.on('message', (m: Uint8Array) => write(data.fd, m));
else ep0(data.fd, data.setupType!, data.answers!, data.init, data.outDataFirst ?? false);
