/**
 * The receive half of the TUN offloads: consecutive TCP segments of one flow, as a modem's framing
 * delivers them (an aggregate of MTU-sized packets), joined back into one super-packet that the
 * kernel takes in one write (virtio_net_hdr with GSO_TCPV4/6 and a partial checksum), as the
 * kernel's own GRO does for a network card. Only what the kernel would join is joined: the same
 * addresses, ports, IP fields and TCP options, contiguous sequence numbers, the same ACK, plain ACK
 * segments (PSH allowed on the last), full-size segments but the last, and every segment's own
 * checksum verified first (a corrupt one is written alone, for the kernel to drop). Resegmenting a
 * joined packet (gso.ts) gives back the very segments that went in.
 */
import { onesComplementSum, pseudoHeaderSum, type PartialChecksum } from '../wire/checksum.js';
import { GSO_TCPV4, GSO_TCPV6, PLAIN_VNET_HDR, VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_F_NEEDS_CSUM, VNET_HDR_LEN } from './gso.js';

const TCP = 6;
const TCP_ACK = 0x10;
const TCP_PSH = 0x08;
/** Where TCP keeps its checksum, from the start of its header. */
const TCP_CHECK = 16;
/** IPv4 total length and IPv6 payload length are 16 bits. */
const MAX_IP = 0xffff;

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const put16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v >>> 8;
  b[at + 1] = v;
};

/** Where a TCP segment's parts are, or undefined when it is not one GRO could join. */
interface Segment {
  v6: boolean;
  /** Start of the TCP header (the IP header's length). */
  l4: number;
  /** IP and TCP headers together. */
  headers: number;
  payload: number;
  seq: number;
  flags: number;
}

/**
 * Parses a packet as a joinable TCP segment: no IP options or extension headers, no fragments, a
 * verified checksum — or a partial one where a TCP checksum lives (the modem's to finish, so there
 * is nothing to verify yet), or one the modem says it verified (`valid`).
 */
function parse(p: Uint8Array, partial: PartialChecksum | undefined, valid: boolean): Segment | undefined {
  if (p.length < 20) return undefined;
  const v6 = p[0]! >> 4 === 6;
  let l4: number;
  if (v6) {
    if (p.length < 60 || p[6] !== TCP || u16(p, 4) !== p.length - 40) return undefined;
    l4 = 40;
  } else {
    // IHL 5 only, total length exact, not a fragment (MF clear, offset 0).
    if (p[0] !== 0x45 || p[9] !== TCP || u16(p, 2) !== p.length || (u16(p, 6) & 0x3fff) !== 0) return undefined;
    if (onesComplementSum(p, 0, 20) !== 0xffff) return undefined;
    l4 = 20;
  }
  if (p.length < l4 + 20) return undefined;
  const tcpLen = (p[l4 + 12]! >> 4) * 4;
  const flags = p[l4 + 13]!;
  if (tcpLen < 20 || l4 + tcpLen > p.length || (flags !== TCP_ACK && flags !== (TCP_ACK | TCP_PSH))) return undefined;
  if (partial) {
    if (partial.start !== l4 || partial.offset !== TCP_CHECK) return undefined;
  } else if (!valid && onesComplementSum(p, l4, p.length, pseudoHeaderSum(p, l4, TCP)) !== 0xffff) {
    return undefined;
  }
  return { v6, l4, headers: l4 + tcpLen, payload: p.length - l4 - tcpLen, seq: u32(p, l4 + 4), flags };
}

/** Whether `p` (parsed as `s`) continues the run whose first segment is `h` (parsed as `hs`) and whose next sequence number is `next`. */
function continues(h: Uint8Array, hs: Segment, p: Uint8Array, s: Segment, next: number, count: number): boolean {
  if (s.v6 !== hs.v6 || s.headers !== hs.headers || s.seq !== next) return false;
  const { l4 } = s;
  if (s.v6) {
    // Version, traffic class, flow label; next header, hop limit; addresses.
    for (let i = 0; i < 4; i++) if (p[i] !== h[i]) return false;
    for (let i = 6; i < 40; i++) if (p[i] !== h[i]) return false;
  } else {
    // TOS, flags (DF), TTL, protocol, addresses; the ID counts up by one a segment, as GSO makes it.
    if (p[1] !== h[1] || p[6] !== h[6] || p[8] !== h[8]) return false;
    for (let i = 12; i < 20; i++) if (p[i] !== h[i]) return false;
    if (u16(p, 4) !== ((u16(h, 4) + count) & 0xffff)) return false;
  }
  // Ports, ACK number, header length; window; options byte for byte (timestamps included).
  for (let i = 0; i < 4; i++) if (p[l4 + i] !== h[l4 + i]) return false;
  for (let i = 8; i < 13; i++) if (p[l4 + i] !== h[l4 + i]) return false;
  if (p[l4 + 14] !== h[l4 + 14] || p[l4 + 15] !== h[l4 + 15]) return false;
  for (let i = l4 + 20; i < s.headers; i++) if (p[i] !== h[i]) return false;
  return true;
}

/**
 * Joins runs of packets pushed one by one; `write` gets each finished packet with its virtio header
 * (a joined super-packet, or a packet as it came with a plain header), how many packets it stands
 * for and their bytes. Views passed to `write` are valid until it returns. Call flush() when a burst
 * ends.
 */
export class Coalescer {
  /** Virtio header, then the packet being built. */
  private readonly buf = new Uint8Array(VNET_HDR_LEN + MAX_IP);
  private head: Segment | undefined;
  /** Bytes of the packet being built (after the virtio header). */
  private length = 0;
  private count = 0;
  private next = 0;
  /** Whether the run's first segment came with a partial checksum. */
  private headPartial = false;
  /** Whether the modem vouched for the run's first segment's checksum. */
  private headValid = false;
  /** Packets joined into another (each one write saved). */
  joined = 0;

  constructor(private readonly write: (header: Uint8Array, packet: Uint8Array, packets: number, bytes: number) => void) {}

  /** `valid`: the modem verified the packet's TCP checksum (QMAP checksum offload's verdict). */
  push(packet: Uint8Array, partial?: PartialChecksum, valid = false): void {
    const s = parse(packet, partial, valid);
    const h = this.buf.subarray(VNET_HDR_LEN);
    // A run takes full-size segments; the one that ends it may be shorter or carry PSH.
    if (s && this.head && s.payload > 0 && s.payload <= this.head.payload && this.length + s.payload <= MAX_IP && continues(h, this.head, packet, s, this.next, this.count)) {
      h.set(packet.subarray(s.headers), this.length);
      this.length += s.payload;
      this.count++;
      this.joined++;
      this.next = (this.next + s.payload) >>> 0;
      // PSH is carried on the last segment (gso.ts puts it back there); a short segment ends the run.
      if (s.flags !== TCP_ACK) h[s.l4 + 13] = s.flags;
      if (s.flags !== TCP_ACK || s.payload < this.head.payload) this.flush();
      return;
    }
    this.flush();
    if (!s || s.payload === 0 || s.flags !== TCP_ACK || s.headers + s.payload * 2 > MAX_IP) {
      this.write(partial ? partialHeader(partial.start, partial.offset) : s && valid ? DATA_VALID_HDR : PLAIN_VNET_HDR, packet, 1, packet.length);
      return;
    }
    h.set(packet);
    this.head = s;
    this.headPartial = partial !== undefined;
    this.headValid = valid;
    this.length = packet.length;
    this.count = 1;
    this.next = (s.seq + s.payload) >>> 0;
  }

  /** Writes the packet being built, if any. */
  flush(): void {
    const s = this.head;
    if (!s) return;
    this.head = undefined;
    const p = this.buf.subarray(VNET_HDR_LEN, VNET_HDR_LEN + this.length);
    if (this.count === 1) {
      this.write(this.headPartial ? partialHeader(s.l4, TCP_CHECK) : this.headValid ? DATA_VALID_HDR : PLAIN_VNET_HDR, p, 1, p.length);
      return;
    }
    if (s.v6) put16(p, 4, this.length - 40);
    else {
      put16(p, 2, this.length);
      put16(p, 10, 0);
      put16(p, 10, ~onesComplementSum(p, 0, 20) & 0xffff);
    }
    // The checksum left partial: the pseudo-header's sum, which the kernel completes or trusts.
    put16(p, s.l4 + TCP_CHECK, pseudoHeaderSum(p, s.l4, TCP));
    const v = this.buf;
    v[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    v[1] = s.v6 ? GSO_TCPV6 : GSO_TCPV4;
    put16le(v, 2, s.headers);
    put16le(v, 4, s.payload);
    put16le(v, 6, s.l4);
    put16le(v, 8, TCP_CHECK);
    this.write(v.subarray(0, VNET_HDR_LEN), p, this.count, this.length + (this.count - 1) * s.headers);
  }
}

const put16le = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v;
  b[at + 1] = v >>> 8;
};

/** A TCP segment the modem verified: the kernel need not (CHECKSUM_UNNECESSARY). */
const DATA_VALID_HDR = Uint8Array.of(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** The virtio header of one packet whose checksum the kernel is to finish (reused: valid until the next call). */
const NEEDS_CSUM_HDR = new Uint8Array(VNET_HDR_LEN);
function partialHeader(start: number, offset: number): Uint8Array {
  NEEDS_CSUM_HDR[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  put16le(NEEDS_CSUM_HDR, 6, start);
  put16le(NEEDS_CSUM_HDR, 8, offset);
  return NEEDS_CSUM_HDR;
}
