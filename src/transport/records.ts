import { PendingBytes } from '../wire/pending.js';

/**
 * Records over a byte stream: `u32 LE length | bytes`. The simulator's data pipe carries one transfer
 * (a USB bulk transfer, a DMA buffer) per record, since unix stream sockets keep no boundaries.
 */
export const MAX_RECORD = 1 << 20;

export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, true);
  out.set(payload, 4);
  return out;
}

/** Splits a stream into records; a length over MAX_RECORD is an error (the stream cannot resync). */
export class RecordFramer {
  private readonly pending = new PendingBytes();

  constructor(
    private readonly onRecord: (record: Uint8Array) => void,
    private readonly onError: (message: string) => void,
  ) {}

  push(chunk: Uint8Array): void {
    const buf = this.pending.join(chunk);
    let pos = 0;
    while (buf.length - pos >= 4) {
      const len = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! * 0x1000000);
      if (len > MAX_RECORD) {
        this.onError(`record of ${len} bytes exceeds ${MAX_RECORD}`);
        return;
      }
      if (buf.length - pos - 4 < len) break;
      this.onRecord(buf.subarray(pos + 4, pos + 4 + len));
      pos += 4 + len;
    }
    this.pending.keep(buf, pos);
  }
}
