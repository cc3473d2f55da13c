import { DecodeError } from './errors.js';
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

/** The UUID text of 16 bytes at `at`, from the last one read where the bytes are the same (MBIM carries UUIDs in textual order). */
export function uuidCachedAt(b: Uint8Array, at: number): string {
  let same = lastText !== '';
  for (let i = 0; same && i < 16; i++) same = b[at + i] === lastBytes[i];
  if (same) return lastText;
  for (let i = 0; i < 16; i++) lastBytes[i] = b[at + i]!;
  lastText = uuidAt(b, at);
  return lastText;
}

const hexValue = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/** The UUID's 16 bytes into b[at, at+16) as they are read; false (b partly written) if any digit or dash is off. */
export function parseUuidInto(uuid: string, b: Uint8Array, at: number): boolean {
  if (uuid.length !== 36) return false;
  for (let i = 0, k = 0; i < 16; i++) {
    if ((k === 8 || k === 13 || k === 18 || k === 23) && uuid.charCodeAt(k++) !== 0x2d) return false;
    const hi = hexValue(uuid.charCodeAt(k++));
    const lo = hexValue(uuid.charCodeAt(k++));
    if (hi < 0 || lo < 0) return false;
    b[at + i] = (hi << 4) | lo;
  }
  return true;
}

export const badUuid = (uuid: string, at: number): DecodeError => new DecodeError('invalid', 'uuid', at, `not a UUID: ${JSON.stringify(uuid.slice(0, 64))}`);

export function writeUuid(w: Writer, uuid: string): void {
  const at = w.reserve(16);
  if (!parseUuidInto(uuid, w.buffer, at)) {
    w.pos = at;
    throw badUuid(uuid, at);
  }
}
