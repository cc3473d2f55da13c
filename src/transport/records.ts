/**
 * Records over a byte stream: `u32 LE length | bytes`. The simulator's data pipe carries one transfer
 * (a USB bulk transfer, a DMA buffer) per record, since unix stream sockets keep no boundaries.
 */
export const MAX_RECORD = 1 << 20;

const HEADER = 4;

/**
 * The record of `payload`: a copy (the payload's buffer may be reused once this returns), in memory
 * that is not zero-filled first (every byte is written here): a busy pipe sends tens of thousands a
 * second, and small ones come from Node's buffer pool.
 */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, HEADER);
  return out;
}

const lengthAt = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! * 0x1000000);

/**
 * Splits a stream into records; a length over MAX_RECORD is an error (the stream cannot resync, so
 * nothing more is read). Records inside one read are handed on as views into it; only a record that
 * a read cuts is copied, into a buffer of its announced length, so the bytes of a busy pipe are
 * copied once at most, whatever the reads' sizes.
 */
export class RecordFramer {
  /** A length prefix cut by the end of a read. */
  private readonly head = new Uint8Array(HEADER);
  private headLength = 0;
  /** A record cut by the end of a read, and how much of it has come. */
  private record: Uint8Array | null = null;
  private filled = 0;
  private failed = false;

  constructor(
    private readonly onRecord: (record: Uint8Array) => void,
    private readonly onError: (message: string) => void,
  ) {}

  push(read: Uint8Array): void {
    if (this.failed) return;
    // Plain views: a Buffer's subarray makes a Buffer per record.
    const chunk = new Uint8Array(read.buffer, read.byteOffset, read.length);
    let pos = 0;
    if (this.headLength > 0) {
      pos = Math.min(HEADER - this.headLength, chunk.length);
      this.head.set(chunk.subarray(0, pos), this.headLength);
      this.headLength += pos;
      if (this.headLength < HEADER) return;
      this.headLength = 0;
      if (!this.start(lengthAt(this.head, 0))) return;
    }
    if (this.record) {
      const take = Math.min(this.record.length - this.filled, chunk.length - pos);
      this.record.set(chunk.subarray(pos, pos + take), this.filled);
      this.filled += take;
      pos += take;
      if (this.filled < this.record.length) return;
      const done = this.record;
      this.record = null;
      this.onRecord(done);
    }
    while (chunk.length - pos >= HEADER) {
      const length = lengthAt(chunk, pos);
      const end = pos + HEADER + length;
      if (end > chunk.length) {
        if (!this.start(length)) return;
        this.filled = chunk.length - pos - HEADER;
        this.record!.set(chunk.subarray(pos + HEADER));
        return;
      }
      this.onRecord(chunk.subarray(pos + HEADER, end));
      pos = end;
    }
    this.head.set(chunk.subarray(pos));
    this.headLength = chunk.length - pos;
  }

  /** Begins a record the read cuts; false (and the error told) if its length is refused. */
  private start(length: number): boolean {
    if (length > MAX_RECORD) {
      this.failed = true;
      this.onError(`record of ${length} bytes exceeds ${MAX_RECORD}`);
      return false;
    }
    // Not zero-filled: it is handed on only once every byte has come.
    this.record = Buffer.allocUnsafe(length);
    this.filled = 0;
    return true;
  }
}
