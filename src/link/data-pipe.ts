/**
 * The pipe transfers travel on between host and modem: here the simulator's record socket (one
 * transfer per record). Real USB/PCIe pipes are the kernel's; see net/kernel.ts.
 */
import { connectUnix } from '../transport/unix.js';
import { encodeRecord, RecordFramer } from '../transport/records.js';
import type { Transport } from '../transport/types.js';

export interface DataPipe {
  readonly description: string;
  send(transfer: Uint8Array): void;
  onTransfer(listener: (transfer: Uint8Array) => void): void;
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
  /** Transfers dropped because the modem was not reading (see TRANSPORT_MAX_QUEUED). */
  readonly writeDrops: number;
  /**
   * Told `true` once a send leaves the modem behind (TRANSPORT_CONGESTED bytes unsent): senders that
   * can hold back should; `false` when the pipe has drained or closed.
   */
  onHold(listener: (on: boolean) => void): void;
}

export function recordPipe(transport: Transport): DataPipe {
  const listeners: ((t: Uint8Array) => void)[] = [];
  /** Why the pipe closed itself (a record it could not take), told to onClose listeners. */
  let refused: Error | undefined;
  const holdListeners: ((on: boolean) => void)[] = [];
  let holding = false;
  const hold = (on: boolean): void => {
    if (on === holding) return;
    holding = on;
    for (const l of holdListeners) l(on);
  };
  transport.onDrain?.(() => hold(false));
  transport.onClose(() => hold(false));
  const framer = new RecordFramer(
    (t) => {
      for (const l of listeners) l(t);
    },
    (message) => {
      refused ??= new Error(message);
      void transport.close();
    },
  );
  transport.onData((c) => framer.push(c));
  return {
    description: transport.description,
    send: (t) => {
      transport.write(encodeRecord(t));
      if (transport.congested) hold(true);
    },
    onTransfer: (l) => void listeners.push(l),
    onClose: (l) => transport.onClose((error) => l(refused ?? error)),
    close: () => transport.close(),
    get writeDrops() {
      return transport.writeDrops;
    },
    onHold: (l) => void holdListeners.push(l),
  };
}

export async function connectRecordPipe(path: string): Promise<DataPipe> {
  // A burst's transfers leave in one writev.
  return recordPipe(await connectUnix(path, { batchWrites: true }));
}
