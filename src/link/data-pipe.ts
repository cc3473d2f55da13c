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
  /** The modem is behind: senders that can hold back should, until onDrain (see TRANSPORT_CONGESTED). */
  readonly congested: boolean;
  onDrain(listener: () => void): void;
}

export function recordPipe(transport: Transport): DataPipe {
  const listeners: ((t: Uint8Array) => void)[] = [];
  /** Why the pipe closed itself (a record it could not take), told to onClose listeners. */
  let refused: Error | undefined;
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
    send: (t) => transport.write(encodeRecord(t)),
    onTransfer: (l) => void listeners.push(l),
    onClose: (l) => transport.onClose((error) => l(refused ?? error)),
    close: () => transport.close(),
    get writeDrops() {
      return transport.writeDrops;
    },
    get congested() {
      return transport.congested === true;
    },
    onDrain: (l) => transport.onDrain?.(l),
  };
}

export async function connectRecordPipe(path: string): Promise<DataPipe> {
  // A burst's transfers leave in one writev.
  return recordPipe(await connectUnix(path, { batchWrites: true }));
}
