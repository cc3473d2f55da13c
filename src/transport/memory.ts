import { TransportClosedError, type Transport } from './types.js';

class MemoryEnd implements Transport {
  peer!: MemoryEnd;
  private dataListener: ((chunk: Uint8Array) => void)[] = [];
  private closeListeners: ((error?: Error) => void)[] = [];
  closed = false;
  /** Delivery is immediate (next tick): nothing queues, nothing is dropped. */
  readonly writeDrops = 0;

  constructor(readonly description: string) {}

  write(bytes: Uint8Array): void {
    if (this.closed) throw new TransportClosedError(this.description);
    // Copy and deliver asynchronously, as a real pipe would.
    const copy = bytes.slice();
    const peer = this.peer;
    setImmediate(() => {
      if (!peer.closed) for (const l of peer.dataListener) l(copy);
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener.push(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.closed) queueMicrotask(() => listener());
    else this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    this.shut();
    setImmediate(() => this.peer.shut());
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners.splice(0)) l();
  }
}

/** Two connected in-process transports: what one writes, the other receives. */
export function memoryPair(name = 'memory'): [Transport, Transport] {
  const a = new MemoryEnd(`${name}:a`);
  const b = new MemoryEnd(`${name}:b`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
