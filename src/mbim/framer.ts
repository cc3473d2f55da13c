/**
 * Turns a byte stream into MBIM messages (each a view of exactly `header.length` bytes). Reads may
 * split or merge messages; a header that cannot be MBIM (unknown type, impossible length, bad
 * fragment numbers) is skipped a byte at a time as soon as it is seen, without waiting for the bytes it
 * claims. MBIM has no marker byte, so resynchronising means looking for the next plausible header.
 */
import { PendingBytes } from '../wire/pending.js';
import { messageTypeName } from './protocol.js';
import { FRAGMENT_HEADER_SIZE, HEADER_SIZE, isFragmented, minimumLength } from './message.js';

export interface MbimFramerStats {
  messages: number;
  /** Bytes skipped while looking for a plausible header. */
  garbageBytes: number;
}

export interface MbimFramerEvents {
  message(bytes: Uint8Array): void;
  drop?(reason: string, bytes: number): void;
}

/** Largest message accepted by default: 16 × the 4096 bytes libmbim sends and reads at a time. */
export const DEFAULT_MAX_MESSAGE = 65536;

export class MbimFramer {
  readonly stats: MbimFramerStats = { messages: 0, garbageBytes: 0 };
  private readonly pending = new PendingBytes();
  /** Garbage run being skipped, reported once it ends. */
  private skipping = 0;
  private skipReason = '';

  constructor(
    private readonly events: MbimFramerEvents,
    private readonly maxMessage = DEFAULT_MAX_MESSAGE,
  ) {}

  push(chunk: Uint8Array): void {
    const buf = this.pending.join(chunk);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (pos < buf.length) {
      const avail = buf.length - pos;
      const verdict = this.check(view, pos, avail);
      if (verdict === 'wait') break;
      if (typeof verdict === 'string') {
        this.skip(verdict);
        pos++;
        continue;
      }
      this.flushSkip();
      if (avail < verdict) break;
      this.stats.messages++;
      this.events.message(buf.subarray(pos, pos + verdict));
      pos += verdict;
    }
    this.flushSkip();
    this.pending.keep(buf, pos);
  }

  /** The message length if the header at `pos` is plausible, 'wait' if more bytes are needed, else why not. */
  private check(view: DataView, pos: number, avail: number): number | 'wait' | string {
    // Judge the type as soon as its first byte is in: every MBIM type has byte 0 in 1..7.
    const b0 = view.getUint8(pos);
    if (b0 === 0 || b0 > 7) return 'not an MBIM message type';
    if (avail < 4) return 'wait';
    const type = messageTypeName(view.getUint32(pos, true));
    if (!type) return 'not an MBIM message type';
    if (avail < 8) return 'wait';
    const length = view.getUint32(pos + 4, true);
    const fixed = !isFragmented(type);
    if (length < minimumLength(type) || (fixed && length !== minimumLength(type))) return `${type} cannot be ${length} bytes long`;
    if (length > this.maxMessage) return `${type} of ${length} bytes exceeds ${this.maxMessage}`;
    if (fixed) return length;
    if (avail < FRAGMENT_HEADER_SIZE) return 'wait';
    const total = view.getUint32(pos + HEADER_SIZE, true);
    const current = view.getUint32(pos + HEADER_SIZE + 4, true);
    if (total === 0 || current >= total) return `fragment ${current} of ${total}`;
    return length;
  }

  private skip(reason: string): void {
    if (this.skipping > 0 && reason !== this.skipReason) this.flushSkip();
    this.skipping++;
    this.skipReason = reason;
    this.stats.garbageBytes++;
  }

  private flushSkip(): void {
    if (this.skipping === 0) return;
    this.events.drop?.(this.skipReason, this.skipping);
    this.skipping = 0;
  }
}
