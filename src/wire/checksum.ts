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
  const length = packet.length - start;
  const v6 = packet[0]! >> 4 === 6;
  // The IPv6 pseudo-header's length is 32 bits wide.
  const sum = protocol + (length & 0xffff) + (length >>> 16);
  const addresses = v6 ? onesComplementSum(packet, 8, 40, sum) : onesComplementSum(packet, 12, 20, sum);
  return ~onesComplementSum(packet, start, packet.length, addresses) & 0xffff;
}
