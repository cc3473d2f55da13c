/**
 * A stream link as a byte stream: a DSS session's datagrams, read and written by one consumer (a
 * pseudo-terminal, a socket, a test). The consumer may fall behind: what it has not taken waits in a
 * bounded buffer, nothing lost before the bound, and each datagram past it is dropped and counted.
 * Writes are cut into datagrams the pipe carries. An ended stream says why, once, to its consumer.
 */
import type { StreamPort } from './backend.js';

/** Where a stream's bytes go. `write` returns false when the consumer is full: nothing more is written until resume(). */
export interface StreamSink {
  write(chunk: Uint8Array): boolean;
  /** The stream ended; `reason` says why when it was not closed by its own side. */
  end(reason?: string): void;
}

/** Bytes a stream holds for a consumer that does not read (a GNSS stream is ~1 KiB/s; an AT or diag stream more). */
export const STREAM_BUFFER_LIMIT = 256 * 1024;
/** The largest datagram a write is cut into (well inside NTB16's 16 KiB transfers), or the port's own limit if smaller. */
export const STREAM_DATAGRAM_MAX = 4096;

export interface StreamCounters {
  rxBytes: number;
  rxDatagrams: number;
  txBytes: number;
  txDatagrams: number;
  /** Datagrams from the modem dropped because the consumer's buffer was full. */
  rxDropped: number;
  /** Datagrams toward the modem the pipe refused. */
  txDropped: number;
}

export class LinkStream {
  readonly counters: StreamCounters = { rxBytes: 0, rxDatagrams: 0, txBytes: 0, txDatagrams: 0, rxDropped: 0, txDropped: 0 };
  private readonly buffer: Uint8Array[] = [];
  private buffered = 0;
  private sink: StreamSink | undefined;
  private flowing = false;
  private dropping = false;
  private endReason: string | undefined;
  ended = false;

  constructor(
    private readonly port: StreamPort,
    private readonly limit = STREAM_BUFFER_LIMIT,
  ) {
    port.onData((payload) => this.receive(payload));
  }

  /** Bytes waiting for the consumer. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Joins the consumer; what waited is written to it first. */
  connect(sink: StreamSink): void {
    this.sink = sink;
    this.flowing = true;
    this.resume();
    if (this.ended) sink.end(this.endReason);
  }

  /** The consumer has room again. */
  resume(): void {
    this.flowing = true;
    while (this.flowing && this.sink && this.buffer.length > 0) {
      const chunk = this.buffer.shift()!;
      this.buffered -= chunk.length;
      this.flowing = this.sink.write(chunk);
    }
    if (this.buffer.length === 0) this.dropping = false;
  }

  /** Bytes toward the modem: false if the stream ended or the pipe dropped any of them. */
  write(bytes: Uint8Array): boolean {
    if (this.ended) return false;
    let ok = true;
    const max = Math.max(1, Math.min(STREAM_DATAGRAM_MAX, this.port.maxDatagram ?? STREAM_DATAGRAM_MAX));
    for (let at = 0; at < bytes.length; at += max) {
      const datagram = bytes.subarray(at, Math.min(bytes.length, at + max));
      if (this.port.send(datagram)) {
        this.counters.txDatagrams++;
        this.counters.txBytes += datagram.length;
      } else {
        this.counters.txDropped++;
        ok = false;
      }
    }
    return ok;
  }

  /** Ends the stream (closed, the session lost, the modem gone); the consumer hears it once. */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    this.sink?.end(reason);
  }

  private receive(payload: Uint8Array): void {
    if (this.ended) return;
    this.counters.rxDatagrams++;
    this.counters.rxBytes += payload.length;
    if (this.flowing && this.sink && this.buffer.length === 0) {
      this.flowing = this.sink.write(payload.slice());
      return;
    }
    // Once full, nothing is taken until the reader has emptied the buffer: what it reads has one gap, not many.
    if (this.dropping || this.buffered + payload.length > this.limit) {
      this.dropping = true;
      this.counters.rxDropped++;
      return;
    }
    this.buffer.push(payload.slice());
    this.buffered += payload.length;
  }
}
