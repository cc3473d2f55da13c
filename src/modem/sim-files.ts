/**
 * SIM elementary files the manager reads beside the IMSI, decoded the same whatever protocol read
 * them: EF_AD (the MNC's length), EF_SPN (the service provider name, coded as an EF_ADN alpha
 * identifier), EF_ECC (emergency numbers). Decoders never throw: a file they cannot read gives nothing.
 */
import { gsm7Text } from '../sms/gsm7.js';

/** The home operator's MCC+MNC: the IMSI's first 5 or 6 digits, EF_AD byte 4 saying the MNC's length (2 when it does not). */
export function operatorIdOf(imsi: string | undefined, ad: readonly number[] | undefined): string | undefined {
  if (!imsi || !/^\d{6,15}$/.test(imsi)) return undefined;
  const mncLength = ad !== undefined && ad.length >= 4 && ((ad[3]! & 0x0f) === 2 || (ad[3]! & 0x0f) === 3) ? ad[3]! & 0x0f : 2;
  return imsi.slice(0, 3 + mncLength);
}

/**
 * An alpha identifier (TS 31.102 4.4.2.3, TS 102 221 annex A): the GSM default alphabet one character
 * a byte, padded with FF, or UCS2 in one of its three forms (0x80 big-endian pairs; 0x81 and 0x82 a
 * count and a base that bytes from 0x80 are offsets on).
 */
export function alphaIdentifier(bytes: readonly number[]): string {
  const b = [...bytes];
  if (b[0] === 0x80) {
    let out = '';
    for (let i = 1; i + 1 < b.length && !(b[i] === 0xff && b[i + 1] === 0xff); i += 2) out += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
    return out;
  }
  if (b[0] === 0x81 || b[0] === 0x82) {
    const count = b[1] ?? 0;
    const base = b[0] === 0x81 ? (b[2] ?? 0) << 7 : ((b[2] ?? 0) << 8) | (b[3] ?? 0);
    const chars = b.slice(b[0] === 0x81 ? 3 : 4).slice(0, count);
    return chars.map((c) => (c & 0x80 ? String.fromCharCode(base + (c & 0x7f)) : gsm7Text([c]))).join('');
  }
  const end = b.indexOf(0xff);
  return gsm7Text((end < 0 ? b : b.slice(0, end)).map((c) => c & 0x7f));
}

/** EF_SPN: a display-condition byte, then the name as an alpha identifier; undefined when empty. */
export function serviceProviderName(spn: readonly number[] | undefined): string | undefined {
  if (!spn || spn.length < 2) return undefined;
  const name = alphaIdentifier(spn.slice(1)).trim();
  return name === '' ? undefined : name;
}

/** What EF_AD and EF_SPN add to the IMSI: ModemManager's Sim.OperatorIdentifier and OperatorName. */
export function simFileValues(imsi: string | undefined, ad: readonly number[] | undefined, spn: readonly number[] | undefined): { operatorId?: string; operatorName?: string } {
  const operatorId = operatorIdOf(imsi, ad);
  const operatorName = serviceProviderName(spn);
  return { ...(operatorId ? { operatorId } : {}), ...(operatorName ? { operatorName } : {}) };
}

/** An EF_ECC record's number (TS 31.102 4.2.21): up to 6 digits in swapped BCD, F-padded; undefined for an empty record. */
export function emergencyNumber(record: readonly number[]): string | undefined {
  let out = '';
  for (const b of record.slice(0, 3)) {
    for (const nibble of [b & 0x0f, b >> 4]) {
      if (nibble === 0x0f) return out === '' ? undefined : out;
      if (nibble > 9) return undefined;
      out += String(nibble);
    }
  }
  return out === '' ? undefined : out;
}
