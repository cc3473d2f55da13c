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
  const at = cut(n); // first: it may start a new slab, which `slab` must then be
  return new Uint8Array(slab, at, n);
}

/** Where n bytes of the current slab start (a new slab if they do not fit); n <= MAX_POOLED. */
function cut(n: number): number {
  if (used + n > SLAB) {
    slab = new ArrayBuffer(SLAB);
    used = 0;
  }
  const at = used;
  // 8-byte aligned, so a DataView or wider view over an array stays aligned.
  used += (n + 7) & ~7;
  return at;
}

/** A copy of `bytes` in a pooled array. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = allocBytes(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Room kept in front of the array allocWithRoom() made last: an encoded payload is usually wrapped in a
 * header next (an MBIM command around its information buffer), which can then be written in place
 * instead of allocating and copying the whole message. Only the latest array keeps its room, and only
 * once: the bytes in front of it belong to no other array, and a second wrapping of the same payload
 * (a notification sent twice) copies, so no message's header is ever overwritten.
 */
let roomFor: Uint8Array | undefined;
let roomSize = 0;

/** allocBytes(n) with `room` spare bytes in front of it, for takeRoom(). */
export function allocWithRoom(n: number, room: number): Uint8Array {
  let out: Uint8Array;
  if (room + n > MAX_POOLED) out = new Uint8Array(room + n).subarray(room);
  else {
    const at = cut(room + n); // first: it may start a new slab
    out = new Uint8Array(slab, at + room, n);
  }
  roomFor = out;
  roomSize = room;
  return out;
}

/**
 * `bytes` widened by `room` bytes in front (zero-filled, for the caller to write), if it is the array
 * allocWithRoom() made last with at least that much room and nobody took it yet; else undefined.
 */
export function takeRoom(bytes: Uint8Array, room: number): Uint8Array | undefined {
  if (bytes !== roomFor || room > roomSize) return undefined;
  roomFor = undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset - room, room + bytes.length);
}
