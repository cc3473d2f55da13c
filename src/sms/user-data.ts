/**
 * TP-DCS, TP-UDL and TP-UD (3GPP TS 23.040 §9.2.3.16, §9.2.3.24; TS 23.038 §4): the alphabet and
 * class, the user data header with its information elements (concatenation with 8- and 16-bit
 * references), and the text or data after it.
 */
import { DecodeError } from '../wire/index.js';
import { gsm7Septets, gsm7Text, packSeptets, septetBytes, unpackSeptets } from './gsm7.js';

export type SmsEncoding = 'gsm7' | '8bit' | 'ucs2';
export type SmsClass = 0 | 1 | 2 | 3;

/** Concatenated short message (IEI 0x00 with an 8-bit reference, 0x08 with a 16-bit one). */
export interface Concat {
  ref: number;
  total: number;
  seq: number;
  bits: 8 | 16;
}

export interface InformationElement {
  id: number;
  data: Uint8Array;
}

export interface UserData {
  encoding: SmsEncoding;
  /** GSM 7-bit and UCS-2: the text (UCS-2 as UTF-16, so surrogate pairs stay whole). */
  text?: string;
  /** 8-bit: the payload. */
  data?: Uint8Array;
  concat?: Concat;
  /** Information elements other than concatenation, in order. */
  headers?: InformationElement[];
}

export interface Dcs {
  encoding: SmsEncoding;
  class?: SmsClass;
}

export const IEI_CONCAT_8 = 0x00;
export const IEI_CONCAT_16 = 0x08;

/** Most septets (GSM) or octets (8-bit, UCS-2) one message's user data holds. */
export const MAX_SEPTETS = 160;
export const MAX_OCTETS = 140;

export function encodeDcs(d: Dcs): number {
  const alphabet = d.encoding === 'gsm7' ? 0 : d.encoding === '8bit' ? 0x04 : 0x08;
  return alphabet | (d.class !== undefined ? 0x10 | d.class : 0);
}

/** The alphabet and class of a TP-DCS; reserved codings are GSM 7-bit as §4 says; compressed text is refused. */
export function decodeDcs(v: number, at: number): Dcs {
  const group = v >> 4;
  if (group <= 0x7) {
    if (v & 0x20) throw new DecodeError('invalid', 'dcs', at, 'compressed user data is not supported');
    const a = (v >> 2) & 3;
    const encoding: SmsEncoding = a === 1 ? '8bit' : a === 2 ? 'ucs2' : 'gsm7';
    return v & 0x10 ? { encoding, class: (v & 3) as SmsClass } : { encoding };
  }
  if (group === 0xf) return { encoding: v & 0x04 ? '8bit' : 'gsm7', class: (v & 3) as SmsClass };
  return { encoding: group === 0xe ? 'ucs2' : 'gsm7' };
}

function encodeHeader(ud: UserData): number[] {
  const out: number[] = [];
  const c = ud.concat;
  if (c) {
    if (c.bits === 8) out.push(IEI_CONCAT_8, 3, c.ref & 0xff, c.total, c.seq);
    else out.push(IEI_CONCAT_16, 4, (c.ref >> 8) & 0xff, c.ref & 0xff, c.total, c.seq);
  }
  for (const ie of ud.headers ?? []) out.push(ie.id, ie.data.length, ...ie.data);
  return out.length > 0 ? [out.length, ...out] : [];
}

const utf16be = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[i * 2] = s.charCodeAt(i) >> 8;
    out[i * 2 + 1] = s.charCodeAt(i) & 0xff;
  }
  return out;
};

const fromUtf16be = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
};

/** TP-UDL then TP-UD; throws DecodeError('invalid') when the content does not fit or cannot be encoded. */
export function encodeUserData(ud: UserData): { udhi: boolean; bytes: number[] } {
  const header = encodeHeader(ud);
  const udhi = header.length > 0;
  if (ud.encoding === 'gsm7') {
    const septets = gsm7Septets(ud.text ?? '');
    if (!septets) throw new DecodeError('invalid', 'text', 0, 'the text has characters the GSM 7-bit alphabet lacks');
    const skip = Math.ceil((header.length * 8) / 7);
    const udl = skip + septets.length;
    if (udl > MAX_SEPTETS) throw new DecodeError('invalid', 'text', 0, `${udl} septets exceed ${MAX_SEPTETS}`);
    const out = new Uint8Array(septetBytes(udl));
    out.set(header);
    packSeptets(septets, out, skip);
    return { udhi, bytes: [udl, ...out] };
  }
  const body = ud.encoding === 'ucs2' ? utf16be(ud.text ?? '') : (ud.data ?? new Uint8Array(0));
  const udl = header.length + body.length;
  if (udl > MAX_OCTETS) throw new DecodeError('invalid', ud.encoding === 'ucs2' ? 'text' : 'data', 0, `${udl} octets exceed ${MAX_OCTETS}`);
  return { udhi, bytes: [udl, ...header, ...body] };
}

function readHeader(b: Uint8Array, at: number): { length: number; concat?: Concat; headers: InformationElement[] } {
  const udhl = b[0]!;
  if (udhl + 1 > b.length) throw new DecodeError('length', 'udh', at, `header of ${udhl} octets overruns ${b.length - 1} octets of user data`);
  const headers: InformationElement[] = [];
  let concat: Concat | undefined;
  for (let p = 1; p < udhl + 1; ) {
    if (p + 2 > udhl + 1) throw new DecodeError('length', 'udh', at + p, 'information element header runs past the user data header');
    const id = b[p]!;
    const len = b[p + 1]!;
    if (p + 2 + len > udhl + 1) throw new DecodeError('length', 'udh', at + p, `information element 0x${id.toString(16)} of ${len} octets overruns the user data header`);
    const data = b.subarray(p + 2, p + 2 + len);
    const c =
      id === IEI_CONCAT_8 && len === 3 ? { ref: data[0]!, total: data[1]!, seq: data[2]!, bits: 8 as const }
      : id === IEI_CONCAT_16 && len === 4 ? { ref: (data[0]! << 8) | data[1]!, total: data[2]!, seq: data[3]!, bits: 16 as const }
      : undefined;
    // §9.2.3.24.1: an element with sequence 0 or beyond the total is ignored.
    if (c) {
      if (c.total > 0 && c.seq > 0 && c.seq <= c.total) concat ??= c;
    } else headers.push({ id, data: data.slice() });
    p += 2 + len;
  }
  return { length: udhl + 1, headers, ...(concat ? { concat } : {}) };
}

/** Reads TP-UDL and TP-UD from `b` (which starts at TP-UDL, at offset `at` of the PDU). */
export function decodeUserData(b: Uint8Array, at: number, dcs: Dcs, udhi: boolean): UserData {
  if (b.length < 1) throw new DecodeError('truncated', 'udl', at, 'no TP-UDL');
  const udl = b[0]!;
  const ud = b.subarray(1);
  if (dcs.encoding === 'gsm7') {
    if (udl > MAX_SEPTETS) throw new DecodeError('length', 'udl', at, `${udl} septets exceed ${MAX_SEPTETS}`);
    const need = septetBytes(udl);
    if (need > ud.length) throw new DecodeError('length', 'ud', at + 1, `${udl} septets need ${need} octets, ${ud.length} present`);
    const h = udhi && udl > 0 ? readHeader(ud.subarray(0, need), at + 1) : undefined;
    const skip = h ? Math.ceil((h.length * 8) / 7) : 0;
    if (skip > udl) throw new DecodeError('length', 'udh', at + 1, `header of ${h!.length} octets is longer than ${udl} septets`);
    return { encoding: 'gsm7', text: gsm7Text(unpackSeptets(ud, udl, skip)), ...headerFields(h) };
  }
  if (udl > MAX_OCTETS) throw new DecodeError('length', 'udl', at, `${udl} octets exceed ${MAX_OCTETS}`);
  if (udl > ud.length) throw new DecodeError('length', 'ud', at + 1, `${udl} octets announced, ${ud.length} present`);
  const h = udhi && udl > 0 ? readHeader(ud.subarray(0, udl), at + 1) : undefined;
  const body = ud.subarray(h?.length ?? 0, udl);
  return dcs.encoding === 'ucs2' ? { encoding: 'ucs2', text: fromUtf16be(body), ...headerFields(h) } : { encoding: '8bit', data: body.slice(), ...headerFields(h) };
}

function headerFields(h: ReturnType<typeof readHeader> | undefined): Pick<UserData, 'concat' | 'headers'> {
  if (!h) return {};
  return { ...(h.concat ? { concat: h.concat } : {}), ...(h.headers.length > 0 ? { headers: h.headers } : {}) };
}
