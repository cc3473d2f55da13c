/**
 * Raw IP (qmi_wwan raw_ip, plain mhi_net): one IP packet per transfer and nothing around it, so
 * the single link is `ipLink(0)` and encapsulation hands the packet on untouched.
 */
import { countDrop, dropCounts, ipLink, packetType } from './framing.js';
import type { Decapsulator, Encapsulator, Link, PacketSink, PacketType, TransferSink } from './framing.js';

export const RAW_IP_LINK: Link = ipLink(0);

export const RAW_IP_DROP_REASONS = ['not-ip'] as const;
export type RawIpDropReason = (typeof RAW_IP_DROP_REASONS)[number];

/** qmi_wwan in raw_ip mode delivers a transfer only if its first nibble is 4 or 6. */
export class RawIpDecoder implements Decapsulator<PacketType, RawIpDropReason> {
  readonly drops = dropCounts(RAW_IP_DROP_REASONS);

  decapsulate(transfer: Uint8Array, sink: PacketSink<PacketType, RawIpDropReason>): void {
    const type = packetType(transfer[0]);
    if (type === 'other') countDrop(this.drops, sink, 'not-ip', 0);
    else sink.packet(RAW_IP_LINK, transfer, type);
  }
}

export const RAW_IP_TX_DROP_REASONS = ['link', 'empty'] as const;
export type RawIpTxDropReason = (typeof RAW_IP_TX_DROP_REASONS)[number];

/** Raw IP (no framing): one packet per transfer. */
export class RawIpEncoder implements Encapsulator<RawIpTxDropReason> {
  readonly drops = dropCounts(RAW_IP_TX_DROP_REASONS);

  constructor(private readonly onTransfer: TransferSink) {}

  send(link: Link, packet: Uint8Array): boolean {
    const why = link !== RAW_IP_LINK ? 'link' : packet.length === 0 ? 'empty' : null;
    if (why) {
      this.drops[why]++;
      return false;
    }
    this.onTransfer(packet);
    return true;
  }

  /** Nothing is ever held back. */
  flush(): void {}
}
