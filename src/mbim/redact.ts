/** Secrets out of MBIM messages before they reach a trace or a capture. */
import { decodeMessage, encodeFragments } from './message.js';
import { QUERY, SET } from './protocol.js';
import { decodeBuffer } from './schema.js';
import { basicConnect } from './services/basic-connect.js';
import { msUiccLowLevelAccess } from './services/ms-uicc-low-level-access.js';

const c = basicConnect.cids;
const readBinary = msUiccLowLevelAccess.cids.readBinary;

/** Whether a command carries a secret: Pin and Connect SETs, UICC Read Binary (its local PIN). */
function secretBearing(service: string, cid: number, commandType: number): boolean {
  if (service === basicConnect.uuid) return commandType === SET && (cid === c.pin.id || cid === c.connect.id);
  return service === msUiccLowLevelAccess.uuid && commandType === QUERY && cid === readBinary.id;
}

/**
 * A copy of a secret-bearing command with its PIN, new PIN, password or local PIN overwritten by `*`
 * (re-encoded, so the message stays well formed); any other message as it is.
 */
export function redactMbim(bytes: Uint8Array): Uint8Array {
  const m = decodeMessage(bytes);
  if (!m.ok || m.value.type !== 'command' || !secretBearing(m.value.service, m.value.cid, m.value.commandType)) return bytes;
  const msg = m.value;
  const mask = (s: string): string => '*'.repeat(s.length);
  let buffer: Uint8Array | undefined;
  if (msg.service === msUiccLowLevelAccess.uuid) {
    const v = decodeBuffer(readBinary.query, msg.buffer);
    if (v.ok) buffer = readBinary.query.encode({ ...v.value, localPin: mask(v.value.localPin) });
  } else if (msg.cid === c.pin.id) {
    const v = decodeBuffer(c.pin.set, msg.buffer);
    if (v.ok) buffer = c.pin.set.encode({ ...v.value, pin: mask(v.value.pin), newPin: mask(v.value.newPin) });
  } else if (msg.cid === c.connect.id) {
    const v = decodeBuffer(c.connect.set, msg.buffer);
    if (v.ok) buffer = c.connect.set.encode({ ...v.value, password: mask(v.value.password) });
  }
  // A secret-bearing message that does not decode is dropped from the trace rather than shown.
  if (!buffer) return new Uint8Array(0);
  return encodeFragments({ ...msg, buffer })[0]!;
}
