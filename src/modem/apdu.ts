/**
 * Command APDU lengths (ISO/IEC 7816-3 cases 1–4, short and extended): a command whose Lc disagrees
 * with its length is refused here with a clear message rather than sent for the card to answer 6700.
 */

/** What is wrong with a command APDU's length, or undefined when it is one of the four cases. */
export function checkApdu(apdu: Uint8Array): string | undefined {
  const n = apdu.length;
  if (n < 4) return `a command APDU has at least 4 bytes (CLA INS P1 P2), not ${n}`;
  // Case 1 (header only) and case 2 short (header + Le).
  if (n <= 5) return undefined;
  const b4 = apdu[4]!;
  if (b4 !== 0) {
    // Short case 3 (Lc data) or 4 (Lc data Le).
    return n === 5 + b4 || n === 6 + b4 ? undefined : `the APDU is ${n} bytes but its Lc says ${b4} bytes of data (${5 + b4} or ${6 + b4} in all)`;
  }
  // Extended: 00 then a two-byte Le (case 2E) or Lc (cases 3E, 4E, with a two-byte Le).
  if (n === 7) return undefined;
  if (n < 7) return `an extended-length APDU has 7 bytes or more, not ${n}`;
  const lc = (apdu[5]! << 8) | apdu[6]!;
  if (lc === 0) return 'an extended-length APDU with data has an Lc from 1';
  return n === 7 + lc || n === 9 + lc ? undefined : `the APDU is ${n} bytes but its extended Lc says ${lc} bytes of data (${7 + lc} or ${9 + lc} in all)`;
}
