/** The threads that move a USB function's endpoint files (see endpoint-worker.ts), seen from the gadget. */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { EndpointMessage, EndpointWorkerData, SetupAnswer } from './endpoint-worker.js';
import { decodeSetup, type SetupPacket } from './descriptors.js';

/**
 * What the gadget does with a SETUP: send these bytes (IN; `unsent` runs if they never reach the
 * host), take the data stage (OUT) or stall.
 */
export type SetupReply = { write: Uint8Array; unsent?: () => void } | { read: (data: Uint8Array) => void } | 'stall';

export class EndpointThreads {
  /** ep0 answers the host gave up waiting for (it sent the next SETUP first); errors any endpoint reported. */
  readonly stats = { superseded: 0, endpointErrors: 0 };
  private readonly workers = new Set<Worker>();

  constructor(private readonly onError: (endpoint: string, message: string) => void) {}

  private spawn(name: string, data: EndpointWorkerData, transferList: MessagePort[] = [], onMessage: (m: EndpointMessage) => void = () => undefined): Worker {
    const w = new Worker(new URL('./endpoint-worker.js', import.meta.url), { workerData: data, transferList });
    w.on('message', (m: EndpointMessage) => (m.kind === 'error' ? this.failed(name, `${m.code}: ${m.message}`) : onMessage(m)));
    w.on('error', (e) => this.failed(name, e.message));
    w.on('exit', () => this.workers.delete(w));
    // Blocked in a read that never returns must not keep the process alive.
    w.unref();
    this.workers.add(w);
    return w;
  }

  private failed(endpoint: string, message: string): void {
    this.stats.endpointErrors++;
    this.onError(endpoint, message);
  }

  /** Each transfer the host sends on a bulk/interrupt OUT endpoint. */
  reader(name: string, fd: number, onTransfer: (data: Uint8Array) => void): void {
    this.spawn(name, { mode: 'out', fd, readSize: 65536 }, [], (m) => m.kind === 'transfer' && onTransfer(m.data));
  }

  /** A queue of transfers toward the host on an IN endpoint. */
  writer(name: string, fd: number): (data: Uint8Array) => void {
    const w = this.spawn(name, { mode: 'in', fd });
    return (data) => w.postMessage(data);
  }

  /** ep0: other events go to onEvent; each SETUP gets the gadget's reply. */
  ep0(fd: number, setupType: number, onSetup: (s: SetupPacket) => SetupReply, onEvent: (type: number, raw: Uint8Array) => void, init?: Uint8Array, outDataFirst = false): void {
    const { port1, port2 } = new MessageChannel();
    let pendingRead: ((data: Uint8Array) => void) | undefined;
    let pendingUnsent: (() => void) | undefined;
    this.spawn('ep0', { mode: 'ep0', fd, setupType, answers: port2, init, outDataFirst }, [port2], (m) => {
      if (m.kind === 'event') return onEvent(m.type, m.raw);
      if (m.kind === 'superseded') {
        this.stats.superseded++;
        return this.onError('ep0', `the host sent a new SETUP before the answer to the last (${m.during}); going on`);
      }
      if (m.kind === 'unsent') {
        const u = pendingUnsent;
        pendingUnsent = undefined;
        return u?.();
      }
      if (m.kind === 'data') {
        // An empty data stage after a failed read: nothing to deliver.
        const r = pendingRead;
        pendingRead = undefined;
        return m.data.length || !r ? r?.(m.data) : undefined;
      }
      if (m.kind !== 'setup') return;
      let reply: SetupReply;
      const setup = decodeSetup(m.setup);
      try {
        reply = setup ? onSetup(setup) : 'stall';
      } catch (e) {
        this.onError('ep0', `SETUP handler failed: ${(e as Error).message}`);
        reply = 'stall';
      }
      let answer: SetupAnswer;
      pendingUnsent = undefined;
      if (reply === 'stall') answer = { action: 'stall' };
      else if ('write' in reply) {
        pendingUnsent = reply.unsent;
        answer = { action: 'write', data: reply.write };
      }
      else {
        pendingRead = reply.read;
        answer = { action: 'read' };
      }
      port1.postMessage(answer);
    });
  }

  /** Stops the threads; one still blocked in the kernel (the function not unbound yet) is left behind, unref'd. */
  async close(): Promise<void> {
    const stopped = Promise.all([...this.workers].map((w) => w.terminate().catch(() => undefined)));
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  }
}
