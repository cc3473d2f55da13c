/** Byte access for the hot paths: plain indexing is faster than DataView or Reader for short fields. */

export const be16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
export const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
export const le32 = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

export function putBe16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >> 8;
  b[at + 1] = v;
}

export function putLe16(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >> 8;
}

export function putBe32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >> 16;
  b[at + 2] = v >> 8;
  b[at + 3] = v;
}

export function putLe32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >> 8;
  b[at + 2] = v >> 16;
  b[at + 3] = v >>> 24;
}

/** The UTF-16LE code units of `s` into b at `at` (lone surrogates as they are). */
export function putUtf16le(b: Uint8Array, at: number, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[at + i * 2] = c;
    b[at + i * 2 + 1] = c >>> 8;
  }
}

/** Below this size a loop beats TypedArray.set/fill, whose per-call cost dominates small packets. */
const LOOP_COPY_MAX = 96;

export function copyInto(dst: Uint8Array, at: number, src: Uint8Array): void {
  const n = src.length;
  if (n > LOOP_COPY_MAX) {
    dst.set(src, at);
    return;
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
}

export function zero(dst: Uint8Array, from: number, to: number): void {
  if (to - from > LOOP_COPY_MAX) {
    dst.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) dst[i] = 0;
}

export const alignUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Whether two byte sequences (arrays of octets or Uint8Arrays) hold the same bytes. */
export const sameBytes = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};
