/** BCD digits as QMI carries them: SIM-style (low nibble first) and PLMNs (TS 24.008 10.5.1.3). */

/** Digits stored as BCD with swapped nibbles (SIM files, ICCIDs in slot status); 0xF pads the end. */
export function swappedBcdDigits(bytes: readonly number[]): string {
  let digits = '';
  for (const b of bytes) {
    for (const d of [b & 0xf, b >> 4]) {
      if (d > 9) return digits;
      digits += d;
    }
  }
  return digits;
}

/** `mcc`+`mnc` digits as 3 bytes: MCC2 MCC1, MNC3 MCC3 (F for a two-digit MNC), MNC2 MNC1. */
export function bcdPlmn(mcc: string, mnc: string): number[] {
  const d = (s: string, i: number): number => (i < s.length ? Number(s[i]) & 0xf : 0xf);
  return [(d(mcc, 1) << 4) | d(mcc, 0), ((mnc.length === 3 ? d(mnc, 2) : 0xf) << 4) | d(mcc, 2), (d(mnc, 1) << 4) | d(mnc, 0)];
}

/** The MCC and MNC digits of 3 BCD bytes; undefined where a digit is not a digit. */
export function plmnOfBcd(b: readonly number[]): { mcc: string; mnc: string } | undefined {
  if (b.length !== 3) return undefined;
  const n = [b[0]! & 0xf, b[0]! >> 4, b[1]! & 0xf, b[2]! & 0xf, b[2]! >> 4, b[1]! >> 4];
  const mnc3 = n[5] === 0xf ? [] : [n[5]!];
  const digits = [...n.slice(0, 5), ...mnc3];
  if (digits.some((x) => x > 9)) return undefined;
  return { mcc: digits.slice(0, 3).join(''), mnc: digits.slice(3).join('') };
}
