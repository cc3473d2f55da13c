import { putBe16, putBe32, putLe16, putLe32, putUtf16le } from './bytes.js';

const utf8 = new TextEncoder();

/** src[0, n) into dst at `at`: a loop for the smallest pieces, where making a view costs more (set() wins from about 36 bytes). */
function copyInto(src: Uint8Array, n: number, dst: Uint8Array, at: number): void {
  if (n > 32) dst.set(src.subarray(0, n), at);
  else for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
}

/** Appends little/big-endian values to a growable buffer; `finish()` returns a view of what was written. */
export class Writer {
  private buf: Uint8Array;
  private dataView: DataView | undefined;
  pos = 0;

  /** A buffer of `initial` bytes, or the given one (e.g. from allocBytes) to fill and grow from. */
  constructor(initial: number | Uint8Array = 256) {
    this.buf = typeof initial === 'number' ? new Uint8Array(initial) : initial;
  }

  /** Made on first use (and again after growing): bytes and u16/u32 need none. */
  private get view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  private room(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      let size = Math.max(64, this.buf.length * 2);
      while (size < at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.dataView = undefined;
    }
    this.pos = at + n;
    return at;
  }

  u8(v: number): this {
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }
  i8(v: number): this {
    const at = this.room(1);
    this.view.setInt8(at, v);
    return this;
  }
  u16(v: number, le = true): this {
    const at = this.room(2);
    this.putU16(at, v, le);
    return this;
  }
  i16(v: number, le = true): this {
    const at = this.room(2);
    this.view.setInt16(at, v, le);
    return this;
  }
  u32(v: number, le = true): this {
    const at = this.room(4);
    this.putU32(at, v, le);
    return this;
  }

  // ToUint16/ToUint32 as DataView's setters convert (a non-number throws the same TypeError).
  private putU16(at: number, value: number, le: boolean): void {
    const v = +value;
    if (le) putLe16(this.buf, at, v);
    else putBe16(this.buf, at, v);
  }
  private putU32(at: number, value: number, le: boolean): void {
    const v = +value;
    if (le) putLe32(this.buf, at, v);
    else putBe32(this.buf, at, v);
  }
  i32(v: number, le = true): this {
    const at = this.room(4);
    this.view.setInt32(at, v, le);
    return this;
  }
  u64(v: bigint, le = true): this {
    const at = this.room(8);
    this.view.setBigUint64(at, v, le);
    return this;
  }
  i64(v: bigint, le = true): this {
    const at = this.room(8);
    this.view.setBigInt64(at, v, le);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  zeros(n: number): this {
    const at = this.room(n);
    this.buf.fill(0, at, this.pos);
    return this;
  }
  utf8(s: string): this {
    // ASCII is written as it is; anything else goes through the encoder.
    const at = this.room(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = at;
        return this.bytes(utf8.encode(s));
      }
      this.buf[at + i] = c;
    }
    return this;
  }
  utf16le(s: string): this {
    const at = this.room(s.length * 2);
    putUtf16le(this.buf, at, s);
    return this;
  }

  /** The buffer written into, for filling reserved bytes in place; valid until the writer next grows. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Appends what `other` has written (no view made: small copies byte by byte). */
  append(other: Writer): this {
    const at = this.room(other.pos); // first: growing replaces this.buf
    copyInto(other.buf, other.pos, this.buf, at);
    return this;
  }

  /** Copies what was written into out at `at`. */
  copyTo(out: Uint8Array, at: number): void {
    copyInto(this.buf, this.pos, out, at);
  }

  /** Reserves n bytes to be filled later with patch*(); returns their offset. */
  reserve(n: number): number {
    return this.room(n);
  }
  patchU16(at: number, v: number, le = true): void {
    this.putU16(at, v, le);
  }
  patchU32(at: number, v: number, le = true): void {
    this.putU32(at, v, le);
  }
  patchU8(at: number, v: number): void {
    this.buf[at] = v;
  }

  /** Starts over, keeping the buffer (a writer reused for every message). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** A view of the written bytes (shares memory with the writer until it grows). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export const utf8Length = (s: string): number => utf8.encode(s).length;
