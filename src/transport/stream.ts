import type { Duplex, Writable } from 'node:stream';
import { TRANSPORT_CONGESTED, TRANSPORT_MAX_QUEUED, TransportClosedError, type Transport } from './types.js';

/**
 * A writer for `stream` whose writes of one tick leave together (cork, uncorked in a microtask): a
 * socket then takes a burst of transfers in one writev instead of a system call each.
 */
export function tickWriter(stream: Writable): (bytes: Uint8Array) => void {
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  return (bytes) => {
    if (!corked) {
      corked = true;
      stream.cork();
      queueMicrotask(uncork);
    }
    stream.write(bytes);
  };
}

/** A Transport over any Node duplex stream (unix socket, tty). */
export class StreamTransport implements Transport {
  private dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private closeListeners: ((error?: Error) => void)[] = [];
  private closeError: Error | undefined;
  private ended = false;
  private readonly send: (bytes: Uint8Array) => void;
  writeDrops = 0;

  /**
   * `batchWrites`: a tick's writes leave together (tickWriter), for a data pipe. Control channels
   * write each message as it comes: corking every stream made the USB modem's VM scenario lose an
   * MBIM answer (cause not found; see the closing note).
   */
  constructor(
    private readonly stream: Duplex,
    readonly description: string,
    batchWrites = false,
  ) {
    this.send = batchWrites ? tickWriter(stream) : (b) => void stream.write(b);
    stream.on('data', (chunk: Buffer) => {
      for (const l of this.dataListeners) l(chunk);
    });
    stream.on('error', (e) => {
      this.closeError ??= e;
    });
    stream.on('close', () => this.finish());
    stream.on('end', () => stream.destroy());
  }

  get closed(): boolean {
    return this.ended;
  }

  write(bytes: Uint8Array): void {
    if (this.ended) throw new TransportClosedError(this.description);
    if (this.stream.writableLength > TRANSPORT_MAX_QUEUED) this.writeDrops++;
    else this.send(bytes);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  get congested(): boolean {
    return this.stream.writableLength >= TRANSPORT_CONGESTED;
  }

  onDrain(listener: () => void): void {
    this.stream.on('drain', listener);
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.ended) queueMicrotask(() => listener(this.closeError));
    else this.closeListeners.push(listener);
  }

  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeListeners.push(() => resolve());
      this.stream.destroy();
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    const ls = this.closeListeners;
    this.closeListeners = [];
    for (const l of ls) l(this.closeError);
  }
}
