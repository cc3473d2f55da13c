/** QMUX frames (PROTOCOLS.md A.1.1): the 6-byte QMUX header, the CTL or service QMI header, TLVs. */
import { DecodeError, Reader, Writer, catchDecode, type Result } from '../wire/index.js';

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

/** Validates one complete frame the way libqmi does and returns its header and TLV block. */
export function decodeQmux(bytes: Uint8Array): Result<QmuxFrame> {
  return catchDecode(() => {
    const r = new Reader(bytes);
    r.field = 'marker';
    const marker = r.u8();
    if (marker !== QMUX_MARKER) throw new DecodeError('framing', 'marker', 0, `expected 0x01, got 0x${marker.toString(16).padStart(2, '0')}`);
    r.field = 'length';
    const length = r.u16();
    if (length !== bytes.length - 1) throw new DecodeError('length', 'length', 1, `QMUX length ${length} but frame has ${bytes.length - 1} bytes after the marker`);
    r.field = 'controlFlags';
    const controlFlags = r.u8();
    r.field = 'service';
    const service = r.u8();
    r.field = 'clientId';
    const clientId = r.u8();
    const ctl = service === QMI_SERVICE_CTL;
    r.field = 'qmi.flags';
    const flags = r.u8();
    r.field = 'qmi.transaction';
    const transaction = ctl ? r.u8() : r.u16();
    r.field = 'qmi.messageId';
    const messageId = r.u16();
    r.field = 'qmi.tlvLength';
    const tlvLength = r.u16();
    if (tlvLength !== r.remaining) {
      throw new DecodeError('length', 'qmi.tlvLength', r.pos - 2, `TLV block length ${tlvLength} but ${r.remaining} bytes follow the header`);
    }
    return {
      service,
      clientId,
      controlFlags,
      flags,
      type: messageTypeFromFlags(service, flags),
      transaction,
      messageId,
      tlvs: bytes.subarray(r.pos),
    };
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
  const w = new Writer(size);
  w.u8(QMUX_MARKER).u16(size - 1).u8(m.controlFlags ?? 0).u8(m.service).u8(m.clientId);
  w.u8((ctl ? CTL_FLAGS : SERVICE_FLAGS)[m.type]);
  if (ctl) w.u8(m.transaction & 0xff);
  else w.u16(m.transaction & 0xffff);
  w.u16(m.messageId).u16(m.tlvs.length).bytes(m.tlvs);
  return w.finish();
}
