import { DecodeError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID_RE.test(s);

/** MBIM carries UUIDs as 16 bytes in textual order (no GUID byte swapping). */
export function readUuid(r: Reader): string {
  const b = r.bytesView(16);
  let h = '';
  for (let i = 0; i < 16; i++) {
    h += b[i]!.toString(16).padStart(2, '0');
    if (i === 3 || i === 5 || i === 7 || i === 9) h += '-';
  }
  return h;
}

export function writeUuid(w: Writer, uuid: string): void {
  if (!UUID_RE.test(uuid)) throw new DecodeError('invalid', 'uuid', w.pos, `not a UUID: ${JSON.stringify(uuid.slice(0, 64))}`);
  const h = uuid.replace(/-/g, '');
  for (let i = 0; i < 16; i++) w.u8(parseInt(h.slice(i * 2, i * 2 + 2), 16));
}
