/** Secrets out of MBIM messages before they reach a trace or a capture. */
import { decodeMessage, encodeFragments } from './message.js';
import { SET } from './protocol.js';
import { decodeBuffer } from './schema.js';
import { basicConnect } from './services/basic-connect.js';

const c = basicConnect.cids;

/**
 * A copy of a Pin or Connect SET with its PIN, new PIN and password overwritten by `*` (re-encoded,
 * so the message stays well formed); any other message as it is.
 */
export function redactMbim(bytes: Uint8Array): Uint8Array {
  const m = decodeMessage(bytes);
  if (!m.ok || m.value.type !== 'command' || m.value.commandType !== SET || m.value.service !== basicConnect.uuid) return bytes;
  const msg = m.value;
  const mask = (s: string): string => '*'.repeat(s.length);
  let buffer: Uint8Array | undefined;
  if (msg.cid === c.pin.id) {
    const v = decodeBuffer(c.pin.set, msg.buffer);
    if (v.ok) buffer = c.pin.set.encode({ ...v.value, pin: mask(v.value.pin), newPin: mask(v.value.newPin) });
  } else if (msg.cid === c.connect.id) {
    const v = decodeBuffer(c.connect.set, msg.buffer);
    if (v.ok) buffer = c.connect.set.encode({ ...v.value, password: mask(v.value.password) });
  }
  // A secret-bearing message that does not decode is dropped from the trace rather than shown.
  if (!buffer) return msg.cid === c.pin.id || msg.cid === c.connect.id ? new Uint8Array(0) : bytes;
  return encodeFragments({ ...msg, buffer })[0]!;
}
