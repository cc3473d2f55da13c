/**
 * SMS addresses (3GPP TS 23.040 §9.1.2.5) and the SMSC address in front of a PDU (TS 24.011 §8.2.5.1):
 * international (+CC…), national, unknown, and alphanumeric (GSM 7-bit packed, TON 5).
 */
import { DecodeError, type Reader } from '../wire/index.js';
import { gsm7Septets, gsm7Text, packSeptets, septetBytes, unpackSeptets } from './gsm7.js';

export type AddressType = 'international' | 'national' | 'unknown' | 'alphanumeric';

export interface SmsAddress {
  type: AddressType;
  /** Digits with a leading '+' when international; the name when alphanumeric. */
  value: string;
}

const TON: Record<AddressType, number> = { unknown: 0, international: 1, national: 2, alphanumeric: 5 };
/** Semi-octets beyond the digits: '*', '#', 'a', 'b', 'c' (TS 24.008 table 10.5.118). */
const DIGITS = '0123456789*#abc';

/** "+4479…" → international; digits alone → unknown numbering; anything else → alphanumeric. */
export function parseAddress(text: string): SmsAddress | undefined {
  if (/^\+[0-9*#abc]{1,20}$/.test(text)) return { type: 'international', value: text };
  if (/^[0-9*#abc]{1,20}$/.test(text)) return { type: 'unknown', value: text };
  if (text.length > 0 && text.length <= 11 && gsm7Septets(text)?.length === text.length) return { type: 'alphanumeric', value: text };
  return undefined;
}

function digitsOf(a: SmsAddress): string {
  return a.type === 'international' ? a.value.slice(1) : a.value;
}

function bcd(digits: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = DIGITS.indexOf(digits[i]!);
    const hi = i + 1 < digits.length ? DIGITS.indexOf(digits[i + 1]!) : 0xf;
    out.push(((hi << 4) | lo) & 0xff);
  }
  return out;
}

function fromBcd(bytes: Uint8Array, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) {
    const b = bytes[i >> 1]!;
    const d = i & 1 ? b >> 4 : b & 0xf;
    if (d === 0xf) break;
    s += DIGITS[d];
  }
  return s;
}

function toa(a: SmsAddress): number {
  // Numbering plan: ISDN/telephone (1) for numbers, unknown (0) for alphanumeric.
  return 0x80 | (TON[a.type] << 4) | (a.type === 'alphanumeric' ? 0 : 1);
}

function typeOf(ton: number): AddressType {
  return ton === 1 ? 'international' : ton === 2 ? 'national' : ton === 5 ? 'alphanumeric' : 'unknown';
}

/** TP-DA / TP-OA / TP-RA: length in semi-octets, type, value. */
export function encodeAddress(a: SmsAddress): number[] {
  if (a.type === 'alphanumeric') {
    const septets = gsm7Septets(a.value) ?? [];
    const packed = new Uint8Array(septetBytes(septets.length));
    packSeptets(septets, packed);
    // The length counts the semi-octets the packed septets use.
    return [Math.ceil((septets.length * 7) / 4), toa(a), ...packed];
  }
  const d = digitsOf(a);
  return [d.length, toa(a), ...bcd(d)];
}

export function readAddress(r: Reader): SmsAddress {
  const at = r.pos;
  const semiOctets = r.u8();
  const type = r.u8();
  if (semiOctets > 20) throw new DecodeError('length', r.field || 'address', at, `${semiOctets} semi-octets; an address has at most 20`);
  const raw = r.bytesView(Math.ceil(semiOctets / 2));
  const t = typeOf((type >> 4) & 7);
  if (t === 'alphanumeric') return { type: t, value: gsm7Text(unpackSeptets(raw, Math.floor((semiOctets * 4) / 7))) };
  const digits = fromBcd(raw, semiOctets);
  return { type: t, value: t === 'international' ? `+${digits}` : digits };
}

/** The SMSC address in front of a PDU: length in octets (type included); 0 means the modem's default. */
export function encodeSmsc(a: SmsAddress | undefined): number[] {
  if (!a) return [0];
  const d = bcd(digitsOf(a));
  return [d.length + 1, toa(a), ...d];
}

export function readSmsc(r: Reader): SmsAddress | undefined {
  const at = r.pos;
  const n = r.u8();
  if (n === 0) return undefined;
  if (n > 11) throw new DecodeError('length', 'smsc', at, `SMSC address of ${n} octets; at most 11`);
  const type = r.u8();
  const raw = r.bytesView(n - 1);
  const t = typeOf((type >> 4) & 7);
  const digits = fromBcd(raw, raw.length * 2);
  return { type: t === 'alphanumeric' ? 'unknown' : t, value: t === 'international' ? `+${digits}` : digits };
}

export const formatAddress = (a: SmsAddress): string => a.value;
