/** A data pipe in memory: what the host sends is collected, and the test plays the modem's transfers. */
import type { DataPipe } from '../../src/link/data-pipe.js';

export interface MemoryPipe extends DataPipe {
  /** Transfers the host sent, copied. */
  readonly sent: Uint8Array[];
  /** As the modem sending a transfer. */
  fromModem(transfer: Uint8Array): void;
  closed: boolean;
  /** As a modem falling behind (true) or catching up: false emits drain. */
  setCongested(on: boolean): void;
}

export function memoryPipe(description = 'memory pipe'): MemoryPipe {
  const listeners: ((t: Uint8Array) => void)[] = [];
  const drains: (() => void)[] = [];
  let congested = false;
  const pipe: MemoryPipe = {
    description,
    sent: [],
    closed: false,
    writeDrops: 0,
    send: (t) => void pipe.sent.push(t.slice()),
    onTransfer: (l) => void listeners.push(l),
    onClose: () => undefined,
    close: async () => void (pipe.closed = true),
    fromModem: (t) => {
      for (const l of listeners) l(t);
    },
    get congested() {
      return congested;
    },
    onDrain: (l) => void drains.push(l),
    setCongested: (on) => {
      congested = on;
      if (!on) for (const l of drains) l();
    },
  };
  return pipe;
}
