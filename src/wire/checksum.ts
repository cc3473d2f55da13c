/**
 * The ones'-complement sum of 16-bit big-endian words over bytes[start, end) (an odd last byte is
 * padded with zero), added to `sum` and folded to 16 bits.
 */
export function onesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The Internet checksum (RFC 1071): the complemented ones'-complement sum of 16-bit big-endian words. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~onesComplementSum(bytes, start, end) & 0xffff;
}

/**
 * The Internet checksum over an IPv4 or IPv6 pseudo-header (addresses, `protocol`, upper-layer
 * length) and the TCP/UDP segment from `start` to the end of `packet`. With the checksum field
 * zeroed this is the value to write; over a segment carrying a correct checksum it is 0.
 */
export function transportChecksum(packet: Uint8Array, start: number, protocol: number): number {
  return ~onesComplementSum(packet, start, packet.length, pseudoHeaderSum(packet, start, protocol)) & 0xffff;
}

/**
 * A TCP/UDP checksum left for a later stage to finish, as Linux's CHECKSUM_PARTIAL and the virtio
 * header's NEEDS_CSUM say it: the field holds the pseudo-header's sum, and the ones'-complement sum
 * from `start` (the transport header) to the packet's end goes, complemented, into the field at
 * `offset` from `start`. start 0: nothing is partial.
 */
export interface PartialChecksum {
  start: number;
  offset: number;
}

/** The folded (not complemented) pseudo-header sum of the segment from `start`: what a partial checksum's field holds. */
export function pseudoHeaderSum(packet: Uint8Array, start: number, protocol: number): number {
  const length = packet.length - start;
  const v6 = packet[0]! >> 4 === 6;
  // The IPv6 pseudo-header's length is 32 bits wide.
  const sum = protocol + (length & 0xffff) + (length >>> 16);
  return v6 ? onesComplementSum(packet, 8, 40, sum) : onesComplementSum(packet, 12, 20, sum);
}

/** Finishes a partial checksum in place (UDP's 0 is sent as 0xffff). */
export function finishChecksum(packet: Uint8Array, start: number, offset: number): void {
  let sum = ~onesComplementSum(packet, start, packet.length) & 0xffff;
  if (sum === 0 && offset === 6) sum = 0xffff;
  packet[start + offset] = sum >>> 8;
  packet[start + offset + 1] = sum;
}
