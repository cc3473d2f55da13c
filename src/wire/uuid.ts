import { DecodeError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID_RE.test(s);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The UUID text of 16 bytes at `at`, lower case. */
export function uuidAt(b: Uint8Array, at: number): string {
  let h = '';
  for (let i = 0; i < 16; i++) {
    h += HEX[b[at + i]!]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) h += '-';
  }
  return h;
}

/** The UUID read last, as bytes and text: messages mostly repeat a few services. */
const lastBytes = new Uint8Array(16);
let lastText = '';

/** MBIM carries UUIDs as 16 bytes in textual order (no GUID byte swapping). */
export function readUuid(r: Reader): string {
  const b = r.bytesView(16);
  let same = lastText !== '';
  for (let i = 0; same && i < 16; i++) same = b[i] === lastBytes[i];
  if (same) return lastText;
  lastBytes.set(b);
  lastText = uuidAt(b, 0);
  return lastText;
}

const hexValue = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

export function writeUuid(w: Writer, uuid: string): void {
  // 8-4-4-4-12 hex digits: written as they are read, refused whole if any is off.
  const at = w.reserve(16);
  const b = w.buffer;
  let ok = uuid.length === 36;
  for (let i = 0, k = 0; ok && i < 16; i++) {
    if (k === 8 || k === 13 || k === 18 || k === 23) ok = uuid.charCodeAt(k++) === 0x2d;
    const hi = hexValue(uuid.charCodeAt(k++));
    const lo = hexValue(uuid.charCodeAt(k++));
    if (hi < 0 || lo < 0) ok = false;
    else b[at + i] = (hi << 4) | lo;
  }
  if (!ok) {
    w.pos = at;
    throw new DecodeError('invalid', 'uuid', w.pos, `not a UUID: ${JSON.stringify(uuid.slice(0, 64))}`);
  }
}
