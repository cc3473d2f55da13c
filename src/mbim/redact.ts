/** Secrets out of MBIM messages before they reach a trace, a log or a capture. */
import { decodeMessage, encodeFragments } from './message.js';
import { SET } from './protocol.js';
import { decodeBuffer, type Layout } from './schema.js';
import { findCid } from './services/index.js';

/** Fields that hold a secret, by their declared name (PIN, new PIN, password, UICC local PIN). */
export const isSecretField = (name: string): boolean => /^(pin|newPin|password|localPin)$/.test(name);

/** The layout of a command's buffer when it declares a secret field at its top level. */
function secretLayout(service: string, cid: number, commandType: number): Layout | undefined {
  const def = findCid(service, cid);
  const layout = commandType === SET ? def?.set : def?.query;
  return layout && Object.keys(layout.shape).some(isSecretField) ? layout : undefined;
}

/**
 * A copy of a command whose declaration has secret fields, each overwritten by `*` of its length
 * (re-encoded, so the message stays well formed); any other message as it is. A secret-bearing
 * command whose buffer does not decode is dropped rather than shown.
 */
export function redactMbim(bytes: Uint8Array): Uint8Array {
  const m = decodeMessage(bytes);
  if (!m.ok || m.value.type !== 'command') return bytes;
  const msg = m.value;
  const layout = secretLayout(msg.service, msg.cid, msg.commandType);
  if (!layout) return bytes;
  const v = decodeBuffer(layout, msg.buffer);
  if (!v.ok) return new Uint8Array(0);
  const masked = Object.fromEntries(
    Object.entries(v.value).map(([k, x]) => [k, isSecretField(k) && typeof x === 'string' ? '*'.repeat(x.length) : x]),
  );
  return encodeFragments({ ...msg, buffer: layout.encode(masked as typeof v.value) })[0]!;
}
