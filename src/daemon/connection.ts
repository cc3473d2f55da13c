/**
 * One client of the daemon's socket, with every queue between it and the daemon bounded:
 *   - a request line may be MAX_LINE long; the partial lines of all clients together CLIENT_BOUNDS.partialTotal;
 *   - at most `inFlight` requests of a client are handled at once; lines beyond wait with reading paused;
 *   - answers a client does not read stop the daemon reading its requests (`pauseOutput`), and past
 *     `maxOutput` unsent bytes the client is disconnected;
 *   - events and traces past `dropOutput` unsent bytes are dropped and counted, and the client is told
 *     how many with a `dropped` event (`{"event":"dropped","count":N}`) once it has read its backlog.
 */
import type net from 'node:net';
import { eventMessage, MAX_LINE } from './protocol.js';

export const CLIENT_BOUNDS = {
  /** Connected clients; the next one gets a `busy` error and is closed. */
  clients: 64,
  /** Bytes of unfinished request lines over all clients; the client that passes it is disconnected. */
  partialTotal: 16 << 20,
  /** Requests of one client handled at once. */
  inFlight: 16,
  /** Unsent bytes above which a client's requests are no longer read. */
  pauseOutput: 1 << 20,
  /** Unsent bytes above which events and traces for a client are dropped (counted). */
  dropOutput: 1 << 20,
  /** Unsent bytes (answers alone can pass dropOutput) at which a client is disconnected. */
  maxOutput: 8 << 20,
} as const;

/** What the bounds cost so far, for `wwan status`. */
export interface ClientDrops {
  /** Events not sent to a subscriber that was not reading. */
  events: number;
  /** Trace messages not sent to a tracer that was not reading. */
  traces: number;
  /** Clients refused at connect: too many. */
  refused: number;
  /** Clients disconnected: a line too long, too many partial bytes, or unread answers past maxOutput. */
  disconnected: number;
}

export const emptyClientDrops = (): ClientDrops => ({ events: 0, traces: 0, refused: 0, disconnected: 0 });

/** Shared by every connection: the running total of partial bytes and the counters. */
export interface ConnectionPool {
  partialBytes: number;
  readonly drops: ClientDrops;
}

export class ClientConnection {
  private partial: Buffer[] = [];
  private partialLength = 0;
  private readonly lines: string[] = [];
  private inFlight = 0;
  /** Events dropped since the client last caught up. */
  private unreported = 0;

  constructor(
    readonly sock: net.Socket,
    private readonly pool: ConnectionPool,
    private readonly handle: (line: string) => Promise<void>,
  ) {
    sock.on('data', (c: Buffer) => this.receive(c));
    sock.on('drain', () => this.drained());
    sock.once('close', () => {
      this.pool.partialBytes -= this.partialLength;
      this.partialLength = 0;
      this.partial = [];
      this.lines.length = 0;
    });
  }

  /** An answer: always queued, unless the client has left so much unread that it is cut off. */
  answer(body: unknown): void {
    if (!this.writable()) return;
    this.sock.write(`${JSON.stringify(body)}\n`);
    if (this.sock.writableLength > CLIENT_BOUNDS.maxOutput) this.disconnect();
    else this.pump();
  }

  /** An event or trace message: dropped (and counted) while the client is behind. */
  event(body: unknown, kind: 'events' | 'traces'): void {
    if (!this.writable()) return;
    if (this.sock.writableLength > CLIENT_BOUNDS.dropOutput) {
      this.pool.drops[kind]++;
      this.unreported++;
      return;
    }
    this.sock.write(`${JSON.stringify(body)}\n`);
  }

  private writable(): boolean {
    return !this.sock.destroyed && this.sock.writable;
  }

  private disconnect(): void {
    this.pool.drops.disconnected++;
    this.sock.destroy();
  }

  private receive(c: Buffer): void {
    let start = 0;
    for (let nl = c.indexOf(10); nl !== -1; nl = c.indexOf(10, start)) {
      const piece = c.subarray(start, nl);
      const line = this.partial.length === 0 ? piece.toString('utf8') : Buffer.concat([...this.partial, piece]).toString('utf8');
      this.pool.partialBytes -= this.partialLength;
      this.partial = [];
      this.partialLength = 0;
      if (line.trim() !== '') this.lines.push(line);
      start = nl + 1;
    }
    if (start < c.length) {
      // Copied: a view would keep the whole chunk (up to 64 KiB) alive for a few bytes.
      const rest = Buffer.from(c.subarray(start));
      this.partial.push(rest);
      this.partialLength += rest.length;
      this.pool.partialBytes += rest.length;
      if (this.partialLength > MAX_LINE || this.pool.partialBytes > CLIENT_BOUNDS.partialTotal) return this.disconnect();
    }
    this.pump();
  }

  /** Handles queued lines while the client is within its bounds; reads more only when nothing waits. */
  private pump(): void {
    while (this.lines.length > 0 && this.inFlight < CLIENT_BOUNDS.inFlight && this.sock.writableLength <= CLIENT_BOUNDS.pauseOutput) {
      const line = this.lines.shift()!;
      this.inFlight++;
      void this.handle(line).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    const behind = this.lines.length > 0 || this.inFlight >= CLIENT_BOUNDS.inFlight || this.sock.writableLength > CLIENT_BOUNDS.pauseOutput;
    if (behind) this.sock.pause();
    else if (!this.sock.destroyed) this.sock.resume();
  }

  private drained(): void {
    if (this.unreported > 0) {
      this.sock.write(`${JSON.stringify(eventMessage({ event: 'dropped', count: this.unreported }))}\n`);
      this.unreported = 0;
    }
    this.pump();
  }
}
