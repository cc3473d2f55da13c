/** QMUX frames (PROTOCOLS.md A.1.1): the 6-byte QMUX header, the CTL or service QMI header, TLVs. */
import { DecodeError, Reader, allocBytes, catchDecode, fail, ok, type Result } from '../wire/index.js';

export const QMUX_MARKER = 0x01;
export const QMI_SERVICE_CTL = 0x00;
export const QMI_CID_BROADCAST = 0xff;
/** Marker byte + QMUX header (length, flags, service, cid). */
export const QMUX_HEADER_SIZE = 6;

export type QmiMessageType = 'request' | 'response' | 'indication' | 'compound';

/** Message-type flag values: CTL uses one set, every other service another. */
const CTL_FLAGS: Record<QmiMessageType, number> = { request: 0x00, response: 0x01, indication: 0x02, compound: -1 };
const SERVICE_FLAGS: Record<QmiMessageType, number> = { request: 0x00, compound: 0x01, response: 0x02, indication: 0x04 };

export function messageTypeFromFlags(service: number, flags: number): QmiMessageType | undefined {
  if (service === QMI_SERVICE_CTL) {
    if (flags === 0x00) return 'request';
    if (flags & 0x01) return 'response';
    if (flags & 0x02) return 'indication';
    return undefined;
  }
  if (flags === 0x00) return 'request';
  if (flags & 0x04) return 'indication';
  if (flags & 0x02) return 'response';
  if (flags & 0x01) return 'compound';
  return undefined;
}

export const headerSize = (service: number): number => QMUX_HEADER_SIZE + (service === QMI_SERVICE_CTL ? 6 : 7);

/** A decoded QMUX frame: header fields and raw TLVs. */
export interface QmuxFrame {
  service: number;
  clientId: number;
  /** QMUX control flags: 0x00 from the host, 0x80 from the modem (never checked by libqmi). */
  controlFlags: number;
  /** Raw QMI header flags. */
  flags: number;
  type: QmiMessageType | undefined;
  transaction: number;
  messageId: number;
  /** The TLV block: a view into the decoded buffer. */
  tlvs: Uint8Array;
}

export interface RawTlv {
  type: number;
  /** The value bytes: a view. */
  value: Uint8Array;
  /** Offset of the TLV's type byte in the frame. */
  offset: number;
}

/** The header fields in order, with their sizes, for the error naming the one that does not fit. */
const HEADER_FIELDS: [field: string, size: number][] = [
  ['marker', 1],
  ['length', 2],
  ['controlFlags', 1],
  ['service', 1],
  ['clientId', 1],
  ['qmi.flags', 1],
  ['qmi.transaction', 2],
  ['qmi.messageId', 2],
  ['qmi.tlvLength', 2],
];

/** Where a frame of `n` bytes ends before its header does: the field cut short. */
function shortHeader(n: number, ctl: boolean): DecodeError {
  let at = 0;
  for (const [field, size] of HEADER_FIELDS) {
    const bytes = field === 'qmi.transaction' && ctl ? 1 : size;
    if (at + bytes > n) return new DecodeError('truncated', field, at, `needs ${bytes} bytes, ${n - at} left`);
    at += bytes;
  }
  throw new Error('unreachable: the header fits');
}

/** Validates one complete frame the way libqmi does and returns its header and TLV block. */
export function decodeQmux(bytes: Uint8Array): Result<QmuxFrame> {
  const n = bytes.length;
  if (n < 1) return fail(shortHeader(n, false));
  if (bytes[0] !== QMUX_MARKER) return fail(new DecodeError('framing', 'marker', 0, `expected 0x01, got 0x${bytes[0]!.toString(16).padStart(2, '0')}`));
  if (n < 3) return fail(shortHeader(n, false));
  const length = bytes[1]! | (bytes[2]! << 8);
  if (length !== n - 1) return fail(new DecodeError('length', 'length', 1, `QMUX length ${length} but frame has ${n - 1} bytes after the marker`));
  const ctl = n > 4 && bytes[4] === QMI_SERVICE_CTL;
  const header = n > 4 ? headerSize(bytes[4]!) : QMUX_HEADER_SIZE + 7;
  if (n < header) return fail(shortHeader(n, ctl));
  const service = bytes[4]!;
  const flags = bytes[6]!;
  const at = ctl ? 8 : 9;
  const tlvLength = bytes[at + 2]! | (bytes[at + 3]! << 8);
  if (tlvLength !== n - header) {
    return fail(new DecodeError('length', 'qmi.tlvLength', at + 2, `TLV block length ${tlvLength} but ${n - header} bytes follow the header`));
  }
  return ok({
    service,
    clientId: bytes[5]!,
    controlFlags: bytes[3]!,
    flags,
    type: messageTypeFromFlags(service, flags),
    transaction: ctl ? bytes[7]! : bytes[7]! | (bytes[8]! << 8),
    messageId: bytes[at]! | (bytes[at + 1]! << 8),
    tlvs: bytes.subarray(header),
  });
}

/** Splits a TLV block; every TLV must fit (libqmi's message check). `base` is the block's offset in the frame. */
export function splitTlvs(block: Uint8Array, base = 0): Result<RawTlv[]> {
  return catchDecode(() => {
    const out: RawTlv[] = [];
    const r = new Reader(block);
    while (r.remaining > 0) {
      const at = r.pos;
      r.field = `tlv@${base + at}.type`;
      if (r.remaining < 3) throw new DecodeError('truncated', r.field, base + at, `TLV header needs 3 bytes, ${r.remaining} left`);
      const type = r.u8();
      const len = r.u16();
      if (len > r.remaining) {
        throw new DecodeError('truncated', `tlv 0x${type.toString(16).padStart(2, '0')}`, base + at, `TLV length ${len} but ${r.remaining} bytes left`);
      }
      out.push({ type, value: r.bytesView(len), offset: base + at });
    }
    return out;
  });
}

/** What a QMUX frame is made from. */
export interface QmuxEncodeInput {
  service: number;
  clientId: number;
  type: Exclude<QmiMessageType, 'compound'>;
  transaction: number;
  messageId: number;
  /** Encoded TLV block. */
  tlvs: Uint8Array;
  /** 0x80 when the modem sends it. */
  controlFlags?: number;
}

/** Encodes a QMUX frame. */
export function encodeQmux(m: QmuxEncodeInput): Uint8Array {
  const ctl = m.service === QMI_SERVICE_CTL;
  const size = headerSize(m.service) + m.tlvs.length;
  if (size - 1 > 0xffff) throw new DecodeError('invalid', 'length', 1, `frame of ${size} bytes exceeds the QMUX limit`);
  const f = allocBytes(size);
  const at = ctl ? 8 : 9;
  f[0] = QMUX_MARKER;
  f[1] = (size - 1) & 0xff;
  f[2] = (size - 1) >> 8;
  f[3] = m.controlFlags ?? 0;
  f[4] = m.service;
  f[5] = m.clientId;
  f[6] = (ctl ? CTL_FLAGS : SERVICE_FLAGS)[m.type];
  f[7] = m.transaction & 0xff;
  if (!ctl) f[8] = (m.transaction >> 8) & 0xff;
  f[at] = m.messageId & 0xff;
  f[at + 1] = (m.messageId >> 8) & 0xff;
  f[at + 2] = m.tlvs.length & 0xff;
  f[at + 3] = m.tlvs.length >> 8;
  f.set(m.tlvs, at + 4);
  return f;
}
