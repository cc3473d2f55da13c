/**
 * TUN offloads (IFF_VNET_HDR): with TSO/USO and checksum offload on, every read starts with a
 * virtio_net_hdr and may be a TCP or UDP super-packet of up to 64 KiB whose checksum the kernel
 * left partial. The modem's framings carry MTU-sized packets, so a super-packet is cut here into the
 * segments the kernel would have sent (headers copied, lengths, IPv4 ID, TCP sequence and flags
 * adjusted) with complete checksums, as the kernel's own software GSO does. One read then moves
 * dozens of packets instead of one.
 */
import { finishChecksum, onesComplementSum, pseudoHeaderSum } from '../wire/checksum.js';

/** struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset (host order). */
export const VNET_HDR_LEN = 10;

export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
/** The checksum was verified (the kernel marks the packet CHECKSUM_UNNECESSARY). */
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;
export const GSO_NONE = 0;
export const GSO_TCPV4 = 1;
export const GSO_TCPV6 = 4;
export const GSO_UDP_L4 = 5;
const GSO_ECN = 0x80;

export const GSO_DROP_REASONS = [
  /** Shorter than its virtio header, or its headers run past the packet. */
  'malformed',
  /** A GSO type we never enabled (UFO). */
  'unsupported',
] as const;
export type GsoDropReason = (typeof GSO_DROP_REASONS)[number];

const TCP = 6;
const UDP = 17;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const put16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v >>> 8;
  b[at + 1] = v;
};

/**
 * A segment's checksums written into place: the IPv4 header's, and the TCP/UDP one over the
 * pseudo-header and the segment from `l4` — finished (UDP's 0 sent as 0xffff), or left partial.
 */
function fillChecksums(p: Uint8Array, l4: number, protocol: number, finish: boolean): void {
  if (p[0]! >> 4 === 4) {
    put16(p, 10, 0);
    put16(p, 10, ~onesComplementSum(p, 0, l4) & 0xffff);
  }
  const offset = protocol === TCP ? 16 : 6;
  put16(p, l4 + offset, pseudoHeaderSum(p, l4, protocol));
  if (finish) finishChecksum(p, l4, offset);
}

/**
 * Whether a TCP/UDP checksum starting at `l4` may be left partial for the modem: the transport
 * header straight after the IP header (IPv4 with any options, IPv6 without extension headers), where
 * a QMAP modem asked to finish it looks for it.
 */
function modemCanFinish(p: Uint8Array, l4: number): boolean {
  const proto = p[0]! >> 4 === 6 ? (l4 === 40 ? p[6] : -1) : l4 === (p[0]! & 0x0f) * 4 ? p[9] : -1;
  return proto === TCP || proto === UDP;
}

/**
 * Splits one TUN read (virtio header + packet) into packets for `emit`, each a view valid until
 * emit returns. Segments are cut in the read's own bytes (which this overwrites); `scratch` (at
 * least 64 KiB) keeps the headers they copy. With `partial` (the framing asks
 * the modem to finish TCP/UDP checksums), checksums the modem can finish are left partial: the
 * field holds the pseudo-header's sum, as the kernel left it. Returns why it dropped the read, or
 * undefined.
 */
export function segment(frame: Uint8Array, scratch: Uint8Array, emit: (packet: Uint8Array) => void, partial = false): GsoDropReason | undefined {
  if (frame.length < VNET_HDR_LEN) return 'malformed';
  const flags = frame[0]!;
  const gso = frame[1]! & ~GSO_ECN;
  const gsoSize = frame[4]! | (frame[5]! << 8);
  const csumStart = frame[6]! | (frame[7]! << 8);
  const csumOffset = frame[8]! | (frame[9]! << 8);
  const p = frame.subarray(VNET_HDR_LEN);

  if (gso === GSO_NONE) {
    if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
      // The field holds the pseudo-header sum; the rest of the segment completes it.
      if (csumStart + csumOffset + 2 > p.length) return 'malformed';
      if (!partial || !modemCanFinish(p, csumStart)) finishChecksum(p, csumStart, csumOffset);
    }
    emit(p);
    return undefined;
  }
  if (gso !== GSO_TCPV4 && gso !== GSO_TCPV6 && gso !== GSO_UDP_L4) return 'unsupported';

  // Network and transport headers: the transport header starts at csum_start.
  const v6 = p.length > 0 && p[0]! >> 4 === 6;
  const l4 = csumStart;
  if (l4 < (v6 ? 40 : 20) || l4 + 8 > p.length || gsoSize === 0) return 'malformed';
  const protocol = gso === GSO_UDP_L4 ? UDP : TCP;
  const l4Len = protocol === TCP ? (p[l4 + 12]! >> 4) * 4 : 8;
  const headers = l4 + l4Len;
  if (l4Len < 8 || headers > p.length) return 'malformed';
  const payload = p.length - headers;
  const count = Math.max(1, Math.ceil(payload / gsoSize));
  const id = v6 ? 0 : u16(p, 4);
  const seq = protocol === TCP ? ((p[l4 + 4]! << 24) | (p[l4 + 5]! << 16) | (p[l4 + 6]! << 8) | p[l4 + 7]!) >>> 0 : 0;
  const tcpFlags = protocol === TCP ? p[l4 + 13]! : 0;
  const finish = !partial || !modemCanFinish(p, l4);
  // Cut in place: each segment's headers are written just in front of its payload, over the tail of
  // the segment emitted before it (emit has copied that), so the payload itself never moves.
  const template = scratch.subarray(0, headers);
  template.set(p.subarray(0, headers));
  for (let i = 0; i < count; i++) {
    const from = headers + i * gsoSize;
    const size = Math.min(gsoSize, p.length - from);
    const packet = p.subarray(from - headers, from + size);
    if (i > 0) packet.set(template);
    const end = headers + size;
    if (v6) put16(packet, 4, end - 40);
    else {
      put16(packet, 2, end);
      put16(packet, 4, (id + i) & 0xffff);
    }
    if (protocol === TCP) {
      const s = (seq + i * gsoSize) >>> 0;
      packet[l4 + 4] = s >>> 24;
      packet[l4 + 5] = s >>> 16;
      packet[l4 + 6] = s >>> 8;
      packet[l4 + 7] = s;
      // FIN and PSH belong to the last segment, CWR to the first.
      let f = tcpFlags;
      if (i < count - 1) f &= ~(TCP_FIN | TCP_PSH);
      if (i > 0) f &= ~TCP_CWR;
      packet[l4 + 13] = f;
    } else {
      put16(packet, l4 + 4, end - l4);
    }
    fillChecksums(packet, l4, protocol, finish);
    emit(packet);
  }
  return undefined;
}

/** The virtio header for a packet written as it is: no GSO, checksum complete. */
export const PLAIN_VNET_HDR = new Uint8Array(VNET_HDR_LEN);
