import { decodeQmux } from '../../qmi/qmux.js';
import { hex4 } from '../../qmi/client.js';
import { toHex } from '../../wire/hex.js';

/** One line per frame for `-v`: header fields and the TLV bytes. */
export function describeQmuxLine(frame: Uint8Array): string {
  const d = decodeQmux(frame);
  if (!d.ok) return `invalid QMUX frame (${d.error.message}): ${toHex(frame)}`;
  const f = d.value;
  return `QMUX ${f.type ?? 'unknown'} service ${f.service} cid ${f.clientId} txn ${f.transaction} message ${hex4(f.messageId)} tlvs [${toHex(f.tlvs)}]`;
}
