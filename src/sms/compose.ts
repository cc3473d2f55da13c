/**
 * Splitting a message into the parts one SMS can carry (3GPP TS 23.040 §9.2.3.24.1): one part holds
 * 160 septets, 70 UCS-2 units or 140 octets; parts of a concatenated message lose 7 septets or 6
 * octets to the header (153 / 67 / 134 with an 8-bit reference; one fewer octet with a 16-bit one).
 * A GSM escape pair and a UTF-16 surrogate pair are never cut in two.
 */
import { DecodeError, catchDecode, type Result } from '../wire/index.js';
import { ESC, gsm7Septets, gsm7Text } from './gsm7.js';
import { encodePdu, type SmsSubmit, type Validity } from './pdu.js';
import type { SmsAddress } from './address.js';
import type { SmsClass, SmsEncoding, UserData } from './user-data.js';

export type Content = { text: string; encoding?: 'auto' | 'gsm7' | 'ucs2' } | { data: Uint8Array };

export const MAX_PARTS = 255;

/** GSM 7-bit when every character has a code there, else UCS-2. */
export function chooseEncoding(text: string): 'gsm7' | 'ucs2' {
  return gsm7Septets(text) ? 'gsm7' : 'ucs2';
}

function cut<T>(units: readonly T[], size: number, joined: (i: number) => boolean): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < units.length; ) {
    let end = Math.min(units.length, i + size);
    // Never split an escape from its character or a surrogate pair.
    if (end < units.length && joined(end)) end--;
    parts.push(units.slice(i, end));
    i = end;
  }
  return parts.length > 0 ? parts : [[]];
}

/**
 * The user data of each part. `ref` is the concatenation reference (8-bit unless above 255 or
 * `bits` says 16).
 */
export function splitContent(content: Content, ref: number, bits: 8 | 16 = ref > 0xff ? 16 : 8): Result<UserData[]> {
  return catchDecode(() => {
    const extra = bits === 16 ? 1 : 0;
    let encoding: SmsEncoding;
    let chunks: { text?: string; data?: Uint8Array }[];
    if ('data' in content) {
      encoding = '8bit';
      const d = content.data;
      const parts = d.length <= 140 ? [d] : Array.from({ length: Math.ceil(d.length / (134 - extra)) }, (_, i) => d.subarray(i * (134 - extra), (i + 1) * (134 - extra)));
      chunks = parts.map((data) => ({ data }));
    } else {
      const want = content.encoding ?? 'auto';
      encoding = want === 'auto' ? chooseEncoding(content.text) : want;
      if (encoding === 'gsm7') {
        const septets = gsm7Septets(content.text);
        if (!septets) throw new DecodeError('invalid', 'text', 0, 'the text has characters the GSM 7-bit alphabet lacks');
        const parts = septets.length <= 160 ? [septets] : cut(septets, 153 - extra, (i) => septets[i - 1] === ESC && (i < 2 || septets[i - 2] !== ESC));
        chunks = parts.map((s) => ({ text: gsm7Text(s) }));
      } else {
        const units = [...Array(content.text.length).keys()].map((i) => content.text[i]!);
        const isHigh = (i: number): boolean => {
          const c = content.text.charCodeAt(i - 1);
          return c >= 0xd800 && c <= 0xdbff;
        };
        const parts = units.length <= 70 ? [units] : cut(units, 67 - extra, isHigh);
        chunks = parts.map((u) => ({ text: u.join('') }));
      }
    }
    if (chunks.length > MAX_PARTS) throw new DecodeError('invalid', 'text', 0, `${chunks.length} parts exceed ${MAX_PARTS}`);
    return chunks.map((c, i) => ({
      encoding,
      ...c,
      ...(chunks.length > 1 ? { concat: { ref: ref & (bits === 16 ? 0xffff : 0xff), total: chunks.length, seq: i + 1, bits } } : {}),
    }));
  });
}

export interface SubmitOptions {
  destination: SmsAddress;
  content: Content;
  /** Concatenation reference for a multipart message. */
  ref: number;
  /** TP-MR of the first part; later parts count up. */
  reference?: number;
  smsc?: SmsAddress;
  statusReportRequest?: boolean;
  validity?: Validity;
  class?: SmsClass;
}

/** The SMS-SUBMIT PDUs (with SMSC address) of a message, ready to send. */
export function submitPdus(o: SubmitOptions): Result<Uint8Array[]> {
  const parts = splitContent(o.content, o.ref);
  if (!parts.ok) return parts;
  const out: Uint8Array[] = [];
  for (const [i, userData] of parts.value.entries()) {
    const pdu: SmsSubmit = {
      type: 'submit',
      reference: ((o.reference ?? 0) + i) & 0xff,
      destination: o.destination,
      pid: 0,
      userData,
      statusReportRequest: o.statusReportRequest ?? false,
      ...(o.smsc ? { smsc: o.smsc } : {}),
      ...(o.validity ? { validity: o.validity } : {}),
      ...(o.class !== undefined ? { class: o.class } : {}),
    };
    const bytes = encodePdu(pdu);
    if (!bytes.ok) return bytes;
    out.push(bytes.value);
  }
  return { ok: true, value: out };
}
