/** Secrets out of MBIM messages before they reach a trace, a log or a capture. */
import { decodeMessage, encodeFragments } from './message.js';
import { SET } from './protocol.js';
import { decodeBuffer, type Field, type Layout } from './schema.js';
import { findCids } from './services/index.js';
import { sameBytes } from '../wire/bytes.js';

/** Fields that hold a secret, by their declared name (PIN, new PIN, password, UICC local PIN). */
export const isSecretField = (name: string): boolean => /^(pin|newPin|password|localPin)$/.test(name);

/** Whether a field is, or holds at any depth (struct arrays: LTE attach configurations), a secret. */
function holdsSecret(name: string, f: Field<unknown>): boolean {
  if (isSecretField(name)) return true;
  const l = f.layout;
  const shape = l.kind === 'struct' ? l.shape : 'element' in l && 'shape' in l.element ? (l.element as Layout).shape : undefined;
  return shape !== undefined && Object.entries(shape).some(([k, x]) => holdsSecret(k, x));
}

/** The layouts a command's buffer may have (MBIM 1.0's, MBIMEx revisions') when any declares a secret field. */
function secretLayouts(service: string, cid: number, commandType: number): Layout[] {
  const layouts = findCids(service, cid).flatMap((def) => {
    const layout = commandType === SET ? def.set : def.query;
    return layout ? [layout] : [];
  });
  return layouts.some((l) => Object.entries(l.shape).some(([k, f]) => holdsSecret(k, f))) ? layouts : [];
}


/** Every secret string in a decoded value replaced by `*` of its length, at any depth. */
function mask(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretField(k) && typeof x === 'string' ? '*'.repeat(x.length) : mask(x)]));
  }
  return v;
}

/**
 * A copy of a command whose declaration has secret fields, each overwritten by `*` of its length
 * (re-encoded, so the message stays well formed); any other message as it is. The layout used is the
 * one (MBIM 1.0's or an MBIMEx revision's) that reads the buffer and writes it back byte for byte, or,
 * for a CID with one layout, the one that reads it. A secret-bearing command read by none of them is
 * dropped rather than shown.
 */
export function redactMbim(bytes: Uint8Array): Uint8Array {
  const m = decodeMessage(bytes);
  if (!m.ok || m.value.type !== 'command') return bytes;
  const msg = m.value;
  const layouts = secretLayouts(msg.service, msg.cid, msg.commandType);
  if (layouts.length === 0) return bytes;
  for (const layout of layouts) {
    const v = decodeBuffer(layout, msg.buffer);
    if (!v.ok || (layouts.length > 1 && !sameBytes(layout.encode(v.value), msg.buffer))) continue;
    return encodeFragments({ ...msg, buffer: layout.encode(mask(v.value) as typeof v.value) })[0]!;
  }
  return new Uint8Array(0);
}
