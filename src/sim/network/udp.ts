/** UDP datagrams: reading the host's, and finishing the replies the services behind the modem write. */
import { be16, putBe16 } from '../../wire/bytes.js';
import { IPPROTO_UDP, pseudoHeaderChecksum, replyPayloadAt, writeReplyHeader, type IpHeader } from './ip.js';

const UDP_HEADER_LENGTH = 8;

export type UdpDropReason = 'truncated' | 'bad-checksum';

/** One UDP header as read from a packet; reused for every packet. */
export class UdpHeader {
  sourcePort = 0;
  destinationPort = 0;
  /** Where the datagram's payload starts and ends in the packet. */
  payloadStart = 0;
  end = 0;

  /** Reads the UDP header after `ip`: null if the datagram is whole and its checksum right, else why not. */
  parse(packet: Uint8Array, ip: IpHeader): UdpDropReason | null {
    const start = ip.payloadStart;
    if (ip.end - start < UDP_HEADER_LENGTH) return 'truncated';
    const length = be16(packet, start + 4);
    if (length < UDP_HEADER_LENGTH || start + length > ip.end) return 'truncated';
    const checksum = be16(packet, start + 6);
    // Zero means "no checksum" over IPv4; over IPv6 the checksum is mandatory (RFC 8200 8.1).
    if (checksum === 0 ? ip.version === 6 : pseudoHeaderChecksum(packet, start, start + length, IPPROTO_UDP) !== 0) return 'bad-checksum';
    this.sourcePort = be16(packet, start);
    this.destinationPort = be16(packet, start + 2);
    this.payloadStart = start + UDP_HEADER_LENGTH;
    this.end = start + length;
    return null;
  }
}

/** Where a reply's UDP payload goes in `out`: write it there, then call finishUdpReply. */
export function udpReplyPayloadAt(ip: IpHeader): number {
  return replyPayloadAt(ip.version) + UDP_HEADER_LENGTH;
}

/**
 * Writes the IP and UDP headers of the reply to `request` around the `payloadLength` bytes already
 * at udpReplyPayloadAt: ports and addresses swapped, checksum over the pseudo-header. Returns its length.
 */
export function finishUdpReply(out: Uint8Array, request: Uint8Array, ip: IpHeader, udp: UdpHeader, payloadLength: number): number {
  const at = replyPayloadAt(ip.version);
  const length = UDP_HEADER_LENGTH + payloadLength;
  putBe16(out, at, udp.destinationPort);
  putBe16(out, at + 2, udp.sourcePort);
  putBe16(out, at + 4, length);
  putBe16(out, at + 6, 0);
  const total = writeReplyHeader(out, request, ip, length);
  // A computed zero is sent as all ones: zero on the wire means "no checksum" (RFC 768).
  putBe16(out, at + 6, pseudoHeaderChecksum(out, at, total, IPPROTO_UDP) || 0xffff);
  return total;
}
