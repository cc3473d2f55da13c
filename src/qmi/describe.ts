/**
 * A QMUX frame as JSON for people: header fields, the message by name, every TLV with its name and
 * decoded value, and each problem with its offset. Never throws on bytes.
 */
import { DecodeError, Reader, toHex } from '../wire/index.js';
import { RESULT_TLV } from './codec.js';
import { protocolErrorName } from './errors.js';
import { decodeQmux, headerSize, splitTlvs } from './qmux.js';
import { findIndication, findMessage, findService } from './registry.js';
import type { TlvMap } from './schema.js';

export interface DescribedTlv {
  type: number;
  name?: string;
  offset: number;
  length: number;
  value?: unknown;
  hex: string;
  error?: string;
}

/** A decoded QMUX message, TLVs named, for people and JSON. */
export interface DescribedQmux {
  service?: { id: number; name?: string };
  clientId?: number;
  type?: string;
  flags?: number;
  transaction?: number;
  message?: { id: number; name?: string };
  result?: { status: 'success' | 'failure'; error: number; errorName: string };
  tlvs: DescribedTlv[];
  errors: { offset: number; field: string; reason: string }[];
}

/** Decodes a QMUX frame for people (TLVs named, secrets masked); never throws. */
export function describeQmux(bytes: Uint8Array): DescribedQmux {
  const out = describe(bytes);
  // Header fields first, then the TLVs and the problems: the order people read in.
  const { tlvs, errors, ...header } = out;
  return { ...header, tlvs, errors };
}

function describe(bytes: Uint8Array): DescribedQmux {
  const out: DescribedQmux = { tlvs: [], errors: [] };
  const f = decodeQmux(bytes);
  if (!f.ok) {
    out.errors.push({ offset: f.error.offset, field: f.error.field, reason: f.error.message });
    return out;
  }
  const frame = f.value;
  const svc = findService(frame.service);
  out.service = { id: frame.service, ...(svc ? { name: svc.name } : {}) };
  out.clientId = frame.clientId;
  out.type = frame.type ?? 'unknown';
  out.flags = frame.flags;
  out.transaction = frame.transaction;
  const isIndication = frame.type === 'indication';
  const msg = isIndication ? findIndication(frame.service, frame.messageId) : findMessage(frame.service, frame.messageId);
  out.message = { id: frame.messageId, ...(msg ? { name: msg.name } : {}) };
  const defs: TlvMap = !msg ? {} : msg.kind === 'indication' ? msg.tlvs : frame.type === 'response' ? msg.response : msg.request;
  const byId = new Map(Object.entries(defs).map(([name, d]) => [d.id, { name, def: d }]));

  const base = headerSize(frame.service);
  const split = splitTlvs(frame.tlvs, base);
  if (!split.ok) {
    out.errors.push({ offset: split.error.offset, field: split.error.field, reason: split.error.message });
    return out;
  }
  for (const t of split.value) {
    const entry: DescribedTlv = { type: t.type, offset: t.offset, length: t.value.length, hex: toHex(t.value, '') };
    if (frame.type === 'response' && t.type === RESULT_TLV) {
      entry.name = 'result';
      if (t.value.length >= 4) {
        const r = new Reader(t.value);
        const status = r.u16();
        const error = r.u16();
        entry.value = { status, error };
        out.result = { status: status === 0 ? 'success' : 'failure', error, errorName: protocolErrorName(error) };
      } else {
        entry.error = 'result TLV shorter than 4 bytes';
        out.errors.push({ offset: t.offset, field: 'result', reason: entry.error });
      }
    } else {
      const known = byId.get(t.type);
      if (known) {
        entry.name = known.name;
        const r = new Reader(t.value);
        r.field = known.name;
        try {
          entry.value = known.def.codec.show(known.def.codec.read(r));
          if (r.remaining > 0) entry.error = `${r.remaining} bytes left unread`;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          entry.error = e.message;
          out.errors.push({ offset: t.offset + 3 + e.offset, field: e.field, reason: e.message });
        }
      }
    }
    out.tlvs.push(entry);
  }
  const present = new Set(split.value.map((t) => t.type));
  const success = out.result?.status !== 'failure';
  for (const [name, d] of Object.entries(defs)) {
    if (d.mandatory && !present.has(d.id) && (frame.type !== 'response' || success)) {
      out.errors.push({ offset: bytes.length, field: name, reason: `mandatory TLV 0x${d.id.toString(16).padStart(2, '0')} (${name}) is missing` });
    }
  }
  if (frame.type === 'response' && !present.has(RESULT_TLV)) out.errors.push({ offset: bytes.length, field: 'result', reason: 'mandatory result TLV 0x02 is missing' });
  return out;
}
