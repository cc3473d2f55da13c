import { DecodeError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Short ASCII strings (APNs, IMEIs) are built here: a TextDecoder call costs more than the loop. */
const ASCII_INLINE = 64;

/** UTF-8 of bytes[start, end), invalid sequences replaced (TextDecoder's non-fatal rules). */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= ASCII_INLINE) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(bytes.subarray(start, end));
}
const utf16le = new TextDecoder('utf-16le', { fatal: false });

/**
 * A cursor over a byte view. Every read is bounded by `end`; running out raises a DecodeError
 * naming the field and the absolute offset, which the decoder boundary turns into a value.
 */
export class Reader {
  readonly view: DataView;
  pos: number;
  end: number;
  /** Path of the field being read, for error messages. */
  field = '';

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = Math.min(end, bytes.length);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) {
      throw new DecodeError('truncated', this.field || what, at, `needs ${n} bytes, ${this.end - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1, 'u8')]!;
  }
  i8(): number {
    return this.view.getInt8(this.need(1, 'i8'));
  }
  u16(le = true): number {
    return this.view.getUint16(this.need(2, 'u16'), le);
  }
  i16(le = true): number {
    return this.view.getInt16(this.need(2, 'i16'), le);
  }
  u32(le = true): number {
    return this.view.getUint32(this.need(4, 'u32'), le);
  }
  i32(le = true): number {
    return this.view.getInt32(this.need(4, 'i32'), le);
  }
  u64(le = true): bigint {
    return this.view.getBigUint64(this.need(8, 'u64'), le);
  }
  i64(le = true): bigint {
    return this.view.getBigInt64(this.need(8, 'i64'), le);
  }

  /** A view (no copy) of the next n bytes. */
  bytesView(n: number): Uint8Array {
    const at = this.need(n, 'bytes');
    return this.bytes.subarray(at, at + n);
  }

  rest(): Uint8Array {
    return this.bytesView(this.remaining);
  }

  utf8(n: number): string {
    const at = this.need(n, 'bytes');
    return decodeUtf8(this.bytes, at, at + n);
  }

  utf16le(n: number): string {
    return utf16le.decode(this.bytesView(n));
  }

  skip(n: number): void {
    this.need(n, 'skip');
  }

  /** A reader over the next n bytes, advancing this one past them. */
  sub(n: number): Reader {
    const at = this.need(n, 'sub');
    const r = new Reader(this.bytes, at, at + n);
    r.field = this.field;
    return r;
  }
}
