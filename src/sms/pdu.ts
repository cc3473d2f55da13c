/**
 * SMS TPDUs (3GPP TS 23.040 §9.2.2): SMS-SUBMIT (to the network), SMS-DELIVER (from it) and
 * SMS-STATUS-REPORT, each optionally after the SMSC address as modems store and send them.
 * Encoders and decoders return Results; nothing here throws on bad input.
 */
import { DecodeError, Reader, catchDecode, type Result } from '../wire/index.js';
import { encodeAddress, encodeSmsc, readAddress, readSmsc, type SmsAddress } from './address.js';
import { decodeDcs, decodeUserData, encodeDcs, encodeUserData, type SmsClass, type UserData } from './user-data.js';

/** A service-centre time stamp (§9.2.3.11): local time and its offset from UTC. */
export interface SmsTimestamp {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Offset from UTC in minutes (a multiple of 15). */
  offsetMinutes: number;
}

/** TP-VP: relative (rounded up to what the field can say), absolute, or enhanced (kept as is). */
export type Validity = { relativeMinutes: number } | { absolute: SmsTimestamp } | { enhanced: Uint8Array };

interface Common {
  /** The SMSC address before the TPDU; absent: none given (the modem's default). */
  smsc?: SmsAddress;
  pid: number;
  class?: SmsClass;
  userData: UserData;
}

export interface SmsSubmit extends Common {
  type: 'submit';
  /** TP-MR, 0–255. */
  reference: number;
  destination: SmsAddress;
  validity?: Validity;
  statusReportRequest: boolean;
  rejectDuplicates?: boolean;
  replyPath?: boolean;
}

export interface SmsDeliver extends Common {
  type: 'deliver';
  originator: SmsAddress;
  timestamp: SmsTimestamp;
  /** TP-MMS inverted: more messages are waiting at the SMSC. */
  moreMessages?: boolean;
  statusReportIndication?: boolean;
  replyPath?: boolean;
}

export interface SmsStatusReport {
  type: 'status-report';
  smsc?: SmsAddress;
  /** TP-MR of the SMS-SUBMIT this reports on. */
  reference: number;
  recipient: SmsAddress;
  timestamp: SmsTimestamp;
  discharge: SmsTimestamp;
  /** TP-ST: 0x00 received by the recipient, 0x20–0x3f trying, 0x40+ failed. */
  status: number;
}

export type SmsPdu = SmsSubmit | SmsDeliver | SmsStatusReport;

const swapped = (n: number): number => ((n % 10) << 4) | Math.floor(n / 10) % 10;

function writeTimestamp(t: SmsTimestamp): number[] {
  const q = Math.round(Math.abs(t.offsetMinutes) / 15);
  const tz = ((q % 10) << 4) | (Math.floor(q / 10) & 7) | (t.offsetMinutes < 0 ? 0x08 : 0);
  return [swapped(t.year % 100), swapped(t.month), swapped(t.day), swapped(t.hour), swapped(t.minute), swapped(t.second), tz];
}

function readTimestamp(r: Reader, field: string): SmsTimestamp {
  const at = r.pos;
  const b = r.bytesView(7);
  const d = (i: number): number => {
    const lo = b[i]! & 0xf;
    const hi = b[i]! >> 4;
    if (lo > 9 || hi > 9) throw new DecodeError('invalid', field, at + i, `0x${b[i]!.toString(16)} is not two decimal digits`);
    return lo * 10 + hi;
  };
  const tz = b[6]!;
  const quarters = (tz & 7) * 10 + (tz >> 4);
  if (tz >> 4 > 9) throw new DecodeError('invalid', field, at + 6, 'time zone is not decimal');
  const t = { year: 2000 + d(0), month: d(1), day: d(2), hour: d(3), minute: d(4), second: d(5), offsetMinutes: (tz & 0x08 ? -quarters : quarters) * 15 };
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 59) {
    throw new DecodeError('invalid', field, at, 'not a calendar time');
  }
  return t;
}

/** A Date as a time stamp in the given offset from UTC. */
export function timestampOf(date: Date, offsetMinutes = 0): SmsTimestamp {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    offsetMinutes,
  };
}

/** ISO 8601 with the offset, e.g. `2026-12-04T05:34:03+01:00` (as ModemManager shows time stamps). */
export function timestampIso(t: SmsTimestamp): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const off = Math.abs(t.offsetMinutes);
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}${t.offsetMinutes < 0 ? '-' : '+'}${p(Math.floor(off / 60))}:${p(off % 60)}`;
}

/** Minutes → the relative TP-VP octet (§9.2.3.12.1), rounding up; 63 weeks at most. */
export function relativeValidity(minutes: number): number {
  if (minutes <= 12 * 60) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 24 * 60) return 143 + Math.ceil((minutes - 12 * 60) / 30);
  if (minutes <= 30 * 24 * 60) return 166 + Math.ceil(minutes / (24 * 60));
  return Math.min(255, 192 + Math.ceil(minutes / (7 * 24 * 60)));
}

export function relativeValidityMinutes(vp: number): number {
  if (vp <= 143) return (vp + 1) * 5;
  if (vp <= 167) return 12 * 60 + (vp - 143) * 30;
  if (vp <= 196) return (vp - 166) * 24 * 60;
  return (vp - 192) * 7 * 24 * 60;
}

export interface PduOptions {
  /** The bytes start with the SMSC address (as QMI, MBIM and AT+CMGS carry them). Default true. */
  smsc?: boolean;
}

function encode(p: SmsPdu, withSmsc: boolean): Uint8Array {
  const out: number[] = withSmsc ? encodeSmsc(p.smsc) : [];
  if (p.type === 'status-report') {
    out.push(0x02, p.reference & 0xff, ...encodeAddress(p.recipient), ...writeTimestamp(p.timestamp), ...writeTimestamp(p.discharge), p.status & 0xff);
    return Uint8Array.from(out);
  }
  const ud = encodeUserData(p.userData);
  const dcs = encodeDcs({ encoding: p.userData.encoding, ...(p.class !== undefined ? { class: p.class } : {}) });
  if (p.type === 'submit') {
    const v = p.validity;
    const vpf = !v ? 0 : 'relativeMinutes' in v ? 2 : 'absolute' in v ? 3 : 1;
    out.push(0x01 | (p.rejectDuplicates ? 0x04 : 0) | (vpf << 3) | (p.statusReportRequest ? 0x20 : 0) | (ud.udhi ? 0x40 : 0) | (p.replyPath ? 0x80 : 0));
    out.push(p.reference & 0xff, ...encodeAddress(p.destination), p.pid & 0xff, dcs);
    if (v && 'relativeMinutes' in v) out.push(relativeValidity(v.relativeMinutes));
    else if (v && 'absolute' in v) out.push(...writeTimestamp(v.absolute));
    else if (v) {
      if (v.enhanced.length !== 7) throw new DecodeError('invalid', 'validity', out.length, 'an enhanced validity period is 7 octets');
      out.push(...v.enhanced);
    }
  } else {
    out.push(0x00 | (p.moreMessages ? 0 : 0x04) | (p.statusReportIndication ? 0x20 : 0) | (ud.udhi ? 0x40 : 0) | (p.replyPath ? 0x80 : 0));
    out.push(...encodeAddress(p.originator), p.pid & 0xff, dcs, ...writeTimestamp(p.timestamp));
  }
  out.push(...ud.bytes);
  return Uint8Array.from(out);
}

/** The PDU's bytes, or why it cannot be encoded (text too long, a character GSM 7-bit lacks…). */
export const encodePdu = (p: SmsPdu, options: PduOptions = {}): Result<Uint8Array> => catchDecode(() => encode(p, options.smsc ?? true));

function decode(bytes: Uint8Array, withSmsc: boolean): SmsPdu {
  const r = new Reader(bytes);
  r.field = 'smsc';
  const smsc = withSmsc ? readSmsc(r) : undefined;
  const base = smsc ? { smsc } : {};
  r.field = 'first octet';
  const first = r.u8();
  const mti = first & 3;
  const udhi = (first & 0x40) !== 0;
  if (mti === 0) {
    r.field = 'originator';
    const originator = readAddress(r);
    r.field = 'pid';
    const pid = r.u8();
    r.field = 'dcs';
    const dcs = decodeDcs(r.u8(), r.pos - 1);
    const timestamp = readTimestamp(r, 'scts');
    const userData = decodeUserData(bytes.subarray(r.pos), r.pos, dcs, udhi);
    return {
      type: 'deliver', ...base, originator, pid, ...(dcs.class !== undefined ? { class: dcs.class } : {}), timestamp, userData,
      moreMessages: (first & 0x04) === 0, statusReportIndication: (first & 0x20) !== 0, replyPath: (first & 0x80) !== 0,
    };
  }
  if (mti === 1) {
    r.field = 'reference';
    const reference = r.u8();
    r.field = 'destination';
    const destination = readAddress(r);
    r.field = 'pid';
    const pid = r.u8();
    r.field = 'dcs';
    const dcs = decodeDcs(r.u8(), r.pos - 1);
    const vpf = (first >> 3) & 3;
    r.field = 'validity';
    const validity: Validity | undefined =
      vpf === 2 ? { relativeMinutes: relativeValidityMinutes(r.u8()) } : vpf === 3 ? { absolute: readTimestamp(r, 'validity') } : vpf === 1 ? { enhanced: r.bytesView(7).slice() } : undefined;
    const userData = decodeUserData(bytes.subarray(r.pos), r.pos, dcs, udhi);
    return {
      type: 'submit', ...base, reference, destination, pid, ...(dcs.class !== undefined ? { class: dcs.class } : {}), ...(validity ? { validity } : {}), userData,
      statusReportRequest: (first & 0x20) !== 0, rejectDuplicates: (first & 0x04) !== 0, replyPath: (first & 0x80) !== 0,
    };
  }
  if (mti === 2) {
    r.field = 'reference';
    const reference = r.u8();
    r.field = 'recipient';
    const recipient = readAddress(r);
    const timestamp = readTimestamp(r, 'scts');
    const discharge = readTimestamp(r, 'discharge');
    r.field = 'status';
    return { type: 'status-report', ...base, reference, recipient, timestamp, discharge, status: r.u8() };
  }
  throw new DecodeError('invalid', 'first octet', r.pos - 1, 'message type indicator 3 is reserved');
}

/** Decodes an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT; bad bytes give a DecodeError naming the field. */
export const decodePdu = (bytes: Uint8Array, options: PduOptions = {}): Result<SmsPdu> => catchDecode(() => decode(bytes, options.smsc ?? true));
