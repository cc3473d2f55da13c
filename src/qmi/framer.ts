/**
 * Turns a byte stream into QMUX frames: reads may split a frame or carry several; garbage before a
 * frame is skipped and counted; a header whose lengths disagree is rejected as soon as the header is
 * in, without waiting for (or reading past) the bytes it claims.
 */
import { PendingBytes } from '../wire/pending.js';
import { QMI_SERVICE_CTL, QMUX_MARKER, headerSize } from './qmux.js';

export interface QmuxFramerStats {
  frames: number;
  /** Bytes skipped while looking for a frame marker. */
  garbageBytes: number;
  /** Headers rejected because their lengths disagree. */
  badHeaders: number;
}

export interface QmuxFramerEvents {
  frame(bytes: Uint8Array): void;
  /** Something was skipped; `reason` is for people. */
  drop?(reason: string, bytes: number): void;
}

/** The smallest QMUX length field: a CTL frame of 12 bytes. */
const MIN_QMUX_LENGTH = 11;

export class QmuxFramer {
  readonly stats: QmuxFramerStats = { frames: 0, garbageBytes: 0, badHeaders: 0 };
  private readonly pending = new PendingBytes();

  constructor(private readonly events: QmuxFramerEvents) {}

  /** Bytes waiting for the rest of their frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): void {
    const buf = this.pending.join(chunk);
    let pos = 0;
    while (pos < buf.length) {
      if (buf[pos] !== QMUX_MARKER) {
        let next = buf.indexOf(QMUX_MARKER, pos + 1);
        if (next < 0) next = buf.length;
        this.skip(next - pos, 'no QMUX marker (0x01)');
        pos = next;
        continue;
      }
      const avail = buf.length - pos;
      if (avail < 3) break;
      const length = buf[pos + 1]! | (buf[pos + 2]! << 8);
      if (length < MIN_QMUX_LENGTH) {
        this.reject(`QMUX length ${length} is below the minimum ${MIN_QMUX_LENGTH}`);
        pos += 1;
        continue;
      }
      // Service byte known: check the QMI header's TLV length against the QMUX length.
      if (avail >= 5) {
        const service = buf[pos + 4]!;
        const hdr = headerSize(service);
        if (length + 1 < hdr) {
          this.reject(`QMUX length ${length} is shorter than the ${hdr}-byte header`);
          pos += 1;
          continue;
        }
        const tlvLenAt = pos + hdr - 2;
        if (avail >= hdr) {
          const tlvLength = buf[tlvLenAt]! | (buf[tlvLenAt + 1]! << 8);
          if (tlvLength !== length + 1 - hdr) {
            this.reject(`TLV length ${tlvLength} disagrees with QMUX length ${length} (${service === QMI_SERVICE_CTL ? 'CTL' : `service ${service}`})`);
            pos += 1;
            continue;
          }
        }
      }
      if (avail < length + 1) break;
      this.stats.frames++;
      this.events.frame(buf.subarray(pos, pos + length + 1));
      pos += length + 1;
    }
    this.pending.keep(buf, pos);
  }

  /** Forgets a partial frame (e.g. after a reopen). */
  reset(): void {
    this.pending.clear();
  }

  private skip(n: number, reason: string): void {
    this.stats.garbageBytes += n;
    this.events.drop?.(reason, n);
  }

  private reject(reason: string): void {
    this.stats.badHeaders++;
    this.stats.garbageBytes += 1;
    this.events.drop?.(reason, 1);
  }
}
