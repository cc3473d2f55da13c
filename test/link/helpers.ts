/** A data pipe in memory: what the host sends is collected, and the test plays the modem's transfers. */
import type { DataPipe } from '../../src/link/data-pipe.js';

export interface MemoryPipe extends DataPipe {
  /** Transfers the host sent, copied. */
  readonly sent: Uint8Array[];
  /** As the modem sending a transfer. */
  fromModem(transfer: Uint8Array): void;
  closed: boolean;
  /** As a modem falling behind (true: the next send says hold) or catching up (false: released). */
  setCongested(on: boolean): void;
}

export function memoryPipe(description = 'memory pipe'): MemoryPipe {
  const listeners: ((t: Uint8Array) => void)[] = [];
  const holds: ((on: boolean) => void)[] = [];
  let congested = false;
  let holding = false;
  const hold = (on: boolean): void => {
    if (on === holding) return;
    holding = on;
    for (const l of holds) l(on);
  };
  const pipe: MemoryPipe = {
    description,
    sent: [],
    closed: false,
    writeDrops: 0,
    send: (t) => {
      pipe.sent.push(t.slice());
      if (congested) hold(true);
    },
    onTransfer: (l) => void listeners.push(l),
    onClose: () => undefined,
    close: async () => void (pipe.closed = true),
    fromModem: (t) => {
      for (const l of listeners) l(t);
    },
    onHold: (l) => void holds.push(l),
    setCongested: (on) => {
      congested = on;
      if (!on) hold(false);
    },
  };
  return pipe;
}
