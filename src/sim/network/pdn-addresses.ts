/** A PDN session's addressing as bytes, parsed once per session so packets compare without strings. */
import { ipv4ToBytes, ipv6ToBytes } from '../../wire/ip.js';
import type { Session } from '../firmware.js';

export interface PdnFamilyAddresses {
  /** The host's address (IPv4) or an address in its prefix (IPv6). */
  address: Uint8Array;
  prefixLength: number;
  gateway: Uint8Array;
  dns: readonly Uint8Array[];
}

export interface PdnAddresses {
  ipv4?: PdnFamilyAddresses;
  ipv6?: PdnFamilyAddresses;
}

function bytes(text: string, parse: (s: string) => Uint8Array | null): Uint8Array {
  const b = parse(text);
  if (!b) throw new RangeError(`session address ${JSON.stringify(text)} is not an IP address`);
  return b;
}

export function pdnAddresses(session: Session): PdnAddresses {
  const out: PdnAddresses = {};
  if (session.ipv4) {
    const { address, prefix, gateway, dns } = session.ipv4;
    out.ipv4 = { address: bytes(address, ipv4ToBytes), prefixLength: prefix, gateway: bytes(gateway, ipv4ToBytes), dns: dns.map((d) => bytes(d, ipv4ToBytes)) };
  }
  if (session.ipv6) {
    const { address, prefix, gateway, dns } = session.ipv6;
    out.ipv6 = { address: bytes(address, ipv6ToBytes), prefixLength: prefix, gateway: bytes(gateway, ipv6ToBytes), dns: dns.map((d) => bytes(d, ipv6ToBytes)) };
  }
  return out;
}

/** Whether `packet[at, at + n)` equals `address` (n = its length). */
export function addressAt(packet: Uint8Array, at: number, address: Uint8Array): boolean {
  for (let i = 0; i < address.length; i++) if (packet[at + i] !== address[i]) return false;
  return true;
}

/** Whether the address at `packet[at]` shares the first `prefixLength` bits of `address`. */
export function inPrefix(packet: Uint8Array, at: number, address: Uint8Array, prefixLength: number): boolean {
  const whole = prefixLength >> 3;
  for (let i = 0; i < whole; i++) if (packet[at + i] !== address[i]) return false;
  const bits = prefixLength & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((packet[at + whole]! ^ address[whole]!) & mask) === 0;
}
