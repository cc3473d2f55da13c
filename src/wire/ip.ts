/** IPv4 from 4 network-order bytes, and back. */
export function ipv4FromBytes(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

export function ipv4ToBytes(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  return parseIpv4Into(s, out, 0) ? out : null;
}

/** Four dot-separated runs of 1–3 decimal digits, each at most 255, into out[at, at+4); false if not. */
export function parseIpv4Into(s: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let i = 0;
  for (let k = 0; k <= s.length; k++) {
    const c = k === s.length ? 0x2e : s.charCodeAt(k);
    if (c === 0x2e) {
      if (digits === 0 || part > 255 || i > 3) return false;
      out[at + i++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + c - 0x30;
      digits++;
    } else return false;
  }
  return i === 4;
}

/** Byte values as hex without and with a leading zero: a word's text from two look-ups, not toString(16). */
const HEX1 = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** IPv6 text (RFC 5952 compressed) from 16 network-order bytes at b[at, at+16). */
export function ipv6FromBytes(b: Uint8Array, at = 0): string {
  // The longest run of two or more zero words becomes '::' (the first of equal runs).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (b[at + i * 2] !== 0 || b[at + i * 2 + 1] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && b[at + j * 2] === 0 && b[at + j * 2 + 1] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) s += ':';
    const hi = b[at + i * 2]!;
    const lo = b[at + i * 2 + 1]!;
    s += hi === 0 ? HEX1[lo]! : HEX1[hi]! + HEX2[lo]!;
  }
  return s;
}

/** Hex words separated by ':', at most one '::' standing for one or more zero words; no embedded IPv4. */
export function ipv6ToBytes(s: string): Uint8Array | null {
  const out = new Uint8Array(16);
  return parseIpv6Into(s, out, 0) ? out : null;
}

/** Scratch for parseIpv6Into (parses never nest). */
const words = new Uint16Array(8);

/** ipv6ToBytes into out[at, at+16), which is left as it was if s is not an address; false then. */
export function parseIpv6Into(s: string, out: Uint8Array, at: number): boolean {
  // One pass: words as they come, the position of a '::' (-1 while none); a word ends at ':' or the end.
  const len = s.length;
  let n = 0;
  let gap = -1;
  let word = 0;
  let digits = 0;
  for (let k = 0; k < len; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x3a) {
      if (k + 1 < len && s.charCodeAt(k + 1) === 0x3a) {
        if (gap >= 0) return false;
        if (digits > 0) {
          if (n === 8) return false;
          words[n++] = word;
        } else if (k > 0) return false; // ':::' or a word missing before '::'
        gap = n;
        k++;
      } else {
        // A single ':' ends a word that must be there and must be followed by another.
        if (digits === 0 || k + 1 === len || n === 8) return false;
        words[n++] = word;
      }
      word = 0;
      digits = 0;
      continue;
    }
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (v < 0 || ++digits > 4) return false;
    word = word * 16 + v;
  }
  if (digits > 0) {
    if (n === 8) return false;
    words[n++] = word;
  } else if (gap !== n || len === 0) return false; // ends in ':' that is not '::', or empty
  const fill = 8 - n;
  if (gap >= 0 ? fill < 1 : fill !== 0) return false;
  // A loop: fill() with bounds costs more than 16 stores at this size.
  for (let i = 0; i < 16; i++) out[at + i] = 0;
  for (let i = 0; i < n; i++) {
    const w = (i < gap || gap < 0 ? i : i + fill) * 2 + at;
    out[w] = words[i]! >> 8;
    out[w + 1] = words[i]! & 0xff;
  }
  return true;
}

/** IPv4 settings the network gave a bearer. */
export interface Ipv4Config {
  address: string;
  prefix: number;
  gateway?: string;
  dns: string[];
  mtu?: number;
}

/** IPv6 settings the network gave a bearer. */
export interface Ipv6Config {
  address: string;
  prefix: number;
  gateway?: string;
  dns: string[];
  mtu?: number;
}
