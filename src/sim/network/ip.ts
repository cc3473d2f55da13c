/** IPv4 and IPv6 headers as the network behind the modem reads them, and the headers of its replies. */
import { internetChecksum, transportChecksum } from '../../wire/checksum.js';
import { be16, putBe16 } from '../../wire/bytes.js';
import { addressAt, inPrefix, type PdnFamilyAddresses } from './pdn-addresses.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
const IPV6_FRAGMENT_HEADER = 44;

const IPV4_HEADER_LENGTH = 20;
const IPV6_HEADER_LENGTH = 40;
const IPV4_DONT_FRAGMENT = 0x4000;
const IPV4_MORE_FRAGMENTS = 0x2000;
const IPV4_FRAGMENT_OFFSET = 0x1fff;
/** Linux's default TTL and hop limit. */
const REPLY_HOP_LIMIT = 64;

export type IpDropReason = 'truncated' | 'bad-version' | 'bad-header-checksum' | 'fragment' | 'ttl-zero';

/** One IP header as read from a packet; a network keeps one and rereads it for every packet. */
export class IpHeader {
  version: 4 | 6 = 4;
  /** The upper-layer protocol (IPv6: the first next-header value). */
  protocol = 0;
  /** Where the upper-layer message starts. */
  payloadStart = 0;
  /** Where the IP packet ends; bytes after it (link padding) are not part of it. */
  end = 0;

  /** Reads `packet`'s header into this object: null if the packet is whole and unfragmented, else why not. */
  parse(packet: Uint8Array): IpDropReason | null {
    const version = (packet[0] ?? 0) >> 4;
    if (version === 4) return this.parseIpv4(packet);
    if (version === 6) return this.parseIpv6(packet);
    return packet.length === 0 ? 'truncated' : 'bad-version';
  }

  get sourceAt(): number {
    return this.version === 4 ? 12 : 8;
  }

  get destinationAt(): number {
    return this.version === 4 ? 16 : 24;
  }

  /** Whether the destination is multicast or broadcast: nothing there answers a ping with its own address. */
  multicastDestination(packet: Uint8Array): boolean {
    // 224/4 multicast and 240/4 reserved (which holds 255.255.255.255); ff00::/8.
    return this.version === 4 ? packet[16]! >= 224 : packet[24] === 0xff;
  }

  /**
   * Whether the source is the session's: its IPv4 address exactly; for IPv6 any address in its
   * prefix (SLAAC and privacy addresses) or link-local.
   */
  sourceFrom(packet: Uint8Array, pdn: PdnFamilyAddresses): boolean {
    if (this.version === 4) return addressAt(packet, 12, pdn.address);
    return inPrefix(packet, 8, pdn.address, pdn.prefixLength) || (packet[8] === 0xfe && (packet[9]! & 0xc0) === 0x80);
  }

  private parseIpv4(packet: Uint8Array): IpDropReason | null {
    if (packet.length < IPV4_HEADER_LENGTH) return 'truncated';
    const headerLength = (packet[0]! & 0x0f) * 4;
    const totalLength = be16(packet, 2);
    if (headerLength < IPV4_HEADER_LENGTH || totalLength < headerLength || totalLength > packet.length) return 'truncated';
    if (internetChecksum(packet, 0, headerLength) !== 0) return 'bad-header-checksum';
    if ((be16(packet, 6) & (IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET)) !== 0) return 'fragment';
    if (packet[8] === 0) return 'ttl-zero';
    this.version = 4;
    this.protocol = packet[9]!;
    this.payloadStart = headerLength;
    this.end = totalLength;
    return null;
  }

  private parseIpv6(packet: Uint8Array): IpDropReason | null {
    if (packet.length < IPV6_HEADER_LENGTH) return 'truncated';
    // A zero payload length announces a jumbogram (RFC 2675), which no modem link carries.
    const end = IPV6_HEADER_LENGTH + be16(packet, 4);
    if (end > packet.length || end === IPV6_HEADER_LENGTH) return 'truncated';
    if (packet[6] === IPV6_FRAGMENT_HEADER) return 'fragment';
    if (packet[7] === 0) return 'ttl-zero';
    this.version = 6;
    this.protocol = packet[6]!;
    this.payloadStart = IPV6_HEADER_LENGTH;
    this.end = end;
    return null;
  }
}

/** Where a reply's upper-layer message starts: replies carry no IPv4 options or IPv6 extension headers. */
export function replyPayloadAt(version: 4 | 6): number {
  return version === 4 ? IPV4_HEADER_LENGTH : IPV6_HEADER_LENGTH;
}

/**
 * Writes at out[0] the IP header of a reply to `request` (read into `header`): the addresses
 * swapped, so the reply comes from the address the host sent to, with the same protocol and
 * `payloadLength` bytes after it. Returns the reply's total length.
 */
export function writeReplyHeader(out: Uint8Array, request: Uint8Array, header: IpHeader, payloadLength: number): number {
  if (header.version === 4) {
    const total = IPV4_HEADER_LENGTH + payloadLength;
    out[0] = 0x45;
    out[1] = 0;
    putBe16(out, 2, total);
    // DF set and ID 0, as Linux sends atomic datagrams (RFC 6864).
    putBe16(out, 4, 0);
    putBe16(out, 6, IPV4_DONT_FRAGMENT);
    out[8] = REPLY_HOP_LIMIT;
    out[9] = header.protocol;
    putBe16(out, 10, 0);
    for (let i = 0; i < 4; i++) {
      out[12 + i] = request[16 + i]!;
      out[16 + i] = request[12 + i]!;
    }
    putBe16(out, 10, internetChecksum(out, 0, IPV4_HEADER_LENGTH));
    return total;
  }
  out[0] = 0x60;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  putBe16(out, 4, payloadLength);
  out[6] = header.protocol;
  out[7] = REPLY_HOP_LIMIT;
  for (let i = 0; i < 16; i++) {
    out[8 + i] = request[24 + i]!;
    out[24 + i] = request[8 + i]!;
  }
  return IPV6_HEADER_LENGTH + payloadLength;
}

/**
 * The Internet checksum over the IPv4/IPv6 pseudo-header of `packet` and its upper-layer message
 * packet[start, end): 0 over a message with a correct checksum, the value to write over one whose
 * checksum field is zero.
 */
export function pseudoHeaderChecksum(packet: Uint8Array, start: number, end: number, protocol: number): number {
  return transportChecksum(end === packet.length ? packet : packet.subarray(0, end), start, protocol);
}
