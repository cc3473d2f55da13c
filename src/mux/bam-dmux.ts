/**
 * Qualcomm BAM-DMUX frames as the mainline driver (qcom_bam_dmux) reads and writes them: one frame
 * per DMA buffer, an 8-byte little-endian header, channels 0..7, no aggregation.
 */
import { Aggregator } from './aggregator.js';
import type { TransferBuilder } from './aggregator.js';
import { copyInto, le16, putLe16, zero } from '../wire/bytes.js';
import { countDrop, dropCounts, ipLink } from './framing.js';
import type { Decapsulator, Link, PacketSink, TransferSink } from './framing.js';

export const BAM_DMUX_MAGIC = 0x33fc;
export const BAM_DMUX_HEADER_LENGTH = 8;
export const BAM_DMUX_CHANNELS = 8;
/** Every RX DMA buffer is this big, and carries one frame. */
export const BAM_DMUX_BUFFER_SIZE = 2048;
export const BAM_DMUX_MAX_PAYLOAD = BAM_DMUX_BUFFER_SIZE - BAM_DMUX_HEADER_LENGTH;
/** The largest TX frame: a maximal payload plus its 4 pad bytes. */
export const BAM_DMUX_MAX_FRAME = BAM_DMUX_HEADER_LENGTH + BAM_DMUX_MAX_PAYLOAD + 4;

export const BAM_DMUX_CMD_DATA = 0;
export const BAM_DMUX_CMD_OPEN = 1;
export const BAM_DMUX_CMD_CLOSE = 2;
export type BamDmuxCommand = 'open' | 'close';

export const BAM_DMUX_DROP_REASONS = [
  'truncated', // shorter than its header, or than the length it claims
  'magic',
  'channel', // channel ≥ 8
  'command', // neither DATA, OPEN nor CLOSE
  'too-large', // len > 2040: more than a buffer holds
] as const;
export type BamDmuxDropReason = (typeof BAM_DMUX_DROP_REASONS)[number];

export interface BamDmuxFrameInfo {
  /** Pad bytes the sender claims; the receiver ignores them. */
  pad: number;
  signal: number;
}

export interface BamDmuxSink extends PacketSink<BamDmuxFrameInfo, BamDmuxDropReason> {
  /** The modem opened or closed a channel. */
  command(link: Link, command: BamDmuxCommand): void;
}

/** Splits BAM-DMUX frames into packets per channel, counting what it drops. */
export class BamDmuxDecoder implements Decapsulator<BamDmuxFrameInfo, BamDmuxDropReason, BamDmuxSink> {
  readonly drops = dropCounts(BAM_DMUX_DROP_REASONS);
  private readonly info: BamDmuxFrameInfo = { pad: 0, signal: 0 };

  decapsulate(t: Uint8Array, sink: BamDmuxSink): void {
    if (t.length < BAM_DMUX_HEADER_LENGTH) return countDrop(this.drops, sink, 'truncated', 0);
    if (le16(t, 0) !== BAM_DMUX_MAGIC) return countDrop(this.drops, sink, 'magic', 0);
    const ch = t[5]!;
    if (ch >= BAM_DMUX_CHANNELS) return countDrop(this.drops, sink, 'channel', 0);
    const cmd = t[3]!;
    if (cmd === BAM_DMUX_CMD_OPEN) return sink.command(ipLink(ch), 'open');
    if (cmd === BAM_DMUX_CMD_CLOSE) return sink.command(ipLink(ch), 'close');
    if (cmd !== BAM_DMUX_CMD_DATA) return countDrop(this.drops, sink, 'command', 0);
    const len = le16(t, 6);
    if (len > BAM_DMUX_MAX_PAYLOAD) return countDrop(this.drops, sink, 'too-large', 0);
    if (len > t.length - BAM_DMUX_HEADER_LENGTH) return countDrop(this.drops, sink, 'truncated', 0);
    this.info.pad = t[4]!;
    this.info.signal = t[2]!;
    sink.packet(ipLink(ch), t.subarray(BAM_DMUX_HEADER_LENGTH, BAM_DMUX_HEADER_LENGTH + len), this.info);
  }
}

function writeHeader(out: Uint8Array, cmd: number, pad: number, ch: number, len: number): void {
  putLe16(out, 0, BAM_DMUX_MAGIC);
  out[2] = 0; // signal
  out[3] = cmd;
  out[4] = pad;
  out[5] = ch;
  putLe16(out, 6, len);
}

/** Writes a DATA frame at the start of `out` (BAM_DMUX_MAX_FRAME bytes suffice); returns its length. */
export function writeBamDmuxData(out: Uint8Array, channel: number, packet: Uint8Array): number {
  // Always 1..4 pad bytes: an aligned payload still gets four.
  const pad = 4 - (packet.length % 4);
  writeHeader(out, BAM_DMUX_CMD_DATA, pad, channel, packet.length);
  copyInto(out, BAM_DMUX_HEADER_LENGTH, packet);
  const end = BAM_DMUX_HEADER_LENGTH + packet.length;
  zero(out, end, end + pad);
  return end + pad;
}

/** OPEN and CLOSE are bare headers: length 0, pad 0. Returns the length written (8). */
export function writeBamDmuxCommand(out: Uint8Array, channel: number, command: BamDmuxCommand): number {
  writeHeader(out, command === 'open' ? BAM_DMUX_CMD_OPEN : BAM_DMUX_CMD_CLOSE, 0, channel, 0);
  return BAM_DMUX_HEADER_LENGTH;
}

export const BAM_DMUX_TX_DROP_REASONS = ['channel', 'too-large'] as const;
export type BamDmuxTxDropReason = (typeof BAM_DMUX_TX_DROP_REASONS)[number];

/** Why a packet can never go out on a channel: the netdev's max_mtu is 2040 and there are 8 channels. */
export function rejectBamDmuxPacket(link: Link, packet: Uint8Array): BamDmuxTxDropReason | null {
  if (link.kind !== 'ip' || link.id >= BAM_DMUX_CHANNELS) return 'channel';
  return packet.length > BAM_DMUX_MAX_PAYLOAD ? 'too-large' : null;
}

class BamDmuxBuilder implements TransferBuilder<BamDmuxTxDropReason> {
  readonly dropReasons = BAM_DMUX_TX_DROP_REASONS;
  readonly capacity = BAM_DMUX_MAX_FRAME;
  length = 0;
  count = 0;
  private readonly buf = new Uint8Array(BAM_DMUX_MAX_FRAME);

  reject = rejectBamDmuxPacket;

  append(link: Link, packet: Uint8Array): boolean {
    if (this.count > 0) return false;
    this.length = writeBamDmuxData(this.buf, link.id, packet);
    this.count = 1;
    return true;
  }

  finish(): Uint8Array {
    const view = this.buf.subarray(0, this.length);
    this.length = 0;
    this.count = 0;
    return view;
  }
}

/** One DATA frame per transfer, written into one reusable buffer (host and modem alike). */
export function bamDmuxEncoder(onTransfer: TransferSink): Aggregator<BamDmuxTxDropReason> {
  return new Aggregator(new BamDmuxBuilder(), { maxDatagrams: 1 }, onTransfer);
}
