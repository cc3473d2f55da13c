/**
 * Small byte arrays cut from shared 8 KiB slabs, as Node's Buffer pool does: a typed array over 64
 * bytes otherwise gets its own off-heap store, whose allocation and collection cost more than
 * encoding a control message. A slab lives while any array cut from it does.
 */
const SLAB = 8192;
/** Larger arrays get their own store. */
const MAX_POOLED = 1024;

let slab = new ArrayBuffer(SLAB);
let used = 0;

/** A zero-filled array of n bytes (its `buffer` may be shared: use byteOffset). */
export function allocBytes(n: number): Uint8Array {
  if (n > MAX_POOLED) return new Uint8Array(n);
  if (used + n > SLAB) {
    slab = new ArrayBuffer(SLAB);
    used = 0;
  }
  const out = new Uint8Array(slab, used, n);
  // 8-byte aligned, so a DataView or wider view over an array stays aligned.
  used += (n + 7) & ~7;
  return out;
}

/** A copy of `bytes` in a pooled array. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = allocBytes(bytes.length);
  out.set(bytes);
  return out;
}
