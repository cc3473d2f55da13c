/**
 * A transport is a byte stream to a modem's control port (char device, pty, unix socket, memory pair).
 * Framing (QMUX, MBIM) happens above it; a transport knows nothing of messages.
 */
export interface Transport {
  /** For logs and errors, e.g. `/dev/cdc-wdm0` or `unix:/run/x.sock`. */
  readonly description: string;
  /**
   * Queues bytes for the peer. Throws TransportClosedError once closed. While TRANSPORT_MAX_QUEUED
   * bytes wait unsent (the peer stopped reading) the write is dropped and counted in `writeDrops`.
   */
  write(bytes: Uint8Array): void;
  /** Writes dropped because the peer was not reading. */
  readonly writeDrops: number;
  /** Registers the receiver of incoming bytes (chunks may split or merge messages). */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called once, when the stream ends for any reason (peer hang-up, error, close()). */
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
  readonly closed: boolean;
  /**
   * TRANSPORT_CONGESTED bytes or more wait unsent: a writer that can hold back (a data pipe's netdevs)
   * should, until onDrain. Transports without a queue of their own leave it out.
   */
  readonly congested?: boolean;
  /** Called each time the queue has emptied after writes had to wait. */
  onDrain?(listener: () => void): void;
}

/** Unsent bytes past which a transport says it is congested: well before it drops (TRANSPORT_MAX_QUEUED). */
export const TRANSPORT_CONGESTED = 1 << 20;

/** Unsent bytes a transport holds for a peer that does not read; past it, writes are dropped. */
export const TRANSPORT_MAX_QUEUED = 4 << 20;

export class TransportClosedError extends Error {
  override readonly name = 'TransportClosedError';
  constructor(description: string) {
    super(`transport ${description} is closed`);
  }
}
