/**
 * Reassembles fragmented COMMAND / COMMAND_DONE / INDICATE_STATUS messages the way MBIM requires:
 * one message at a time, fragments 0..total-1 strictly in order with the same transaction and total,
 * the bytes adding up to the buffer length announced in fragment 0, and no pause longer than the
 * fragment timeout. A violation yields the protocol error to report (HOST_ERROR from the host side,
 * FUNCTION_ERROR from the device side) and discards the partial message. Clock-free: callers pass `now`.
 */
import { FRAGMENT_TIMEOUT_MS, MbimProtocolError } from './protocol.js';
import { fragmentToMessage, type MbimFragment, type MbimMessage } from './message.js';

export type ReassemblyResult =
  | { kind: 'message'; message: MbimMessage }
  | { kind: 'pending' }
  /** The rest of a message already reported broken: dropped without a second error. */
  | { kind: 'ignored' }
  | { kind: 'error'; transactionId: number; error: number; reason: string };

export interface ReassemblerOptions {
  timeoutMs?: number;
  /** Largest information buffer accepted, against memory exhaustion by a lying length. */
  maxBuffer?: number;
}

interface Partial {
  head: MbimFragment & { first: NonNullable<MbimFragment['first']> };
  buffer: Uint8Array;
  filled: number;
  next: number;
  lastAt: number;
}

export class Reassembler {
  private partial: Partial | null = null;
  private failed: number | undefined;
  private readonly timeoutMs: number;
  private readonly maxBuffer: number;

  constructor(opts: ReassemblerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? FRAGMENT_TIMEOUT_MS;
    this.maxBuffer = opts.maxBuffer ?? 1 << 20;
  }

  /** When the partial message times out (ms on the caller's clock), if one is pending. */
  get deadline(): number | undefined {
    return this.partial ? this.partial.lastAt + this.timeoutMs : undefined;
  }

  push(f: MbimFragment, now: number): ReassemblyResult {
    const expired = this.expire(now);
    if (expired) return expired;
    const p = this.partial;
    if (!p) {
      if (f.current !== 0 && f.transactionId === this.failed) return { kind: 'ignored' };
      if (f.current !== 0 || !f.first) return this.fail(f.transactionId, MbimProtocolError.FragmentOutOfSequence, `fragment ${f.current} of ${f.total} without fragment 0`);
      this.failed = undefined;
      const head = f as Partial['head'];
      if (f.total === 1) return { kind: 'message', message: fragmentToMessage(head) };
      if (f.first.bufferLength > this.maxBuffer) return this.fail(f.transactionId, MbimProtocolError.LengthMismatch, `buffer of ${f.first.bufferLength} bytes exceeds ${this.maxBuffer}`);
      const buffer = new Uint8Array(f.first.bufferLength);
      buffer.set(f.data);
      this.partial = { head, buffer, filled: f.data.length, next: 1, lastAt: now };
      return { kind: 'pending' };
    }
    if (f.transactionId !== p.head.transactionId || f.type !== p.head.type || f.total !== p.head.total || f.current !== p.next) {
      const reason = `fragment ${f.current}/${f.total} (${f.type}, transaction ${f.transactionId}) while expecting ${p.next}/${p.head.total} of transaction ${p.head.transactionId}`;
      return this.fail(p.head.transactionId, MbimProtocolError.FragmentOutOfSequence, reason);
    }
    if (p.filled + f.data.length > p.buffer.length) {
      return this.fail(p.head.transactionId, MbimProtocolError.LengthMismatch, `fragments carry more than the ${p.buffer.length} bytes announced`);
    }
    p.buffer.set(f.data, p.filled);
    p.filled += f.data.length;
    p.next++;
    p.lastAt = now;
    if (p.next < p.head.total) return { kind: 'pending' };
    this.partial = null;
    if (p.filled !== p.buffer.length) {
      return this.fail(p.head.transactionId, MbimProtocolError.LengthMismatch, `fragments carry ${p.filled} of the ${p.buffer.length} bytes announced`);
    }
    return { kind: 'message', message: fragmentToMessage(p.head, p.buffer) };
  }

  /** Drops a partial message that has waited too long; returns the TimeoutFragment to report. */
  expire(now: number): ReassemblyResult | null {
    const p = this.partial;
    if (!p || now - p.lastAt <= this.timeoutMs) return null;
    return this.fail(p.head.transactionId, MbimProtocolError.TimeoutFragment, `no fragment ${p.next}/${p.head.total} within ${this.timeoutMs} ms`);
  }

  reset(): void {
    this.partial = null;
    this.failed = undefined;
  }

  private fail(transactionId: number, error: number, reason: string): ReassemblyResult {
    this.partial = null;
    this.failed = transactionId;
    return { kind: 'error', transactionId, error, reason };
  }
}
