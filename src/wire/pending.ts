/** Bytes a stream parser could not use yet, carried to the next read. */
export class PendingBytes {
  private pending: Uint8Array | null = null;

  get length(): number {
    return this.pending?.length ?? 0;
  }

  /** The next read, with what was left over before it (no copy when nothing was). */
  join(chunk: Uint8Array): Uint8Array {
    if (!this.pending) return chunk;
    const buf = new Uint8Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    this.pending = null;
    return buf;
  }

  /** Keeps `buf[from…]` for the next read (a copy: the read's buffer may be reused). */
  keep(buf: Uint8Array, from: number): void {
    this.pending = from < buf.length ? buf.slice(from) : null;
  }

  clear(): void {
    this.pending = null;
  }
}
