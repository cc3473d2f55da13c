/**
 * QMAP, the Qualcomm MAP framing, as Linux rmnet reads and writes it: MAP header v1, the v4
 * checksum trailer (downlink) and header (uplink), the v5 checksum header, command frames, and
 * aggregation of back-to-back frames in one transfer.
 */
import { Aggregator } from './aggregator.js';
import type { AggregationLimits, TransferBuilder } from './aggregator.js';
import { be16, copyInto, putBe16, zero } from '../wire/bytes.js';
import { internetChecksum, pseudoHeaderSum, transportChecksum, type PartialChecksum } from '../wire/checksum.js';
import { countDrop, dropCounts, ipLink } from './framing.js';
import type { Clock, Decapsulator, Link, PacketSink, TransferSink } from './framing.js';

export type QmapVersion = 1 | 4 | 5;
/** Uplink is host → modem, downlink modem → host; the v4 checksum block and the pad differ. */
export type QmapDirection = 'uplink' | 'downlink';

export interface QmapFormat {
  version: QmapVersion;
  direction: QmapDirection;
}

export interface QmapBuilderOptions extends QmapFormat {
  /**
   * Uplink v4/v5 only: packets sent as `partial` (their TCP/UDP checksum field holds the folded
   * pseudo-header sum Linux leaves for CHECKSUM_PARTIAL) ask the modem to finish them, as rmnet does
   * with NETIF_F_IP_CSUM. Other packets, whose checksum is finished, go without the request.
   */
  checksumOffload?: boolean;
}

export const MAP_HEADER_LENGTH = 4;
const CMD_FLAG = 0x80;
const NEXT_HEADER_FLAG = 0x40;
const PAD_MASK = 0x3f;
const V4_DL_TRAILER_LENGTH = 8;
const CSUM_HEADER_LENGTH = 4;
const V5_HEADER_TYPE_CSUM_OFFLOAD = 2;
const V5_CSUM_VALID = 0x80;
const V4_UL_CSUM_ENABLED = 0x8000;
const V4_UL_CSUM_UDP = 0x4000;
const V4_UL_CSUM_OFFSET_MASK = 0x3fff;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** Where each transport keeps its checksum, from the start of its header, and its header length. */
const TCP_CHECK = 16;
const UDP_CHECK = 6;
const TCP_HEADER_LENGTH = 20;
const UDP_HEADER_LENGTH = 8;
const IPV4_HEADER_LENGTH = 20;
const IPV6_HEADER_LENGTH = 40;
const IPV6_HOP_BY_HOP = 0;
const IPV6_DEST_OPTIONS = 60;
/** rmnet has endpoints 0..254; 255 is never a link. */
const MUX_ID_LIMIT = 255;
/** The uplink builders accept what qmi_wwan's add_mux and `ip link … type rmnet` both accept. */
export const QMAP_MIN_MUX_ID = 1;
export const QMAP_MAX_MUX_ID = 254;
/** pkt_len is 16 bits and includes the pad. */
const MAX_PAYLOAD = 0xffff - 3;

/**
 * none: no checksum block; valid / not-valid: the modem's verdict (downlink); requested: the host
 * asks the modem to compute it (uplink).
 */
export type QmapChecksum = 'none' | 'valid' | 'not-valid' | 'requested';

export interface QmapFrameInfo {
  /** Offset of the frame's MAP header in the transfer. */
  frame: number;
  pad: number;
  checksum: QmapChecksum;
  /** The v4 downlink trailer's checksum value; 0 in other formats. */
  checksumValue: number;
  /** The v4 uplink header's csum_start_offset (the IP header length); 0 in other formats. */
  checksumStart: number;
  /** The v4 uplink header's insert offset, from checksumStart; 0 in other formats. */
  checksumInsert: number;
  /** The v4 uplink header's UDP flag. */
  checksumUdp: boolean;
}

export const QMAP_DROP_REASONS = [
  'truncated', // the frame runs past the transfer: the rest of the transfer is discarded
  'v5-no-csum-header', // v5 data frame without NEXT_HEADER: the rest is discarded
  'v5-header-type', // v5 header other than checksum offload: the rest is discarded
  'mux-id', // mux id 255
  'pad', // PAD_LEN leaves no payload
  'command', // a command frame and nobody to take commands
] as const;
export type QmapDropReason = (typeof QMAP_DROP_REASONS)[number];

export interface QmapSink extends PacketSink<QmapFrameInfo, QmapDropReason> {
  /**
   * A command frame: MAP header and body, without the v4 trailer (what qmapCommandAck expects).
   * Without this method commands are dropped, as rmnet does without INGRESS_MAP_COMMANDS.
   */
  command?(link: Link, frame: Uint8Array): void;
}

/** Splits aggregated MAP frames exactly as rmnet_map_deaggregate does: no resync after a bad frame. */
export class QmapDecoder implements Decapsulator<QmapFrameInfo, QmapDropReason, QmapSink> {
  readonly drops = dropCounts(QMAP_DROP_REASONS);
  private readonly info: QmapFrameInfo = {
    frame: 0,
    pad: 0,
    checksum: 'none',
    checksumValue: 0,
    checksumStart: 0,
    checksumInsert: 0,
    checksumUdp: false,
  };
  private readonly v4Trailer: boolean;
  private readonly v4Header: boolean;
  private readonly v5: boolean;

  constructor(readonly format: QmapFormat) {
    this.v4Trailer = format.version === 4 && format.direction === 'downlink';
    this.v4Header = format.version === 4 && format.direction === 'uplink';
    this.v5 = format.version === 5;
  }

  decapsulate(t: Uint8Array, sink: QmapSink): void {
    const info = this.info;
    const n = t.length;
    let off = 0;
    while (off < n) {
      if (n - off < MAP_HEADER_LENGTH) return countDrop(this.drops, sink, 'truncated', off);
      const flags = t[off]!;
      const mux = t[off + 1]!;
      const pktLen = be16(t, off + 2);
      // Hardware may zero-fill the end of an aggregate: a zero length ends it cleanly.
      if (pktLen === 0) return;
      const isCommand = (flags & CMD_FLAG) !== 0;
      let payload = off + MAP_HEADER_LENGTH;
      let frameLen = MAP_HEADER_LENGTH + pktLen;
      if (this.v4Trailer) {
        frameLen += V4_DL_TRAILER_LENGTH;
      } else if (!isCommand && (this.v4Header || this.v5)) {
        if (this.v5 && (flags & NEXT_HEADER_FLAG) === 0) return countDrop(this.drops, sink, 'v5-no-csum-header', off);
        frameLen += CSUM_HEADER_LENGTH;
        payload += CSUM_HEADER_LENGTH;
      }
      if (n - off < frameLen) return countDrop(this.drops, sink, 'truncated', off);
      if (this.v5 && !isCommand && t[off + 4]! >> 1 !== V5_HEADER_TYPE_CSUM_OFFLOAD) {
        return countDrop(this.drops, sink, 'v5-header-type', off);
      }
      if (mux >= MUX_ID_LIMIT) {
        countDrop(this.drops, sink, 'mux-id', off);
      } else if (isCommand) {
        if (sink.command) sink.command(ipLink(mux), t.subarray(off, off + MAP_HEADER_LENGTH + pktLen));
        else countDrop(this.drops, sink, 'command', off);
      } else {
        const pad = flags & PAD_MASK;
        if (pad >= pktLen) {
          countDrop(this.drops, sink, 'pad', off);
        } else {
          const length = pktLen - pad;
          info.frame = off;
          info.pad = pad;
          info.checksumValue = 0;
          info.checksumStart = 0;
          info.checksumInsert = 0;
          info.checksumUdp = false;
          if (this.v4Trailer) {
            const trailer = payload + pktLen;
            info.checksum = (t[trailer + 1]! & 1) !== 0 ? 'valid' : 'not-valid';
            info.checksumValue = be16(t, trailer + 6);
          } else if (this.v4Header) {
            const csumInfo = be16(t, off + 6);
            info.checksum = (csumInfo & V4_UL_CSUM_ENABLED) !== 0 ? 'requested' : 'none';
            info.checksumStart = be16(t, off + 4);
            info.checksumInsert = csumInfo & V4_UL_CSUM_OFFSET_MASK;
            info.checksumUdp = (csumInfo & V4_UL_CSUM_UDP) !== 0;
          } else if (this.v5) {
            const set = (t[off + 5]! & V5_CSUM_VALID) !== 0;
            info.checksum = this.format.direction === 'downlink' ? (set ? 'valid' : 'not-valid') : set ? 'requested' : 'none';
          } else {
            info.checksum = 'none';
          }
          sink.packet(ipLink(mux), t.subarray(payload, payload + length), info);
        }
      }
      off += frameLen;
    }
  }
}

export const QMAP_TX_DROP_REASONS = ['mux-id', 'empty'] as const;
export type QmapTxDropReason = (typeof QMAP_TX_DROP_REASONS)[number];

/** Where a packet's TCP/UDP header starts; filled in by locateTransport. */
interface Transport {
  start: number;
  udp: boolean;
}

// One for the whole module: the offload paths are synchronous and must not allocate.
const found: Transport = { start: 0, udp: false };

/**
 * Finds the TCP/UDP header of an IPv4 or IPv6 packet whose checksum a modem can compute from this
 * packet alone. IPv6 hop-by-hop and destination options are walked; any other extension header
 * ends the search: a routing header changes the pseudo-header's destination, and fragments, AH and
 * ESP leave no whole, mutable segment. IPv4 fragments are refused for the same reason.
 */
function locateTransport(p: Uint8Array, out: Transport): boolean {
  const n = p.length;
  const version = (p[0] ?? 0) >> 4;
  let start: number;
  let proto: number;
  if (version === 4) {
    start = (p[0]! & 0x0f) * 4;
    if (n < IPV4_HEADER_LENGTH || start < IPV4_HEADER_LENGTH || (be16(p, 6) & 0x3fff) !== 0) return false;
    proto = p[9]!;
  } else if (version === 6) {
    if (n < IPV6_HEADER_LENGTH) return false;
    start = IPV6_HEADER_LENGTH;
    proto = p[6]!;
    while ((proto === IPV6_HOP_BY_HOP || proto === IPV6_DEST_OPTIONS) && start + 8 <= n) {
      proto = p[start]!;
      start += (p[start + 1]! + 1) * 8;
    }
  } else {
    return false;
  }
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return false;
  const udp = proto === IPPROTO_UDP;
  if (start + (udp ? UDP_HEADER_LENGTH : TCP_HEADER_LENGTH) > n) return false;
  out.start = start;
  out.udp = udp;
  return true;
}

/**
 * Writes MAP frames back to back. Uplink (the host, as rmnet egress): no pad, v4 with a UL checksum
 * header, v5 with `04 00 00 00`; with checksumOffload, TCP/UDP packets get the v4 header's start
 * and insert offsets (and their checksum field complemented in the frame, as rmnet does) or v5's
 * CSUM_REQUIRED for packets sent partial, else the header is left zero because the checksum is already in the packet.
 * Downlink (the modem): padded to 4 bytes, v4 with a VALID trailer carrying the packet's Internet
 * checksum, v5 with `04 80 00 00`.
 */
export class QmapBuilder implements TransferBuilder<QmapTxDropReason> {
  readonly dropReasons = QMAP_TX_DROP_REASONS;
  length = 0;
  count = 0;
  private readonly buf: Uint8Array;
  private readonly downlink: boolean;
  private readonly csumHeader: number;
  private readonly trailer: number;
  private readonly flags: number;
  private readonly offload: boolean;

  constructor(
    readonly format: QmapBuilderOptions,
    readonly capacity: number,
  ) {
    this.buf = new Uint8Array(capacity);
    this.downlink = format.direction === 'downlink';
    const v5 = format.version === 5;
    this.csumHeader = v5 || (format.version === 4 && !this.downlink) ? CSUM_HEADER_LENGTH : 0;
    this.trailer = format.version === 4 && this.downlink ? V4_DL_TRAILER_LENGTH : 0;
    this.flags = v5 ? NEXT_HEADER_FLAG : 0;
    this.offload = format.checksumOffload === true;
    if (this.offload && (this.downlink || this.csumHeader === 0)) {
      throw new RangeError('QMAP checksum offload is for uplink v4 and v5');
    }
  }

  reject(link: Link, packet: Uint8Array): QmapTxDropReason | null {
    if (link.kind !== 'ip' || link.id < QMAP_MIN_MUX_ID || link.id > QMAP_MAX_MUX_ID) return 'mux-id';
    // A zero pkt_len would end the receiver's parse.
    return packet.length === 0 ? 'empty' : null;
  }

  append(link: Link, packet: Uint8Array, partial?: boolean): boolean {
    const ipLen = packet.length;
    const pad = this.downlink ? -ipLen & 3 : 0;
    const frameLen = MAP_HEADER_LENGTH + this.csumHeader + ipLen + pad + this.trailer;
    if (ipLen > MAX_PAYLOAD || this.length + frameLen > this.capacity) return false;
    const b = this.buf;
    let o = this.length;
    b[o] = this.flags | pad;
    b[o + 1] = link.id;
    putBe16(b, o + 2, ipLen + pad);
    o += MAP_HEADER_LENGTH;
    // v4 only: where the checksum field lands in the frame, to complement it once copied.
    let complementAt = -1;
    if (this.csumHeader > 0) {
      const offload = this.offload && partial === true && locateTransport(packet, found);
      if (this.flags !== 0) {
        b[o] = V5_HEADER_TYPE_CSUM_OFFLOAD << 1;
        b[o + 1] = this.downlink || offload ? V5_CSUM_VALID : 0;
        b[o + 2] = 0;
        b[o + 3] = 0;
      } else if (offload) {
        const insert = found.udp ? UDP_CHECK : TCP_CHECK;
        putBe16(b, o, found.start);
        putBe16(b, o + 2, V4_UL_CSUM_ENABLED | (found.udp ? V4_UL_CSUM_UDP : 0) | insert);
        complementAt = o + CSUM_HEADER_LENGTH + found.start + insert;
      } else {
        putBe16(b, o, 0);
        putBe16(b, o + 2, 0);
      }
      o += CSUM_HEADER_LENGTH;
    }
    copyInto(b, o, packet);
    if (complementAt >= 0) {
      b[complementAt] = ~b[complementAt]!;
      b[complementAt + 1] = ~b[complementAt + 1]!;
    }
    o += ipLen;
    zero(b, o, o + pad);
    o += pad;
    if (this.trailer > 0) {
      b[o] = 0;
      b[o + 1] = 1; // VALID
      putBe16(b, o + 2, 0); // csum_start_offset: from the IP header
      putBe16(b, o + 4, ipLen);
      putBe16(b, o + 6, internetChecksum(packet));
      o += V4_DL_TRAILER_LENGTH;
    }
    this.length = o;
    this.count++;
    return true;
  }

  finish(): Uint8Array {
    const view = this.buf.subarray(0, this.length);
    this.length = 0;
    this.count = 0;
    return view;
  }
}

export interface QmapEncoderOptions extends QmapBuilderOptions, AggregationLimits {
  /** Bytes per transfer (WDA max datagram/aggregation size; rmnet tx_aggr_max_bytes). */
  maxBytes: number;
}

/** rmnet's uplink aggregation defaults: 4096 bytes, 1 frame (aggregation off), 800 µs, 10 ms idle bypass. */
export const RMNET_UPLINK_AGGREGATION = { maxBytes: 4096, maxDatagrams: 1, timeLimitMs: 0.8, idleBypassMs: 10 };

/** Aggregates MAP frames per the limits; the uplink idle bypass applies only if asked for. */
export function qmapEncoder(options: QmapEncoderOptions, onTransfer: TransferSink, clock?: Clock): Aggregator<QmapTxDropReason> {
  return new Aggregator(new QmapBuilder(options, options.maxBytes), options, onTransfer, clock);
}

/**
 * Where the modem is to finish a checksum the frame asked for, in `found` (the transport header's
 * start, UDP or not) and the field's offset from there; -1 if nothing was asked or the request does
 * not fit the packet. v4 says where the segment starts, where the field is and whether it is UDP; v5
 * only asks, so the modem finds the transport header itself.
 */
function requestedField(packet: Uint8Array, info: QmapFrameInfo, version: QmapVersion): number {
  if (info.checksum !== 'requested') return -1;
  if (version === 4) {
    const ip = (packet[0] ?? 0) >> 4;
    const minStart = ip === 4 ? IPV4_HEADER_LENGTH : ip === 6 ? IPV6_HEADER_LENGTH : Number.POSITIVE_INFINITY;
    if (info.checksumStart < minStart) return -1;
    found.start = info.checksumStart;
    found.udp = info.checksumUdp;
  } else if (!locateTransport(packet, found)) {
    return -1;
  }
  const insert = version === 4 ? info.checksumInsert : found.udp ? UDP_CHECK : TCP_CHECK;
  return found.start + insert + 2 > packet.length ? -1 : insert;
}

/**
 * The modem's half of uplink checksum offload, for a simulated modem's decoder sink: if the frame
 * asked for it, computes the TCP/UDP checksum (pseudo-header and segment) and writes it into the
 * packet in place. Whatever the host left in the field (v4: the complemented pseudo-header sum, v5:
 * the sum itself) is discarded. False if nothing was asked or the request does not fit the packet.
 */
export function completeQmapChecksum(packet: Uint8Array, info: QmapFrameInfo, version: QmapVersion): boolean {
  const insert = requestedField(packet, info, version);
  if (insert < 0) return false;
  const field = found.start + insert;
  putBe16(packet, field, 0);
  const sum = transportChecksum(packet, found.start, found.udp ? IPPROTO_UDP : IPPROTO_TCP);
  // A computed zero goes out as all ones: zero in a UDP checksum means "none".
  putBe16(packet, field, sum === 0 && found.udp ? 0xffff : sum);
  return true;
}

/**
 * The same request handed on instead of carried out, as a NIC hands CHECKSUM_PARTIAL to the next
 * stage: the field gets the pseudo-header's sum (whatever the host left is discarded, as above) and
 * the checksum is to be finished over the segment from `partial.start`, into the field at
 * `partial.offset` from there. False (nothing changed) where completeQmapChecksum would be false, or
 * where the field is not the transport's own (a v4 insert offset elsewhere): then finish it now.
 */
export function deferQmapChecksum(packet: Uint8Array, info: QmapFrameInfo, version: QmapVersion, partial: PartialChecksum): boolean {
  const insert = requestedField(packet, info, version);
  if (insert < 0 || insert !== (found.udp ? UDP_CHECK : TCP_CHECK)) return false;
  putBe16(packet, found.start + insert, pseudoHeaderSum(packet, found.start, found.udp ? IPPROTO_UDP : IPPROTO_TCP));
  partial.start = found.start;
  partial.offset = insert;
  return true;
}

export const QMAP_FLOW_DISABLE = 1;
export const QMAP_FLOW_ENABLE = 2;
const COMMAND_TYPES = ['request', 'ack', 'unsupported', 'invalid'] as const;
export type QmapCommandType = (typeof COMMAND_TYPES)[number];

export interface QmapCommand {
  muxId: number;
  /** 1 FLOW_DISABLE, 2 FLOW_ENABLE; others are unknown to rmnet. */
  name: number;
  type: QmapCommandType;
  /** Opaque to the host, echoed in the ACK; read big-endian like the other MAP fields. */
  transactionId: number;
}

/** Name, type byte, reserved, transaction id, then 8 bytes of flow-control detail that hosts ignore. */
const COMMAND_BODY_LENGTH = 16;
const COMMAND_FIELDS_LENGTH = 8;

export function qmapCommandName(name: number): string {
  return name === QMAP_FLOW_DISABLE ? 'flow-disable' : name === QMAP_FLOW_ENABLE ? 'flow-enable' : `unknown-${name}`;
}

/** Reads a command frame (MAP header first); null if it is not one or too short to hold the fields. */
export function parseQmapCommand(frame: Uint8Array): QmapCommand | null {
  if (frame.length < MAP_HEADER_LENGTH + COMMAND_FIELDS_LENGTH || (frame[0]! & CMD_FLAG) === 0) return null;
  const at = MAP_HEADER_LENGTH;
  return {
    muxId: frame[1]!,
    name: frame[at]!,
    type: COMMAND_TYPES[frame[at + 1]! & 3]!,
    transactionId: ((be16(frame, at + 4) << 16) | be16(frame, at + 6)) >>> 0,
  };
}

/**
 * The reply rmnet sends to a flow command: the same bytes with cmd_type set to ACK. Null where rmnet
 * stays silent: unknown command names (no UNSUPPORTED reply is ever sent) and mux id 255.
 */
export function qmapCommandAck(frame: Uint8Array, cmd = parseQmapCommand(frame)): Uint8Array | null {
  if (!cmd || cmd.muxId >= MUX_ID_LIMIT || (cmd.name !== QMAP_FLOW_DISABLE && cmd.name !== QMAP_FLOW_ENABLE)) return null;
  const ack = frame.slice();
  ack[MAP_HEADER_LENGTH + 1] = (ack[MAP_HEADER_LENGTH + 1]! & ~3) | 1;
  return ack;
}

/** One command frame as a transfer of its own; downlink v4 carries the trailer every frame has there. */
export function encodeQmapCommand(cmd: QmapCommand, format: QmapFormat): Uint8Array {
  const trailer = format.version === 4 && format.direction === 'downlink' ? V4_DL_TRAILER_LENGTH : 0;
  const out = new Uint8Array(MAP_HEADER_LENGTH + COMMAND_BODY_LENGTH + trailer);
  out[0] = CMD_FLAG;
  out[1] = cmd.muxId;
  putBe16(out, 2, COMMAND_BODY_LENGTH);
  out[MAP_HEADER_LENGTH] = cmd.name;
  out[MAP_HEADER_LENGTH + 1] = COMMAND_TYPES.indexOf(cmd.type);
  putBe16(out, MAP_HEADER_LENGTH + 4, cmd.transactionId >>> 16);
  putBe16(out, MAP_HEADER_LENGTH + 6, cmd.transactionId & 0xffff);
  return out;
}
