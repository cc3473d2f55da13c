/**
 * Smart-card commands as the modem drivers pass them through: the shape of an ISO 7816-4 command
 * APDU (checked before it goes to the card), and the eUICC's EID as GSMA SGP.22 has the ISD-R give it.
 */

/** GSMA SGP.22's ISD-R AID. */
export const ISD_R_AID = Uint8Array.from(Buffer.from('a0000005591010ffffffff8900000100', 'hex'));

/** ES10c GetEID: STORE DATA (80 E2 91 00) of GetEuiccDataRequest BF3E { 5C 01 5A }, with Le. */
export const GET_EID_APDU = Uint8Array.from(Buffer.from('80e2910006bf3e035c015a00', 'hex'));

/**
 * Why a command APDU is malformed (ISO 7816-4 5.1, the four cases in short and extended length),
 * or undefined when its lengths agree. Never throws.
 */
export function apduShapeError(apdu: Uint8Array): string | undefined {
  const n = apdu.length;
  if (n < 4) return `an APDU has at least 4 bytes (CLA INS P1 P2), not ${n}`;
  if (n <= 5) return undefined; // case 1, or case 2 short (Le)
  const lc = apdu[4]!;
  if (lc !== 0) {
    // Case 3 short (Lc data) or 4 short (Lc data Le).
    return n === 5 + lc || n === 6 + lc ? undefined : `Lc says ${lc} data bytes, the APDU has ${n - 5} after the header`;
  }
  // Extended: 00 then a two-byte Lc (or Le alone).
  if (n === 7) return undefined;
  if (n < 7) return `an extended-length APDU has 7 bytes or more, not ${n}`;
  const elc = (apdu[5]! << 8) | apdu[6]!;
  if (elc === 0) return 'an extended Lc of 0';
  return n === 7 + elc || n === 9 + elc ? undefined : `extended Lc says ${elc} data bytes, the APDU has ${n - 7} after the header`;
}

/**
 * The EID (32 digits) from the answer to GET_EID_APDU: BF3E { 5A <16 bytes> } then SW 90 00.
 * Undefined for any other answer; never throws.
 */
export function eidFromResponse(r: Uint8Array): string | undefined {
  if (r.length < 2 || r[r.length - 2] !== 0x90 || r[r.length - 1] !== 0x00) return undefined;
  const body = r.subarray(0, r.length - 2);
  if (body[0] !== 0xbf || body[1] !== 0x3e) return undefined;
  const outer = tlvLength(body, 2);
  if (!outer) return undefined;
  const inner = body.subarray(outer.start, outer.start + outer.length);
  if (inner.length !== outer.length) return undefined;
  for (let i = 0; i < inner.length; ) {
    const tag = inner[i]!;
    const l = tlvLength(inner, i + 1);
    if (!l || l.start + l.length > inner.length) return undefined;
    if (tag === 0x5a) return l.length === 16 ? Buffer.from(inner.subarray(l.start, l.start + l.length)).toString('hex') : undefined;
    i = l.start + l.length;
  }
  return undefined;
}

/** A BER-TLV length at `at` (one byte, or 81 / 82 and one or two bytes), and where the value starts. */
function tlvLength(b: Uint8Array, at: number): { length: number; start: number } | undefined {
  const first = b[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, start: at + 1 };
  if (first === 0x81 && b[at + 1] !== undefined) return { length: b[at + 1]!, start: at + 2 };
  if (first === 0x82 && b[at + 2] !== undefined) return { length: (b[at + 1]! << 8) | b[at + 2]!, start: at + 3 };
  return undefined;
}
