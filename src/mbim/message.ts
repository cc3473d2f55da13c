/**
 * MBIM control messages (PROTOCOLS.md A.3.1–3.2): the 12-byte header, the body of each type, and the
 * fragments COMMAND, COMMAND_DONE and INDICATE_STATUS are split into. Pure codecs: no I/O, no clocks.
 */
import { le32, putLe32 } from '../wire/bytes.js';
import { DecodeError, Writer, allocBytes, catchDecode, takeRoom, uuidCachedAt, writeUuid, type Result } from '../wire/index.js';
import { MbimMessageType, messageTypeName, type MbimMessageTypeName } from './protocol.js';

export const HEADER_SIZE = 12;
/** Header + fragment header: what every fragment after the first starts with. */
export const FRAGMENT_HEADER_SIZE = 20;
/** Header + fragment header + UUID + CID + type/status + buffer length. */
export const COMMAND_HEADER_SIZE = 48;
export const INDICATE_HEADER_SIZE = 44;

interface Bodies {
  open: { maxControlTransfer: number };
  close: object;
  command: { service: string; cid: number; commandType: number; buffer: Uint8Array };
  hostError: { error: number };
  openDone: { status: number };
  closeDone: { status: number };
  commandDone: { service: string; cid: number; status: number; buffer: Uint8Array };
  functionError: { error: number };
  indicateStatus: { service: string; cid: number; buffer: Uint8Array };
}
export type MbimMessageOf<T extends MbimMessageTypeName> = { type: T; transactionId: number } & Bodies[T];
/** A decoded MBIM message of any type. */
export type MbimMessage = { [T in MbimMessageTypeName]: MbimMessageOf<T> }[MbimMessageTypeName];

/** The types that carry a fragment header and an information buffer. */
export const isFragmented = (type: MbimMessageTypeName): type is 'command' | 'commandDone' | 'indicateStatus' =>
  type === 'command' || type === 'commandDone' || type === 'indicateStatus';

/** Exact length of the types without a buffer; the smallest fragment (a later one) for the others. */
export function minimumLength(type: MbimMessageTypeName): number {
  if (type === 'close') return HEADER_SIZE;
  if (isFragmented(type)) return FRAGMENT_HEADER_SIZE;
  return HEADER_SIZE + 4;
}

export interface MbimHeader {
  type: MbimMessageTypeName;
  length: number;
  transactionId: number;
}

/** One fragment of a COMMAND, COMMAND_DONE or INDICATE_STATUS. */
export interface MbimFragment extends MbimHeader {
  type: 'command' | 'commandDone' | 'indicateStatus';
  total: number;
  current: number;
  /** Present on fragment 0 only. */
  first?: { service: string; cid: number; commandType?: number; status?: number; bufferLength: number };
  /** The information-buffer bytes this fragment carries (a view). */
  data: Uint8Array;
}

/** Reads of the header that run past the bytes: the two first words are all that can. */
const short = (field: string, at: number, size: number): DecodeError => new DecodeError('truncated', field, at, `needs 4 bytes, ${size - at} left`);

/**
 * Decodes one complete message or fragment (its header length must match the bytes). Read in place:
 * once the header's length equals the size and covers the type's minimum, every later word is there.
 */
export function decodeFragment(bytes: Uint8Array): Result<MbimHeader & ({ fragment: MbimFragment } | { message: MbimMessage })> {
  return catchDecode(() => {
    const size = bytes.length;
    if (size < 4) throw short('header.type', 0, size);
    const raw = le32(bytes, 0);
    const type = messageTypeName(raw);
    if (!type) throw new DecodeError('framing', 'header.type', 0, `unknown message type 0x${raw.toString(16).padStart(8, '0')}`);
    if (size < 8) throw short('header.length', 4, size);
    const length = le32(bytes, 4);
    if (length !== size) throw new DecodeError('length', 'header.length', 4, `header says ${length} bytes, message has ${size}`);
    if (length < minimumLength(type)) throw new DecodeError('length', 'header.length', 4, `${length} bytes is too short for ${type}`);
    const transactionId = le32(bytes, 8);
    if (!isFragmented(type)) {
      const v = type === 'close' ? 0 : le32(bytes, 12);
      const trailing = size - (type === 'close' ? HEADER_SIZE : HEADER_SIZE + 4);
      if (trailing > 0) throw new DecodeError('length', 'header.length', 4, `${type} has ${trailing} trailing bytes`);
      const message: MbimMessage =
        type === 'open'
          ? { type, transactionId, maxControlTransfer: v }
          : type === 'close'
            ? { type, transactionId }
            : type === 'hostError' || type === 'functionError'
              ? { type, transactionId, error: v }
              : { type, transactionId, status: v };
      return { type, length, transactionId, message };
    }
    const total = le32(bytes, 12);
    const current = le32(bytes, 16);
    if (total === 0 || current >= total) {
      throw new DecodeError('invalid', 'fragment.current', 16, `fragment ${current} of ${total}`);
    }
    let first: MbimFragment['first'];
    let data = FRAGMENT_HEADER_SIZE;
    if (current === 0) {
      const headerSize = type === 'indicateStatus' ? INDICATE_HEADER_SIZE : COMMAND_HEADER_SIZE;
      if (size < headerSize) throw new DecodeError('truncated', 'header.length', 4, `${size} bytes is too short for ${type}`);
      const service = uuidCachedAt(bytes, 20);
      const cid = le32(bytes, 36);
      const second = type === 'indicateStatus' ? undefined : le32(bytes, 40);
      const bufferLength = le32(bytes, headerSize - 4);
      const present = size - headerSize;
      if (total === 1 ? bufferLength !== present : bufferLength < present) {
        throw new DecodeError('length', 'bufferLength', headerSize - 4, `buffer length ${bufferLength} but ${present} bytes follow`);
      }
      first = type === 'command' ? { service, cid, bufferLength, commandType: second } : type === 'commandDone' ? { service, cid, bufferLength, status: second } : { service, cid, bufferLength };
      data = headerSize;
    }
    const fragment: MbimFragment = { type, length, transactionId, total, current, data: bytes.subarray(data) };
    if (first) fragment.first = first;
    return { type, length, transactionId, fragment };
  });
}

/** Builds the message out of a complete single fragment (total 1). */
export function fragmentToMessage(f: MbimFragment & { first: NonNullable<MbimFragment['first']> }, buffer = f.data): MbimMessage {
  const { transactionId } = f;
  const { service, cid } = f.first;
  if (f.type === 'command') return { type: 'command', transactionId, service, cid, commandType: f.first.commandType ?? 0, buffer };
  if (f.type === 'commandDone') return { type: 'commandDone', transactionId, service, cid, status: f.first.status ?? 0, buffer };
  return { type: 'indicateStatus', transactionId, service, cid, buffer };
}

/** Decodes a whole unfragmented message. */
export function decodeMessage(bytes: Uint8Array): Result<MbimMessage> {
  const d = decodeFragment(bytes);
  if (!d.ok) return d;
  if ('message' in d.value) return { ok: true, value: d.value.message };
  const f = d.value.fragment;
  if (f.total !== 1 || !f.first) return { ok: false, error: new DecodeError('invalid', 'fragment.total', 12, `fragment ${f.current} of ${f.total} is not a whole message`) };
  return { ok: true, value: fragmentToMessage(f as MbimFragment & { first: NonNullable<MbimFragment['first']> }) };
}

/**
 * Encodes a message, split into fragments no longer than `maxTransfer` bytes (PROTOCOLS.md A.3.2).
 * Messages without a buffer are always one piece.
 */
export function encodeFragments(m: MbimMessage, maxTransfer = Infinity): Uint8Array[] {
  const raw = MbimMessageType[m.type];
  if (m.type !== 'command' && m.type !== 'commandDone' && m.type !== 'indicateStatus') {
    const w = new Writer(16);
    const size = m.type === 'close' ? HEADER_SIZE : HEADER_SIZE + 4;
    w.u32(raw).u32(size).u32(m.transactionId);
    if (m.type === 'open') w.u32(m.maxControlTransfer);
    else if (m.type === 'hostError' || m.type === 'functionError') w.u32(m.error);
    else if (m.type === 'openDone' || m.type === 'closeDone') w.u32(m.status);
    return [w.finish()];
  }
  const headerSize = m.type === 'indicateStatus' ? INDICATE_HEADER_SIZE : COMMAND_HEADER_SIZE;
  if (maxTransfer <= FRAGMENT_HEADER_SIZE || maxTransfer < headerSize) {
    throw new DecodeError('invalid', 'maxControlTransfer', 0, `${maxTransfer} bytes cannot carry a ${m.type}`);
  }
  const buf = m.buffer;
  const firstRoom = maxTransfer - headerSize;
  const laterRoom = maxTransfer - FRAGMENT_HEADER_SIZE;
  const total = buf.length <= firstRoom ? 1 : 1 + Math.ceil((buf.length - firstRoom) / laterRoom);
  if (total === 1) {
    // A buffer just encoded has room for this header in front of it: the message is written around it, no copy.
    const whole = takeRoom(buf, headerSize);
    if (whole) {
      writeFirstHeader(whole, m, raw, 1);
      return [whole];
    }
  }
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let current = 0; current < total; current++) {
    const room = current === 0 ? firstRoom : laterRoom;
    const chunk = buf.subarray(pos, Math.min(buf.length, pos + room));
    pos += chunk.length;
    const start = current === 0 ? headerSize : FRAGMENT_HEADER_SIZE;
    const f = allocBytes(start + chunk.length);
    if (current === 0) writeFirstHeader(f, m, raw, total);
    else putFragmentHeader(f, raw, m.transactionId, total, current);
    f.set(chunk, start);
    out.push(f);
  }
  return out;
}

function putFragmentHeader(b: Uint8Array, raw: number, transactionId: number, total: number, current: number): void {
  putLe32(b, 0, raw);
  putLe32(b, 4, b.length);
  putLe32(b, 8, transactionId);
  putLe32(b, 12, total);
  putLe32(b, 16, current);
}

/** The service UUID last written, as bytes: replies and requests mostly repeat one service. */
let lastService = '';
const lastServiceBytes = new Uint8Array(16);

/** Fragment 0's headers in b[0, header size); its buffer follows them, whole or in part. */
function writeFirstHeader(b: Uint8Array, m: Extract<MbimMessage, { buffer: Uint8Array }>, raw: number, total: number): void {
  putFragmentHeader(b, raw, m.transactionId, total, 0);
  if (m.service !== lastService || lastService === '') {
    lastService = ''; // a bad UUID may leave part of it written
    writeUuid(new Writer(lastServiceBytes), m.service);
    lastService = m.service;
  }
  for (let i = 0; i < 16; i++) b[20 + i] = lastServiceBytes[i]!; // a loop: cheaper than set() at 16 bytes
  putLe32(b, 36, m.cid);
  if (m.type === 'indicateStatus') putLe32(b, 40, m.buffer.length);
  else {
    putLe32(b, 40, m.type === 'command' ? m.commandType : m.status);
    putLe32(b, 44, m.buffer.length);
  }
}

/** Encodes a message as one piece, whatever its size. */
export const encodeMessage = (m: MbimMessage): Uint8Array => encodeFragments(m)[0]!;
