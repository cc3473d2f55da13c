/** Secrets out of QMUX frames before they reach a trace or a capture. */
import { decodeQmux, splitTlvs } from './qmux.js';
import { findIndication, findMessage } from './registry.js';

/** A copy of `frame` with the value of every TLV declared secret overwritten by `*`; the frame itself if it has none. */
export function redactQmux(frame: Uint8Array): Uint8Array {
  const f = decodeQmux(frame);
  if (!f.ok) return frame;
  const msg = f.value.type === 'indication' ? findIndication(f.value.service, f.value.messageId) : findMessage(f.value.service, f.value.messageId);
  if (!msg) return frame;
  const defs = msg.kind === 'indication' ? msg.tlvs : f.value.type === 'response' ? msg.response : msg.request;
  const secretIds = new Set(Object.values(defs).filter((d) => d.secret).map((d) => d.id));
  if (secretIds.size === 0) return frame;
  const base = frame.length - f.value.tlvs.length;
  const tlvs = splitTlvs(f.value.tlvs, base);
  if (!tlvs.ok) return frame;
  let out: Uint8Array | undefined;
  for (const t of tlvs.value) {
    if (!secretIds.has(t.type)) continue;
    // Uint8Array.from, not slice(): a Buffer's slice() is a view, and masking it would change the bytes being processed.
    out ??= Uint8Array.from(frame);
    out.fill(0x2a, t.offset + 3, t.offset + 3 + t.value.length);
  }
  return out ?? frame;
}
