/**
 * IP packets built the plain way for tests, with checksums from an implementation of their own
 * (a sum of 16-bit words modulo 0xffff, RFC 1071's other formulation) so they check ours.
 */
import { onesComplementSum } from '../../src/wire/checksum.js';
import { GSO_NONE, GSO_TCPV4, GSO_TCPV6, GSO_UDP_L4, VIRTIO_NET_HDR_F_NEEDS_CSUM, VNET_HDR_LEN } from '../../src/net/gso.js';
import { ipv4ToBytes, ipv6ToBytes } from '../../src/wire/ip.js';

export type Family = 4 | 6;

export function addressBytes(text: string): Uint8Array {
  const b = text.includes(':') ? ipv6ToBytes(text) : ipv4ToBytes(text);
  if (!b) throw new Error(`not an address: ${text}`);
  return b;
}

function wordSum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    const padded = p.length % 2 ? Uint8Array.from([...p, 0]) : p;
    const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength);
    for (let i = 0; i < padded.length; i += 2) sum += view.getUint16(i);
  }
  return sum % 0xffff;
}

/** The checksum to write over parts whose checksum field is zero. */
export function checksumOf(...parts: Uint8Array[]): number {
  return (0xffff - wordSum(...parts)) % 0xffff;
}

/** Whether parts carrying a checksum sum to zero (ones' complement). */
export function checksumValid(...parts: Uint8Array[]): boolean {
  return wordSum(...parts) === 0;
}

function be16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

function pseudoHeader(family: Family, src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (family === 4) return Uint8Array.from([...src, ...dst, 0, protocol, ...be16(length)]);
  return Uint8Array.from([...src, ...dst, 0, 0, ...be16(length), 0, 0, 0, protocol]);
}

/** Rewrites an IPv4 header's checksum for the header length its IHL says (in place). */
export function withIpv4HeaderChecksum(packet: Uint8Array): Uint8Array {
  const headerLength = (packet[0]! & 15) * 4;
  packet[10] = 0;
  packet[11] = 0;
  packet.set(be16(checksumOf(packet.subarray(0, headerLength))), 10);
  return packet;
}

export interface IpFields {
  src: string;
  dst: string;
  protocol: number;
  ttl?: number;
  /** IPv4 identification and flags/fragment word. */
  id?: number;
  flagsFragment?: number;
}

export function ipPacket(f: IpFields, payload: Uint8Array): Uint8Array {
  const src = addressBytes(f.src);
  const dst = addressBytes(f.dst);
  const ttl = f.ttl ?? 64;
  if (src.length === 4) {
    const header = [0x45, 0, ...be16(20 + payload.length), ...be16(f.id ?? 0), ...be16(f.flagsFragment ?? 0x4000), ttl, f.protocol, 0, 0, ...src, ...dst];
    return withIpv4HeaderChecksum(Uint8Array.from([...header, ...payload]));
  }
  return Uint8Array.from([0x60, 0, 0, 0, ...be16(payload.length), f.protocol, ttl, ...src, ...dst, ...payload]);
}

/** An ICMP (IPv4) or ICMPv6 (IPv6) message with its checksum. */
export function icmpPacket(f: Omit<IpFields, 'protocol'>, type: number, code: number, body: Uint8Array): Uint8Array {
  const family: Family = f.src.includes(':') ? 6 : 4;
  const message = Uint8Array.from([type, code, 0, 0, ...body]);
  const protocol = family === 4 ? 1 : 58;
  const sum = family === 4 ? checksumOf(message) : checksumOf(pseudoHeader(6, addressBytes(f.src), addressBytes(f.dst), 58, message.length), message);
  message.set(be16(sum), 2);
  return ipPacket({ ...f, protocol }, message);
}

export function echoBody(id: number, seq: number, data: Uint8Array): Uint8Array {
  return Uint8Array.from([...be16(id), ...be16(seq), ...data]);
}

export function udpPacket(f: Omit<IpFields, 'protocol'>, sport: number, dport: number, payload: Uint8Array, checksum: 'compute' | 'none' = 'compute'): Uint8Array {
  const family: Family = f.src.includes(':') ? 6 : 4;
  const datagram = Uint8Array.from([...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload]);
  if (checksum === 'compute') {
    const sum = checksumOf(pseudoHeader(family, addressBytes(f.src), addressBytes(f.dst), 17, datagram.length), datagram);
    datagram.set(be16(sum || 0xffff), 6);
  }
  return ipPacket({ ...f, protocol: 17 }, datagram);
}

/** Whether an IP packet's header checksum (IPv4) and its ICMP/ICMPv6/UDP checksum are right. */
export function packetChecksumsValid(packet: Uint8Array): boolean {
  const v4 = packet[0]! >> 4 === 4;
  const headerLength = v4 ? (packet[0]! & 15) * 4 : 40;
  const total = v4 ? (packet[2]! << 8) | packet[3]! : 40 + ((packet[4]! << 8) | packet[5]!);
  if (v4 && !checksumValid(packet.subarray(0, headerLength))) return false;
  const protocol = v4 ? packet[9]! : packet[6]!;
  const message = packet.subarray(headerLength, total);
  const src = packet.subarray(v4 ? 12 : 8, v4 ? 16 : 24);
  const dst = packet.subarray(v4 ? 16 : 24, v4 ? 20 : 40);
  if (protocol === 1) return checksumValid(message);
  return checksumValid(pseudoHeader(v4 ? 4 : 6, src, dst, protocol, message.length), message);
}

export const TYPE_A = 1;
export const TYPE_AAAA = 28;

/** A DNS query with one question, recursion desired. */
export function dnsQuery(id: number, name: string, qtype: number, qclass = 1): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]);
  return Uint8Array.from([...be16(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, ...be16(qtype), ...be16(qclass)]);
}

export interface DnsAnswerFields {
  id: number;
  /** The query as sent; its question is echoed. */
  query: Uint8Array;
  rcode: number;
  type: number;
  addresses: string[];
}

/** The response a stub with AA and RA set gives: the query's header and question, then answers. */
export function dnsResponse(f: DnsAnswerFields): Uint8Array {
  const out = [...f.query];
  out[2] = 0x85; // QR, AA, RD
  out[3] = 0x80 | f.rcode; // RA
  out.splice(6, 2, ...be16(f.addresses.length));
  for (const a of f.addresses) {
    const b = addressBytes(a);
    out.push(0xc0, 0x0c, ...be16(f.type), 0, 1, 0, 0, 0, 60, ...be16(b.length), ...b);
  }
  return Uint8Array.from(out);
}

/** A TUN super-packet (virtio header first) for the offload tests; TCP options a multiple of 4 bytes. */
export interface Super {
  frame: Uint8Array;
  payload: Uint8Array;
  v6: boolean;
  tcp: boolean;
  gsoSize: number;
  seq: number;
  flags: number;
}

/** A super-packet as the kernel hands it over: virtio header, headers with a partial checksum, up to 64 KiB of payload. */
export function superPacket(v6: boolean, tcp: boolean, payload: Uint8Array, gsoSize: number, seq: number, flags: number, gso = true, tcpOptions: Uint8Array = new Uint8Array(0)): Super {
  const l3 = v6 ? 40 : 20;
  const l4Len = tcp ? 20 + tcpOptions.length : 8;
  const p = new Uint8Array(l3 + l4Len + payload.length);
  if (v6) {
    p[0] = 0x60;
    p[4] = (l4Len + payload.length) >> 8;
    p[5] = (l4Len + payload.length) & 0xff;
    p[6] = tcp ? 6 : 17;
    p[7] = 64;
    p.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 8);
    p.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 24);
  } else {
    p[0] = 0x45;
    p[2] = p.length >> 8;
    p[3] = p.length & 0xff;
    p[4] = 0x12;
    p[5] = 0x34;
    p[6] = 0x40;
    p[8] = 64;
    p[9] = tcp ? 6 : 17;
    p.set([10, 0, 0, 2, 10, 0, 0, 1], 12);
  }
  p[l3] = 0xc3;
  p[l3 + 1] = 0x50;
  p[l3 + 2] = 0x14;
  p[l3 + 3] = 0x51;
  if (tcp) {
    p[l3 + 4] = seq >>> 24;
    p[l3 + 5] = (seq >>> 16) & 0xff;
    p[l3 + 6] = (seq >>> 8) & 0xff;
    p[l3 + 7] = seq & 0xff;
    p[l3 + 12] = (l4Len / 4) << 4;
    p.set(tcpOptions, l3 + 20);
    p[l3 + 13] = flags;
    p[l3 + 14] = 0xff;
  } else {
    p[l3 + 4] = (8 + payload.length) >> 8;
    p[l3 + 5] = (8 + payload.length) & 0xff;
  }
  p.set(payload, l3 + l4Len);
  // The kernel leaves the pseudo-header sum in the checksum field: a super-packet's is recomputed
  // whole (garbage here shows it), a single packet's is completed.
  const field = l3 + (tcp ? 16 : 6);
  if (gso) p[field] = 0xab;
  else {
    const length = p.length - l3;
    const pseudo = onesComplementSum(p, v6 ? 8 : 12, v6 ? 40 : 20, (tcp ? 6 : 17) + length);
    p[field] = pseudo >> 8;
    p[field + 1] = pseudo & 0xff;
  }
  const h = new Uint8Array(VNET_HDR_LEN);
  h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h[1] = gso ? (tcp ? (v6 ? GSO_TCPV6 : GSO_TCPV4) : GSO_UDP_L4) : GSO_NONE;
  h[2] = l3 + l4Len;
  h[4] = gsoSize & 0xff;
  h[5] = gsoSize >> 8;
  h[6] = l3;
  h[8] = tcp ? 16 : 6;
  const frame = new Uint8Array(VNET_HDR_LEN + p.length);
  frame.set(h);
  frame.set(p, VNET_HDR_LEN);
  return { frame, payload, v6, tcp, gsoSize, seq, flags };
}
