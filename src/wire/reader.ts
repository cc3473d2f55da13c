import { DecodeError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** UTF-16LE of bytes[start, end) (an even count), lone surrogates replaced and a leading BOM dropped as TextDecoder does. */
export function decodeUtf16le(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= ASCII_INLINE * 2 && ((end - start) & 1) === 0) {
    let s = '';
    for (let i = start; i < end; i += 2) {
      const c = bytes[i]! | (bytes[i + 1]! << 8);
      // Surrogates and a BOM take TextDecoder's rules.
      if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfeff) return utf16le.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf16le.decode(bytes.subarray(start, end));
}

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
  private dataView: DataView | undefined;
  pos: number;
  end: number;
  /** Path of the field being read, for error messages. */
  field = '';

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = Math.min(end, bytes.length);
  }

  /** Made on first use: most readers only need bytes. */
  get view(): DataView {
    return (this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
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
    const at = this.need(2, 'u16');
    const b = this.bytes;
    return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
  }
  i16(le = true): number {
    return this.view.getInt16(this.need(2, 'i16'), le);
  }
  u32(le = true): number {
    const at = this.need(4, 'u32');
    const b = this.bytes;
    return le ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0 : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
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
    const at = this.need(n, 'bytes');
    return decodeUtf16le(this.bytes, at, at + n);
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
