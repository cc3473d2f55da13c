/**
 * `wwan decode --as mbim`: one MBIM message (or fragment) as JSON, from any bytes. Names come from the
 * declarations; undeclared services and CIDs keep their buffer as hex; every problem is listed with
 * the offset it was found at. Pure, and never throws.
 */
import { toHex } from '../wire/hex.js';
import type { DecodeError } from '../wire/errors.js';
import { decodeFragment, COMMAND_HEADER_SIZE, INDICATE_HEADER_SIZE, HEADER_SIZE } from './message.js';
import { messageTypeName, protocolErrorName, statusName } from './protocol.js';
import { decodeBuffer, type Layout } from './schema.js';
import { findCid, serviceName } from './services/index.js';
import { isSecretField } from './redact.js';

/** A decoded MBIM message, fields named, for people and JSON. */
export interface MbimDescription {
  type: string;
  length?: number;
  transactionId?: number;
  fragment?: { total: number; current: number };
  service?: { name: string | null; uuid: string };
  cid?: { id: number; name: string | null };
  commandType?: 'query' | 'set' | number;
  status?: { code: number; name: string };
  error?: { code: number; name: string };
  maxControlTransfer?: number;
  bufferLength?: number;
  fields?: unknown;
  buffer?: string;
  errors: { code: string; field: string; offset: number; message: string }[];
}

export interface DescribeOptions {
  /** Replace secrets (PINs, passwords) with `***`, for logs. */
  redact?: boolean;
}

function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretField(k) && x !== '' ? '***' : redact(x)]));
  }
  return v;
}

/** Decodes an MBIM message for people (fields named, secrets masked when asked); never throws. */
export function describeMbim(bytes: Uint8Array, opts: DescribeOptions = {}): MbimDescription {
  const errors: MbimDescription['errors'] = [];
  const note = (e: DecodeError): void => void errors.push(e.toJSON());
  if (bytes.length < 8) {
    const type = bytes.length >= 4 ? messageTypeName(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true)) : undefined;
    errors.push({ code: 'truncated', field: 'header', offset: 0, message: `${bytes.length} bytes cannot hold the 12-byte header` });
    return { type: type ?? 'unknown', errors };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getUint32(4, true);
  // Decode what the header claims, noting any disagreement with the bytes given.
  let msg = bytes;
  if (claimed < bytes.length && claimed >= HEADER_SIZE) {
    errors.push({ code: 'length', field: 'header.length', offset: 4, message: `${bytes.length - claimed} bytes follow the ${claimed}-byte message` });
    msg = bytes.subarray(0, claimed);
  }
  const d = decodeFragment(msg);
  if (!d.ok) {
    note(d.error);
    const raw = view.getUint32(0, true);
    return {
      type: messageTypeName(raw) ?? `0x${raw.toString(16).padStart(8, '0')}`,
      length: claimed,
      ...(bytes.length >= 12 ? { transactionId: view.getUint32(8, true) } : {}),
      errors,
    };
  }
  const out: MbimDescription = { type: d.value.type, length: d.value.length, transactionId: d.value.transactionId, errors };
  if ('message' in d.value) {
    const m = d.value.message;
    if (m.type === 'open') out.maxControlTransfer = m.maxControlTransfer;
    if (m.type === 'openDone' || m.type === 'closeDone') out.status = { code: m.status, name: statusName(m.status) };
    if (m.type === 'hostError' || m.type === 'functionError') out.error = { code: m.error, name: protocolErrorName(m.error) };
    return out;
  }
  const f = d.value.fragment;
  out.fragment = { total: f.total, current: f.current };
  if (!f.first) {
    out.buffer = toHex(f.data, '');
    return out;
  }
  const { service, cid } = f.first;
  const def = findCid(service, cid);
  out.service = { name: serviceName(service) ?? null, uuid: service };
  out.cid = { id: cid, name: def?.name ?? null };
  if (f.first.commandType !== undefined) out.commandType = f.first.commandType === 0 ? 'query' : f.first.commandType === 1 ? 'set' : f.first.commandType;
  if (f.first.status !== undefined) out.status = { code: f.first.status, name: statusName(f.first.status) };
  out.bufferLength = f.first.bufferLength;
  const layout: Layout | undefined =
    f.type === 'command' ? (f.first.commandType === 1 ? def?.set : def?.query) : f.type === 'commandDone' ? def?.response : def?.notification;
  const start = f.type === 'indicateStatus' ? INDICATE_HEADER_SIZE : COMMAND_HEADER_SIZE;
  if (layout && f.total === 1 && (f.first.status ?? 0) === 0) {
    const v = decodeBuffer(layout, msg, start);
    if (v.ok) {
      const shown = layout.show(v.value);
      out.fields = opts.redact ? redact(shown) : shown;
      return out;
    }
    note(v.error);
  }
  out.buffer = opts.redact && layout ? `(${f.data.length} bytes)` : toHex(f.data, '');
  return out;
}
