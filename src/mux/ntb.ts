/**
 * MBIM NTBs (the CDC NCM transfer block with MBIM's IPS/DSS datagram pointer tables): NTH16/NDP16
 * as Linux always uses for MBIM, and NTH32/NDP32. Reading follows cdc_ncm/cdc_mbim's checks;
 * writing follows cdc_ncm_fill_tx_frame's layout: a maximum-size NDP per session, reserved when the
 * session's first datagram arrives, or a single NDP after the datagrams (the Huawei NDP-at-end quirk).
 */
import { Aggregator } from './aggregator.js';
import type { AggregationLimits, TransferBuilder } from './aggregator.js';
import { alignUp, copyInto, le16, le32, putLe16, putLe32, zero } from '../wire/bytes.js';
import { countDrop, dropCounts, dssLink, ipLink, packetType } from './framing.js';
import type { Clock, Decapsulator, Link, PacketSink, TransferSink } from './framing.js';

export type NtbFormat = 16 | 32;

interface Layout {
  nthSignature: number;
  nthLength: number;
  ndpHeader: number;
  ndpLengthMin: number;
  entry: number;
  ips: number;
  dss: number;
}

const NTB16: Layout = {
  nthSignature: 0x484d434e, // "NCMH"
  nthLength: 12,
  ndpHeader: 8,
  ndpLengthMin: 0x10,
  entry: 4,
  ips: 0x00535049, // "IPS" + session in the top byte
  dss: 0x00535344, // "DSS"
};
const NTB32: Layout = {
  nthSignature: 0x686d636e, // "ncmh"
  nthLength: 16,
  ndpHeader: 16,
  ndpLengthMin: 0x20,
  entry: 8,
  ips: 0x00737069, // "ips"
  dss: 0x00737364, // "dss"
};

/** cdc_ncm follows wNextNdpIndex at most this many times (after the first NDP). */
export const NTB_NDP_CHAIN_LIMIT = 50;
/** cdc_mbim's minimum IPS datagram: an IPv4 header. */
const MIN_IP_DATAGRAM = 20;
/** Linux's default rx_max and tx_max. */
export const NTB_DEFAULT_SIZE = 16384;
/** CDC_NCM_DPT_DATAGRAMS_MAX. */
export const NTB_MAX_DATAGRAMS = 40;

export interface NtbFrameInfo {
  format: NtbFormat;
  /** Offset of the NDP that pointed at this datagram, its signature and the entry's index. */
  ndp: number;
  signature: number;
  entry: number;
}

export const NTB_DROP_REASONS = [
  'short', // smaller than an NTH plus an NDP header: the transfer is dropped
  'nth-signature', // the transfer is dropped
  'block-length', // wBlockLength > rx_max: the transfer is dropped
  'ndp-offset', // the NDP header runs past the transfer: processing stops
  'ndp-length', // wLength below the minimum: processing stops
  'ndp-entries', // the entries run past the transfer: processing stops
  'ndp-signature', // neither IPS nor DSS: the NDP is skipped
  'empty-ndp', // the first entry is the terminator: the NDP is skipped
  'datagram-bounds', // past the transfer or over rx_max: the rest of the NDP is skipped
  'not-ip', // an IPS datagram under 20 bytes or not IPv4/IPv6: the rest of the NTB is dropped
  'ndp-chain', // still more NDPs after the chain limit
  'ndp-loop', // an NDP the chain already visited: processing stops
  'datagram-overlap', // overlaps a datagram already delivered from this transfer: the rest of the NDP is skipped
] as const;
export type NtbDropReason = (typeof NTB_DROP_REASONS)[number];

export function ndpSignature(format: NtbFormat, link: Link): number {
  const l = format === 16 ? NTB16 : NTB32;
  return ((link.kind === 'ip' ? l.ips : l.dss) | (link.id << 24)) >>> 0;
}

/**
 * The datagrams delivered from one transfer, as sorted disjoint spans, so no byte is handed out twice:
 * a transfer of N bytes yields at most N bytes of datagrams however its NDPs point. Datagrams laid out
 * in order (one NDP, or NDP-at-end) take the append path; others a binary search.
 */
class DeliveredSpans {
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private count = 0;
  private maxEnd = 0;

  reset(): void {
    this.count = 0;
    this.maxEnd = 0;
  }

  /** Whether [start, end) is clear of every span so far; if so it is recorded. */
  claim(start: number, end: number): boolean {
    let at = this.count;
    if (start < this.maxEnd) {
      let lo = 0;
      let hi = this.count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.starts[mid]! < start) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
      if ((at > 0 && this.ends[at - 1]! > start) || (at < this.count && this.starts[at]! < end)) return false;
    }
    if (this.count === this.starts.length) this.grow();
    if (at < this.count) {
      this.starts.copyWithin(at + 1, at, this.count);
      this.ends.copyWithin(at + 1, at, this.count);
    }
    this.starts[at] = start;
    this.ends[at] = end;
    this.count++;
    if (end > this.maxEnd) this.maxEnd = end;
    return true;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/** Splits MBIM NTB16/NTB32 transfers into packets per session, counting what it drops. */
export class NtbDecoder implements Decapsulator<NtbFrameInfo, NtbDropReason> {
  readonly drops = dropCounts(NTB_DROP_REASONS);
  private readonly info: NtbFrameInfo = { format: 16, ndp: 0, signature: 0, entry: 0 };
  /** The host's rx_max: the NTB size it asked for with SET_NTB_INPUT_SIZE. */
  readonly rxMax: number;
  private readonly spans = new DeliveredSpans();
  /** The NDPs this transfer's chain has visited (at most the first plus the chain limit). */
  private readonly visited = new Int32Array(NTB_NDP_CHAIN_LIMIT + 1);

  constructor(options: { rxMax?: number } = {}) {
    this.rxMax = options.rxMax ?? NTB_DEFAULT_SIZE;
  }

  decapsulate(t: Uint8Array, sink: PacketSink<NtbFrameInfo, NtbDropReason>): void {
    const n = t.length;
    const is32 = n >= 4 && le32(t, 0) === NTB32.nthSignature;
    const l = is32 ? NTB32 : NTB16;
    const drop = (reason: NtbDropReason, offset: number): void => countDrop(this.drops, sink, reason, offset);
    if (n < l.nthLength + l.ndpHeader) return drop('short', 0);
    if (le32(t, 0) !== l.nthSignature) return drop('nth-signature', 0);
    if ((is32 ? le32(t, 8) : le16(t, 8)) > this.rxMax) return drop('block-length', 8);
    const info = this.info;
    info.format = is32 ? 32 : 16;
    this.spans.reset();
    let ndp = is32 ? le32(t, 12) : le16(t, 10);
    for (let follows = 0; ; follows++) {
      for (let v = 0; v < follows; v++) if (this.visited[v] === ndp) return drop('ndp-loop', ndp);
      this.visited[follows] = ndp;
      if (ndp + l.ndpHeader > n) return drop('ndp-offset', ndp);
      const ndpLength = le16(t, ndp + 4);
      if (ndpLength < l.ndpLengthMin) return drop('ndp-length', ndp);
      // Entries before the terminator. Linux checks them against the transfer without adding the
      // NDP's offset; the per-entry check below keeps every read inside the transfer.
      const entries = Math.floor((ndpLength - l.ndpHeader) / l.entry) - 1;
      if (l.ndpHeader + entries * l.entry > n) return drop('ndp-entries', ndp);
      const signature = le32(t, ndp);
      const kind = signature & 0xffffff;
      const next = is32 ? le32(t, ndp + 8) : le16(t, ndp + 6);
      if (kind !== l.ips && kind !== l.dss) {
        drop('ndp-signature', ndp);
      } else {
        const ips = kind === l.ips;
        const link = ips ? ipLink(signature >>> 24) : dssLink(signature >>> 24);
        info.ndp = ndp;
        info.signature = signature;
        for (let x = 0; x < entries; x++) {
          const e = ndp + l.ndpHeader + x * l.entry;
          if (e + l.entry > n) return drop('ndp-entries', e);
          const index = is32 ? le32(t, e) : le16(t, e);
          const length = is32 ? le32(t, e + 4) : le16(t, e + 2);
          if (index === 0 || length === 0) {
            if (x === 0) drop('empty-ndp', ndp);
            break;
          }
          if (index + length > n || length > this.rxMax) {
            drop('datagram-bounds', e);
            break;
          }
          if (ips && (length < MIN_IP_DATAGRAM || packetType(t[index]) === 'other')) return drop('not-ip', index);
          if (!this.spans.claim(index, index + length)) {
            drop('datagram-overlap', e);
            break;
          }
          info.entry = x;
          sink.packet(link, t.subarray(index, index + length), info);
        }
      }
      if (next === 0) return;
      if (follows === NTB_NDP_CHAIN_LIMIT) return drop('ndp-chain', next);
      ndp = next;
    }
  }
}

/** The Out half of GET_NTB_PARAMETERS, and the host's choices. */
export interface NtbTxOptions {
  /** 16 unless the function prefers NTB32 (Linux MBIM never does). */
  format?: NtbFormat;
  /** tx_max: bytes per NTB. */
  maxBytes?: number;
  /** wNtbOutMaxDatagrams; 0 or over 40 means 40. */
  maxDatagrams?: number;
  /** wNdpOutDivisor, wNdpOutPayloadRemainder, wNdpOutAlignment. */
  divisor?: number;
  remainder?: number;
  ndpAlignment?: number;
  /** One NDP after the datagrams, and one session per NTB. */
  ndpToEnd?: boolean;
}

const isPowerOfTwo = (v: number): boolean => v > 0 && (v & (v - 1)) === 0;

/** The parameters as cdc_ncm sanitises them (MBIM: no Ethernet header before the payload). */
export function ntbTxParameters(o: NtbTxOptions): Required<NtbTxOptions> {
  const format = o.format ?? 16;
  const maxBytes = Math.min(o.maxBytes ?? NTB_DEFAULT_SIZE, format === 16 ? 0xffff : 0xffffffff);
  const sane = (v: number | undefined): number => (v !== undefined && isPowerOfTwo(v) && v >= 4 && v < maxBytes ? v : 4);
  const divisor = sane(o.divisor);
  const remainder = (o.remainder ?? 0) >= divisor ? 0 : (o.remainder ?? 0) & (divisor - 1);
  const maxDatagrams = !o.maxDatagrams || o.maxDatagrams > NTB_MAX_DATAGRAMS ? NTB_MAX_DATAGRAMS : o.maxDatagrams;
  return { format, maxBytes, maxDatagrams, divisor, remainder, ndpAlignment: sane(o.ndpAlignment), ndpToEnd: o.ndpToEnd ?? false };
}

export const NTB_TX_DROP_REASONS = ['empty', 'not-ip'] as const;
export type NtbTxDropReason = (typeof NTB_TX_DROP_REASONS)[number];

/** Sessions 0..255 of each kind, one slot per (kind, id). */
const SESSION_SLOTS = 512;
const slotOf = (link: Link): number => (link.kind === 'dss' ? 256 : 0) + link.id;

export class NtbBuilder implements TransferBuilder<NtbTxDropReason> {
  readonly dropReasons = NTB_TX_DROP_REASONS;
  readonly capacity: number;
  readonly params: Required<NtbTxOptions>;
  length: number;
  count = 0;
  private readonly l: Layout;
  private readonly buf: Uint8Array;
  private readonly maxNdp: number;
  private sequence = 0;
  /** NDP offset per session slot in the open NTB, -1 if none; entries written so far. */
  private readonly ndpAt = new Int32Array(SESSION_SLOTS).fill(-1);
  private readonly ndpEntries = new Int32Array(SESSION_SLOTS);
  private readonly openSlots: number[] = [];
  private firstNdp = 0;
  private lastNdp = -1;
  /** NDP-at-end: the one session and its entries, written when the NTB is finished. */
  private endSlot = -1;
  private readonly endEntries: Uint32Array;

  constructor(options: NtbTxOptions = {}) {
    this.params = ntbTxParameters(options);
    this.l = this.params.format === 16 ? NTB16 : NTB32;
    this.capacity = this.params.maxBytes;
    this.buf = new Uint8Array(this.capacity);
    this.maxNdp = this.l.ndpHeader + (this.params.maxDatagrams + 1) * this.l.entry;
    this.endEntries = new Uint32Array(this.params.maxDatagrams * 2);
    this.length = this.l.nthLength;
  }

  reject(link: Link, packet: Uint8Array): NtbTxDropReason | null {
    if (packet.length === 0) return 'empty';
    // The receiver abandons the rest of the NTB at a datagram like this.
    if (link.kind === 'ip' && (packet.length < MIN_IP_DATAGRAM || packetType(packet[0]) === 'other')) return 'not-ip';
    return null;
  }

  append(link: Link, packet: Uint8Array): boolean {
    const p = this.params;
    const slot = slotOf(link);
    let tail = this.length;
    let ndp = -1;
    if (p.ndpToEnd) {
      if (this.count > 0 && slot !== this.endSlot) return false;
    } else {
      ndp = this.ndpAt[slot]!;
      if (ndp < 0) tail = alignUp(tail, p.ndpAlignment) + this.maxNdp;
    }
    const at = alignUp(tail, p.divisor) + p.remainder;
    const end = at + packet.length;
    const reserve = p.ndpToEnd ? alignUp(end, p.ndpAlignment) + this.maxNdp : end;
    if (reserve > this.capacity) return false;

    const b = this.buf;
    if (p.ndpToEnd) {
      this.endSlot = slot;
      this.endEntries[this.count * 2] = at;
      this.endEntries[this.count * 2 + 1] = packet.length;
    } else {
      if (ndp < 0) {
        ndp = alignUp(this.length, p.ndpAlignment);
        zero(b, this.length, tail);
        this.openNdp(ndp, link);
        this.ndpAt[slot] = ndp;
        this.ndpEntries[slot] = 0;
        this.openSlots.push(slot);
      }
      this.putEntry(ndp + this.l.ndpHeader + this.ndpEntries[slot]! * this.l.entry, at, packet.length);
      this.ndpEntries[slot]!++;
    }
    zero(b, tail, at);
    copyInto(b, at, packet);
    this.length = end;
    this.count++;
    return true;
  }

  finish(): Uint8Array {
    const b = this.buf;
    const l = this.l;
    if (this.params.ndpToEnd) {
      const ndp = alignUp(this.length, this.params.ndpAlignment);
      zero(b, this.length, ndp + this.maxNdp);
      this.openNdp(ndp, this.endSlot >= 256 ? dssLink(this.endSlot - 256) : ipLink(this.endSlot));
      for (let i = 0; i < this.count; i++) {
        this.putEntry(ndp + l.ndpHeader + i * l.entry, this.endEntries[i * 2]!, this.endEntries[i * 2 + 1]!);
      }
      putLe16(b, ndp + 4, l.ndpHeader + (this.count + 1) * l.entry);
      this.length = ndp + this.maxNdp;
    } else {
      for (const slot of this.openSlots) {
        putLe16(b, this.ndpAt[slot]! + 4, l.ndpHeader + (this.ndpEntries[slot]! + 1) * l.entry);
        this.ndpAt[slot] = -1;
      }
      this.openSlots.length = 0;
    }
    putLe32(b, 0, l.nthSignature);
    putLe16(b, 4, l.nthLength);
    putLe16(b, 6, this.sequence);
    this.sequence = (this.sequence + 1) & 0xffff;
    if (l === NTB16) {
      putLe16(b, 8, this.length);
      putLe16(b, 10, this.firstNdp);
    } else {
      putLe32(b, 8, this.length);
      putLe32(b, 12, this.firstNdp);
    }
    const view = b.subarray(0, this.length);
    this.length = l.nthLength;
    this.count = 0;
    this.lastNdp = -1;
    this.endSlot = -1;
    return view;
  }

  /** Writes an NDP's signature (the rest of its reserved space is zero) and links it into the chain. */
  private openNdp(ndp: number, link: Link): void {
    putLe32(this.buf, ndp, ndpSignature(this.params.format, link));
    if (this.lastNdp < 0) this.firstNdp = ndp;
    else if (this.l === NTB16) putLe16(this.buf, this.lastNdp + 6, ndp);
    else putLe32(this.buf, this.lastNdp + 8, ndp);
    this.lastNdp = ndp;
  }

  private putEntry(at: number, index: number, length: number): void {
    if (this.l === NTB16) {
      putLe16(this.buf, at, index);
      putLe16(this.buf, at + 2, length);
    } else {
      putLe32(this.buf, at, index);
      putLe32(this.buf, at + 4, length);
    }
  }
}

export interface NtbEncoderOptions extends NtbTxOptions, Omit<AggregationLimits, 'maxDatagrams'> {}

/** cdc_ncm's TX timer is 400 µs; pass timeLimitMs to use one. */
export function ntbEncoder(options: NtbEncoderOptions, onTransfer: TransferSink, clock?: Clock): Aggregator<NtbTxDropReason> {
  const builder = new NtbBuilder(options);
  return new Aggregator(builder, { ...options, maxDatagrams: builder.params.maxDatagrams }, onTransfer, clock);
}

/** cdc_mbim's VLAN for IPS0 when untagged traffic is switched off. */
export const MBIM_IPS0_VID = 4094;

/**
 * cdc_mbim's TX mapping from a VLAN id (null: untagged; 0 counts as untagged) to a session: IPS0
 * for untagged or 4094, IPS n for 1..255, DSS n−256 for 256..511. Null for what the driver drops:
 * other ids, and untagged frames once VLAN 4094 exists (`ips0Vlan`).
 */
export function mbimVlanToLink(vid: number | null, ips0Vlan = false): Link | null {
  if (vid === null || vid === 0) return ips0Vlan ? null : ipLink(0);
  if (vid === MBIM_IPS0_VID) return ipLink(0);
  if (vid >= 1 && vid <= 255) return ipLink(vid);
  if (vid >= 256 && vid <= 511) return dssLink(vid - 256);
  return null;
}

/** The RX direction: the VLAN a session's packets are delivered on; null means untagged. */
export function linkToMbimVlan(link: Link, ips0Vlan = false): number | null {
  if (link.kind === 'dss') return 256 + link.id;
  if (link.id === 0) return ips0Vlan ? MBIM_IPS0_VID : null;
  return link.id;
}
