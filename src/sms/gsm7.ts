/**
 * The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1), and septet packing
 * (§6.1.2.1.1): septets are packed least significant bit first, so septet i starts at bit 7·i.
 */

/** The default alphabet, by code point 0x00–0x7f; 0x1b is the escape to the extension table. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: ESC followed by these codes. */
const EXTENSION: Record<number, string> = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };

export const ESC = 0x1b;

const basicCode = new Map<string, number>([...BASIC].map((c, i) => [c, i]).filter(([c]) => c !== '\x1b') as [string, number][]);
const extCode = new Map<string, number>(Object.entries(EXTENSION).map(([k, c]) => [c, Number(k)]));

/** The septets of `text` (an extension character takes two), or undefined if a character has no GSM code. */
export function gsm7Septets(text: string): number[] | undefined {
  const out: number[] = [];
  for (const c of text) {
    const b = basicCode.get(c);
    if (b !== undefined) out.push(b);
    else {
      const e = extCode.get(c);
      if (e === undefined) return undefined;
      out.push(ESC, e);
    }
  }
  return out;
}

/** Text from septets. An escape to an undefined extension code shows the default character, as §6.2.1.1 asks. */
export function gsm7Text(septets: readonly number[]): string {
  let s = '';
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i]! & 0x7f;
    if (v === ESC && i + 1 < septets.length) {
      const next = septets[++i]! & 0x7f;
      s += EXTENSION[next] ?? (next === ESC ? ' ' : BASIC[next]!);
    } else s += v === ESC ? ' ' : BASIC[v]!;
  }
  return s;
}

/** Packs septets into `out` starting at septet position `first` (bit 7·first). */
export function packSeptets(septets: readonly number[], out: Uint8Array, first = 0): void {
  let bit = first * 7;
  for (const s of septets) {
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte]! |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= s >> (8 - shift);
    bit += 7;
  }
}

/** Reads septets first..count-1 of packed bytes; the caller has checked that the bytes hold them. */
export function unpackSeptets(bytes: Uint8Array, count: number, first = 0): number[] {
  const out: number[] = [];
  for (let i = first; i < count; i++) {
    const bit = i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = bytes[byte]! >> shift;
    if (shift > 1) v |= (bytes[byte + 1] ?? 0) << (8 - shift);
    out.push(v & 0x7f);
  }
  return out;
}

/** Bytes needed for n septets. */
export const septetBytes = (n: number): number => Math.ceil((n * 7) / 8);
