/**
 * qmi_wwan's own QMAP demultiplexer (qmimux): plain MAP v1 headers only, with rules of its own that
 * differ from rmnet's (qmimux_rx_fixup). Its transmit side is one v1 frame per transfer, unpadded,
 * which is exactly QMAP v1 uplink with one datagram per transfer.
 */
import type { Aggregator } from './aggregator.js';
import { be16 } from '../wire/bytes.js';
import { countDrop, dropCounts, ipLink, packetType } from './framing.js';
import type { Decapsulator, PacketSink, PacketType, TransferSink } from './framing.js';
import { MAP_HEADER_LENGTH, QMAP_MAX_MUX_ID, QMAP_MIN_MUX_ID, qmapEncoder } from './qmap.js';
import type { QmapTxDropReason } from './qmap.js';

export const QMIMUX_DROP_REASONS = [
  'bogus-length', // a frame runs past the transfer: the rest is dropped
  'command', // command frames are skipped
  'zero-length',
  'pad', // pad ≥ length
  'mux-id', // 0 or 255: no qmimux can have it
  'not-ip',
] as const;
export type QmimuxDropReason = (typeof QMIMUX_DROP_REASONS)[number];

export interface QmimuxFrameInfo {
  /** Offset of the frame's MAP header in the transfer. */
  frame: number;
  pad: number;
  type: PacketType;
}

/** Splits qmimux frames into packets per mux id, counting what it drops. */
export class QmimuxDecoder implements Decapsulator<QmimuxFrameInfo, QmimuxDropReason> {
  readonly drops = dropCounts(QMIMUX_DROP_REASONS);
  private readonly info: QmimuxFrameInfo = { frame: 0, pad: 0, type: 'other' };

  decapsulate(t: Uint8Array, sink: PacketSink<QmimuxFrameInfo, QmimuxDropReason>): void {
    const n = t.length;
    // Strictly less: a header with nothing after it is never looked at.
    for (let off = 0; off + MAP_HEADER_LENGTH < n; ) {
      const len = be16(t, off + 2);
      if (off + len + MAP_HEADER_LENGTH > n) return countDrop(this.drops, sink, 'bogus-length', off);
      const flags = t[off]!;
      const mux = t[off + 1]!;
      const pad = flags & 0x3f;
      const payload = off + MAP_HEADER_LENGTH;
      const type = packetType(t[payload]);
      const skip: QmimuxDropReason | null =
        flags & 0x80 ? 'command'
        : len === 0 ? 'zero-length'
        : pad >= len ? 'pad'
        : mux < QMAP_MIN_MUX_ID || mux > QMAP_MAX_MUX_ID ? 'mux-id'
        : type === 'other' ? 'not-ip'
        : null;
      if (skip) {
        countDrop(this.drops, sink, skip, off);
      } else {
        this.info.frame = off;
        this.info.pad = pad;
        this.info.type = type;
        sink.packet(ipLink(mux), t.subarray(payload, payload + len - pad), this.info);
      }
      off += len + MAP_HEADER_LENGTH;
    }
  }
}

/** One unpadded v1 frame per transfer; `maxPacket` bounds the IP packet (the MTU). */
export function qmimuxEncoder(onTransfer: TransferSink, maxPacket = 0xffff - 3): Aggregator<QmapTxDropReason> {
  return qmapEncoder(
    { version: 1, direction: 'uplink', maxBytes: MAP_HEADER_LENGTH + maxPacket, maxDatagrams: 1 },
    onTransfer,
  );
}
