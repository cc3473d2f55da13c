/**
 * QMI over QRTR carries the service message alone (flags, u16 transaction, message id, TLV length,
 * TLVs): no QMUX header, since each service is its own QRTR port and the client is the sender's
 * address. These put the QMUX header on and take it off, so everything above keeps speaking QMUX.
 */
import { DecodeError, fail, ok, type Result } from '../wire/errors.js';
import { QMI_SERVICE_CTL, QMUX_HEADER_SIZE, QMUX_MARKER, decodeQmux, type QmuxFrame } from './qmux.js';

/** A QRTR payload as the QMUX frame of (service, cid); the result is checked as any QMUX frame is. */
export function qmuxFromQrtr(service: number, clientId: number, payload: Uint8Array, fromModem: boolean): Result<{ bytes: Uint8Array; frame: QmuxFrame }> {
  if (service === QMI_SERVICE_CTL || service > 0xff) return fail(new DecodeError('invalid', 'service', 0, `QMI service ${service} cannot be carried in a QMUX frame`));
  const length = QMUX_HEADER_SIZE - 1 + payload.length;
  if (length > 0xffff) return fail(new DecodeError('length', 'length', 0, `${payload.length}-byte message exceeds the QMUX limit`));
  const bytes = new Uint8Array(QMUX_HEADER_SIZE + payload.length);
  bytes.set([QMUX_MARKER, length & 0xff, length >> 8, fromModem ? 0x80 : 0x00, service, clientId & 0xff]);
  bytes.set(payload, QMUX_HEADER_SIZE);
  const d = decodeQmux(bytes);
  return d.ok ? ok({ bytes, frame: d.value }) : fail(d.error);
}

/** The QRTR payload of a QMUX frame of a service other than CTL. */
export const qrtrFromQmux = (qmux: Uint8Array): Uint8Array => qmux.subarray(QMUX_HEADER_SIZE);
