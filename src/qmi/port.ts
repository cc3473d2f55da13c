/** A QMUX port: whole QMUX frames in and out, over a byte transport (or tunnelled, e.g. in MBIM). */
import type { Transport } from '../transport/types.js';
import { QmuxFramer, type QmuxFramerStats } from './framer.js';

export interface QmuxPort {
  readonly description: string;
  readonly closed: boolean;
  send(frame: Uint8Array): void;
  onFrame(listener: (frame: Uint8Array) => void): void;
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
  /** Bytes the port skipped, if it frames a byte stream. */
  readonly framing?: QmuxFramerStats;
}

/** Frames a byte transport: garbage is skipped and reported to `onDrop`, never fatal. */
export function qmuxPort(transport: Transport, onDrop?: (reason: string, bytes: number) => void): QmuxPort {
  const listeners: ((frame: Uint8Array) => void)[] = [];
  const framer = new QmuxFramer({
    frame: (f) => {
      for (const l of listeners) l(f);
    },
    drop: onDrop,
  });
  transport.onData((chunk) => framer.push(chunk));
  return {
    description: transport.description,
    get closed() {
      return transport.closed;
    },
    send: (frame) => transport.write(frame),
    onFrame: (l) => listeners.push(l),
    onClose: (l) => transport.onClose(l),
    close: () => transport.close(),
    framing: framer.stats,
  };
}
