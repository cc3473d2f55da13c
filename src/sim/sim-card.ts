/**
 * A simulated SIM card: its PIN locks, files, logical channels and APDUs. A plain UICC carries a USIM;
 * an eUICC also carries an ISD-R (GSMA SGP.22) that answers the EID request and lists its profiles.
 * Status words follow ETSI TS 102 221 / ISO 7816-4 so front-ends pass them on unchanged.
 */
import { bcdPlmn, plmnOfBcd } from '../qmi/bcd.js';
import { ISD_R_AID } from '../wire/apdu.js';
import { sameBytes } from '../wire/bytes.js';

export type SimLockId = 'pin1' | 'pin2';
export type SimLockState = 'disabled' | 'enabled-not-verified' | 'enabled-verified' | 'blocked' | 'permanently-blocked';
export type SimCardKind = 'uicc' | 'euicc';

/** Why a lock operation did what it did: front-ends map this to their own error codes. */
export type LockOutcome = 'ok' | 'incorrect' | 'blocked' | 'permanently-blocked' | 'not-blocked' | 'no-effect' | 'disabled' | 'bad-code';

export interface LockResult {
  outcome: LockOutcome;
  /** Verify attempts left. */
  retries: number;
  /** Unblock attempts left. */
  unblockRetries: number;
}

export const PIN_RETRIES = 3;
export const PUK_RETRIES = 10;

/** A PIN and its PUK (TS 102 221 9.5): three wrong PINs block it, ten wrong PUKs block it for good. */
export class CodeLock {
  retries = PIN_RETRIES;
  unblockRetries = PUK_RETRIES;
  verified = false;

  constructor(
    private code: string,
    private readonly puk: string,
    public enabled: boolean,
  ) {}

  get state(): SimLockState {
    if (this.unblockRetries === 0) return 'permanently-blocked';
    if (this.retries === 0) return 'blocked';
    if (!this.enabled) return 'disabled';
    return this.verified ? 'enabled-verified' : 'enabled-not-verified';
  }

  private result(outcome: LockOutcome): LockResult {
    return { outcome, retries: this.retries, unblockRetries: this.unblockRetries };
  }

  /** A wrong code costs a retry; the last one blocks. */
  private check(code: string): boolean {
    if (code === this.code) {
      this.retries = PIN_RETRIES;
      this.verified = true;
      return true;
    }
    this.retries = Math.max(0, this.retries - 1);
    return false;
  }

  private blockedOutcome(): LockOutcome | undefined {
    const s = this.state;
    return s === 'blocked' || s === 'permanently-blocked' ? s : undefined;
  }

  verify(code: string): LockResult {
    const blocked = this.blockedOutcome();
    if (blocked) return this.result(blocked);
    if (!validPin(code)) return this.result('bad-code');
    return this.result(this.check(code) ? 'ok' : this.retries === 0 ? 'blocked' : 'incorrect');
  }

  unblock(puk: string, newCode: string): LockResult {
    if (this.state === 'permanently-blocked') return this.result('permanently-blocked');
    // Modems take the PUK only for a blocked PIN (as +CPIN asks for it only then).
    if (this.state !== 'blocked') return this.result('not-blocked');
    if (!validPin(newCode) || !/^\d{8}$/.test(puk)) return this.result('bad-code');
    if (puk !== this.puk) {
      this.unblockRetries--;
      return this.result(this.unblockRetries === 0 ? 'permanently-blocked' : 'incorrect');
    }
    // Unblocking also enables the PIN (TS 102 221 11.1.13).
    this.code = newCode;
    this.retries = PIN_RETRIES;
    this.unblockRetries = PUK_RETRIES;
    this.enabled = true;
    this.verified = true;
    return this.result('ok');
  }

  change(oldCode: string, newCode: string): LockResult {
    const blocked = this.blockedOutcome();
    if (blocked) return this.result(blocked);
    if (!this.enabled) return this.result('disabled');
    if (!validPin(oldCode) || !validPin(newCode)) return this.result('bad-code');
    if (!this.check(oldCode)) return this.result(this.retries === 0 ? 'blocked' : 'incorrect');
    this.code = newCode;
    return this.result('ok');
  }

  /** Enables or disables the PIN, which takes the current PIN. */
  setEnabled(enabled: boolean, code: string): LockResult {
    const blocked = this.blockedOutcome();
    if (blocked) return this.result(blocked);
    if (!validPin(code)) return this.result('bad-code');
    if (!this.check(code)) return this.result(this.retries === 0 ? 'blocked' : 'incorrect');
    if (this.enabled === enabled) return this.result('no-effect');
    this.enabled = enabled;
    return this.result('ok');
  }

  /** A card power cycle forgets the verification. */
  powerCycle(): void {
    this.verified = false;
  }
}

/** PINs are 4 to 8 digits (TS 102 221 9.5.1). */
const validPin = (code: string): boolean => /^\d{4,8}$/.test(code);

export type FileStructure = 'transparent' | 'linear-fixed';

export interface SimFile {
  structure: FileStructure;
  /** Transparent: the bytes. Linear fixed: the records, all of `recordSize`. */
  data: Uint8Array;
  recordSize?: number;
  /** Readable only once PIN1 is verified or disabled. */
  needsPin: boolean;
}

/** The status words and data of a card command. */
export interface CardResult {
  sw1: number;
  sw2: number;
  data: Uint8Array;
}

export interface FileAttributes {
  structure: FileStructure;
  size: number;
  recordSize: number;
  recordCount: number;
  readNeedsPin: boolean;
}

export interface ProfileInfo {
  iccid: string;
  name: string;
  serviceProvider: string;
  enabled: boolean;
}

export interface SimCardConfig {
  kind: SimCardKind;
  iccid: string;
  imsi: string;
  msisdn: string;
  spn: string;
  /** How many of the IMSI's digits after the MCC are the MNC (EF_AD). */
  mncLength: 2 | 3;
  pin: string;
  puk: string;
  pin2: string;
  puk2: string;
  pinEnabled: boolean;
  /** The emergency numbers in EF_ECC (default 112 and 911). */
  emergencyNumbers?: string[];
  /** eUICC only. */
  eid?: string;
  profiles?: ProfileInfo[];
}

/** 3GPP's USIM AID (RID A000000087, application code 1002, then the operator's bytes). */
const DEFAULT_EMERGENCY_NUMBERS = ['112', '911'];
/** EF_ECC's records (TS 31.102 4.2.21): 3 bytes of swapped BCD padded with F, an empty alpha identifier (8 bytes), the service category. */
const ECC_RECORD = 12;
function eccRecord(number: string): Uint8Array {
  const digits = number.slice(0, 6).padEnd(6, 'f');
  const bcd = [0, 2, 4].map((i) => parseInt(digits[i + 1]! + digits[i]!, 16));
  return Uint8Array.from([...bcd, ...new Array<number>(8).fill(0xff), 0x00]);
}

export const USIM_AID = Uint8Array.from(Buffer.from('a0000000871002ff49ff0589', 'hex'));
export { ISD_R_AID };
/** ETSI TS 102 221 allows channels 1..19 beside the basic channel 0. */
export const MAX_LOGICAL_CHANNEL = 19;

const sw = (sw1: number, sw2: number, data: Uint8Array = new Uint8Array(0)): CardResult => ({ sw1, sw2, data });
const OK = (data?: Uint8Array): CardResult => sw(0x90, 0x00, data);

/** Digits as UICC BCD: low nibble first, padded with F (ICCID, IMSI, MSISDN). */
export function swappedBcd(digits: string): Uint8Array {
  const d = digits.length % 2 ? `${digits}f` : digits;
  return Uint8Array.from({ length: d.length / 2 }, (_, i) => parseInt(d[2 * i + 1]! + d[2 * i]!, 16));
}

/** A BER-TLV with a one- or two-byte tag and a short or 0x81/0x82 length. */
function tlv(tag: number, value: Uint8Array | number[]): Uint8Array {
  const v = Uint8Array.from(value);
  const tagBytes = tag > 0xff ? [tag >> 8, tag & 0xff] : [tag];
  const len = v.length < 0x80 ? [v.length] : v.length < 0x100 ? [0x81, v.length] : [0x82, v.length >> 8, v.length & 0xff];
  return Uint8Array.from([...tagBytes, ...len, ...v]);
}
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));

/** EF_MSISDN record (TS 31.102 4.2.26, TS 51.011 10.5.5): alpha id, then the dialling number. */
function msisdnRecord(msisdn: string): Uint8Array {
  const digits = msisdn.replace(/^\+/, '');
  const number = swappedBcd(digits);
  const body = new Uint8Array(14).fill(0xff);
  body[0] = number.length + 1;
  body[1] = msisdn.startsWith('+') ? 0x91 : 0x81;
  body.set(number.subarray(0, 10), 2);
  return concat(Uint8Array.of(...ascii('Own'), 0xff), body);
}

/** A user-controlled PLMN selector entry (EF_PLMNwAcT, TS 31.102 4.2.5): the PLMN and its access technology bits. */
export interface PreferredNetwork {
  mcc: string;
  mnc: string;
  /** UTRAN 0x8000, E-UTRAN 0x4000, NG-RAN 0x0800, GSM 0x0080, GSM COMPACT 0x0040. */
  accessTechnology: number;
}

const PLMN_WACT = '3f00/7fff/6f60';
/** Entries EF_PLMNwAcT has room for (5 bytes each). */
export const PREFERRED_NETWORK_ENTRIES = 8;

/** Channel state: the application selected on it and the selected file's path. */
interface Channel {
  aid?: Uint8Array;
  file?: string;
}

export class SimCard {
  readonly kind: SimCardKind;
  readonly pin1: CodeLock;
  readonly pin2: CodeLock;
  readonly iccid: string;
  readonly imsi: string;
  readonly msisdn: string;
  readonly eid: string | undefined;
  readonly profiles: ProfileInfo[];
  powered = true;
  /** Open logical channels (0, the basic channel, is always open). */
  private readonly channels = new Map<number, Channel>([[0, {}]]);
  private readonly files: Map<string, SimFile>;

  constructor(config: SimCardConfig) {
    this.kind = config.kind;
    this.iccid = config.iccid;
    this.imsi = config.imsi;
    this.msisdn = config.msisdn;
    this.pin1 = new CodeLock(config.pin, config.puk, config.pinEnabled);
    this.pin2 = new CodeLock(config.pin2, config.puk2, true);
    this.eid = config.kind === 'euicc' ? config.eid : undefined;
    this.profiles = config.kind === 'euicc' ? (config.profiles ?? []) : [];
    const imsiBody = swappedBcd(`${config.imsi.length % 2 ? 9 : 1}${config.imsi}`);
    const spn = new Uint8Array(17).fill(0xff);
    spn[0] = 0x01;
    spn.set(ascii(config.spn).subarray(0, 16), 1);
    this.files = new Map<string, SimFile>([
      ['3f00/2fe2', { structure: 'transparent', data: swappedBcd(config.iccid), needsPin: false }],
      ['3f00/7fff/6f07', { structure: 'transparent', data: Uint8Array.of(imsiBody.length, ...imsiBody), needsPin: true }],
      ['3f00/7fff/6fad', { structure: 'transparent', data: Uint8Array.of(0x00, 0x00, 0x00, config.mncLength), needsPin: false }],
      ['3f00/7fff/6f46', { structure: 'transparent', data: spn, needsPin: false }],
      ['3f00/7fff/6f3e', { structure: 'transparent', data: new Uint8Array(8).fill(0xff), needsPin: true }],
      ['3f00/7fff/6f3f', { structure: 'transparent', data: new Uint8Array(8).fill(0xff), needsPin: true }],
      ['3f00/7fff/6f40', { structure: 'linear-fixed', data: concat(msisdnRecord(config.msisdn), new Uint8Array(18).fill(0xff)), recordSize: 18, needsPin: true }],
      ['3f00/7fff/6fb7', { structure: 'linear-fixed', data: concat(...(config.emergencyNumbers ?? DEFAULT_EMERGENCY_NUMBERS).map(eccRecord)), recordSize: ECC_RECORD, needsPin: false }],
      [PLMN_WACT, { structure: 'transparent', data: new Uint8Array(5 * PREFERRED_NETWORK_ENTRIES).fill(0xff), needsPin: true }],
    ]);
    // Provisioned with the home network on every access technology.
    const home = { mcc: config.imsi.slice(0, 3), mnc: config.imsi.slice(3, 3 + config.mncLength) };
    this.setPreferredNetworks([{ ...home, accessTechnology: 0x8000 | 0x4000 | 0x0800 | 0x0080 }]);
  }

  /** EF_PLMNwAcT's entries in order, unused ones (FFFFFF) left out. */
  preferredNetworks(): PreferredNetwork[] {
    const data = this.files.get(PLMN_WACT)!.data;
    const out: PreferredNetwork[] = [];
    for (let i = 0; i + 5 <= data.length; i += 5) {
      const plmn = plmnOfBcd([...data.subarray(i, i + 3)]);
      if (plmn) out.push({ ...plmn, accessTechnology: (data[i + 3]! << 8) | data[i + 4]! });
    }
    return out;
  }

  /** Rewrites EF_PLMNwAcT; false (and nothing written) when the list does not fit. */
  setPreferredNetworks(list: readonly PreferredNetwork[]): boolean {
    const file = this.files.get(PLMN_WACT)!;
    if (list.length > file.data.length / 5) return false;
    const data = new Uint8Array(file.data.length).fill(0xff);
    list.forEach((e, i) => data.set([...bcdPlmn(e.mcc, e.mnc), e.accessTechnology >> 8, e.accessTechnology & 0xff], i * 5));
    file.data = data;
    return true;
  }

  lock(id: SimLockId): CodeLock {
    return id === 'pin1' ? this.pin1 : this.pin2;
  }

  /** Whether PIN1 lets the card's protected files be read. */
  get unlocked(): boolean {
    return this.pin1.state === 'disabled' || this.pin1.state === 'enabled-verified';
  }

  /** Power off, power on or reset: channels close and PINs must be verified again. */
  setPower(on: boolean): void {
    this.powered = on;
    this.pin1.powerCycle();
    this.pin2.powerCycle();
    for (const ch of [...this.channels.keys()]) if (ch !== 0) this.channels.delete(ch);
    this.channels.set(0, {});
  }

  /** The file at a path such as `3f00/7fff/6f07` (case-insensitive; `7fff` is the selected USIM's ADF). */
  private file(path: string): SimFile | CardResult {
    if (!this.powered) return sw(0x6f, 0x00);
    const f = this.files.get(path.toLowerCase());
    if (!f) return sw(0x6a, 0x82);
    if (f.needsPin && !this.unlocked) return sw(0x69, 0x82);
    return f;
  }

  fileAttributes(path: string): FileAttributes | CardResult {
    const f = this.file(path);
    if (!('structure' in f)) return f;
    const recordSize = f.recordSize ?? 0;
    return { structure: f.structure, size: f.data.length, recordSize, recordCount: recordSize ? f.data.length / recordSize : 0, readNeedsPin: f.needsPin };
  }

  /** READ BINARY: `length` 0 reads the rest; 6B00 past the end, 6Cxx (the right length) for too many. */
  readBinary(path: string, offset: number, length: number): CardResult {
    const f = this.file(path);
    if (!('structure' in f)) return f;
    if (f.structure !== 'transparent') return sw(0x69, 0x81);
    if (offset > f.data.length) return sw(0x6b, 0x00);
    const size = length === 0 ? f.data.length - offset : length;
    if (offset + size > f.data.length) return sw(0x6c, Math.min(0xff, f.data.length - offset));
    return OK(f.data.slice(offset, offset + size));
  }

  /** READ RECORD (1-based); 6A83 for a record that does not exist, 6Cxx for a wrong length. */
  readRecord(path: string, record: number, length: number): CardResult {
    const f = this.file(path);
    if (!('structure' in f)) return f;
    if (f.structure !== 'linear-fixed' || !f.recordSize) return sw(0x69, 0x81);
    const count = f.data.length / f.recordSize;
    if (record < 1 || record > count) return sw(0x6a, 0x83);
    if (length !== 0 && length !== f.recordSize) return sw(0x6c, f.recordSize);
    return OK(f.data.slice((record - 1) * f.recordSize, record * f.recordSize));
  }

  /** The applications the card holds, by AID: the USIM, and the ISD-R on an eUICC. */
  private knows(aid: Uint8Array): boolean {
    // A SELECT by DF name may give a right-truncated AID (ISO 7816-4 partial selection).
    const prefixOf = (full: Uint8Array): boolean => aid.length >= 5 && aid.length <= full.length && sameBytes(aid, full.subarray(0, aid.length));
    return prefixOf(USIM_AID) || (this.kind === 'euicc' && prefixOf(ISD_R_AID));
  }

  /** Opens a logical channel with an application selected on it (QMI/MBIM "open logical channel"). */
  openChannel(aid: Uint8Array): { channel: number; select: CardResult } | CardResult {
    if (!this.powered) return sw(0x6f, 0x00);
    if (!this.knows(aid)) return sw(0x6a, 0x82);
    const free = Array.from({ length: MAX_LOGICAL_CHANNEL }, (_, i) => i + 1).find((c) => !this.channels.has(c));
    if (free === undefined) return sw(0x6a, 0x81);
    this.channels.set(free, { aid });
    return { channel: free, select: OK(this.fci(aid)) };
  }

  closeChannel(channel: number): CardResult {
    if (channel === 0 || !this.channels.delete(channel)) return sw(0x68, 0x81);
    return OK();
  }

  get openChannels(): number[] {
    return [...this.channels.keys()].filter((c) => c !== 0);
  }

  /** A minimal FCP for a selected application: its DF name. */
  private fci(aid: Uint8Array): Uint8Array {
    return tlv(0x6f, concat(tlv(0x82, [0x78, 0x21]), tlv(0x84, aid)));
  }

  /**
   * One command APDU (ISO 7816-4 cases 1-4, short lengths), answered with data and status words.
   * The channel comes from the class byte; a wrong length gives 6700, an unknown class 6E00,
   * an unknown instruction 6D00, a channel that is not open 6881.
   */
  transmit(apdu: Uint8Array): Uint8Array {
    const r = this.command(apdu);
    return Uint8Array.from([...r.data, r.sw1, r.sw2]);
  }

  private command(apdu: Uint8Array): CardResult {
    if (!this.powered) return sw(0x6f, 0x00);
    if (apdu.length < 4) return sw(0x67, 0x00);
    const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
    // First interindustry classes (0x0X, 0x8X, 0xAX: channels 0-3) and further ones (0x4X, 0xCX, 0xEX: 4-19).
    const group = cla & 0xf0;
    let channel: number;
    if (group === 0x00 || group === 0x80 || group === 0xa0) channel = cla & 0x03;
    else if (group === 0x40 || group === 0xc0 || group === 0xe0) channel = 4 + (cla & 0x0f);
    else return sw(0x6e, 0x00);
    let data: Uint8Array = new Uint8Array(0);
    let le: number | undefined;
    if (apdu.length === 5) le = apdu[4]!;
    else if (apdu.length > 5) {
      const lc = apdu[4]!;
      if (lc === 0 || (apdu.length !== 5 + lc && apdu.length !== 6 + lc)) return sw(0x67, 0x00);
      data = apdu.subarray(5, 5 + lc);
      if (apdu.length === 6 + lc) le = apdu[5 + lc]!;
    }
    const ch = this.channels.get(channel);
    if (!ch) return sw(0x68, 0x81);
    switch (ins) {
      case 0x70: // MANAGE CHANNEL: P1 00 opens (the card picks the number), P1 80 closes P2.
        if (p1 === 0x00 && p2 === 0x00) {
          const free = Array.from({ length: MAX_LOGICAL_CHANNEL }, (_, i) => i + 1).find((c) => !this.channels.has(c));
          if (free === undefined) return sw(0x6a, 0x81);
          this.channels.set(free, {});
          return OK(Uint8Array.of(free));
        }
        if (p1 === 0x80) return this.closeChannel(p2);
        return sw(0x6a, 0x86);
      case 0xa4: // SELECT
        if (p1 === 0x04) {
          if (!this.knows(data)) return sw(0x6a, 0x82);
          ch.aid = Uint8Array.from(data);
          ch.file = undefined;
          return OK(this.fci(data));
        }
        if (p1 === 0x00 || p1 === 0x08 || p1 === 0x09) {
          if (data.length !== 2 && p1 === 0x00) return sw(0x67, 0x00);
          const id = Buffer.from(data).toString('hex');
          const path = [...this.files.keys()].find((k) => k.endsWith(`/${id}`) || k === id);
          if (!path) return sw(0x6a, 0x82);
          ch.file = path;
          return OK();
        }
        return sw(0x6a, 0x86);
      case 0xb0: // READ BINARY of the selected file
        if (!ch.file) return sw(0x69, 0x86);
        return this.readBinary(ch.file, (p1 << 8) | p2, le ?? 0);
      case 0xb2: // READ RECORD, P2 04: record P1 of the selected file
        if (!ch.file) return sw(0x69, 0x86);
        if (p2 !== 0x04) return sw(0x6a, 0x86);
        return this.readRecord(ch.file, p1, le ?? 0);
      case 0xca: // GET DATA; on the ISD-R, BF3E is the EID
        if (p1 === 0xbf && p2 === 0x3e) return this.onIsdR(ch) ? OK(this.eidResponse()) : sw(0x6a, 0x88);
        return sw(0x6a, 0x88);
      case 0xe2: // STORE DATA: the ES10 requests on the ISD-R (SGP.22 5.7)
        if (!this.onIsdR(ch)) return sw(0x69, 0x85);
        return this.es10(data);
      default:
        return sw(0x6d, 0x00);
    }
  }

  private onIsdR(ch: Channel): boolean {
    return this.kind === 'euicc' && ch.aid !== undefined && sameBytes(ch.aid, ISD_R_AID);
  }

  /** GetEuiccDataResponse: BF3E { 5A EID }. */
  private eidResponse(): Uint8Array {
    return tlv(0xbf3e, tlv(0x5a, Buffer.from(this.eid ?? '', 'hex')));
  }

  /** ES10 requests by their outer tag: BF3E (EID) and BF2D (profiles); others are not supported. */
  private es10(data: Uint8Array): CardResult {
    if (data.length < 3) return sw(0x67, 0x00);
    const tag = (data[0]! << 8) | data[1]!;
    if (tag === 0xbf3e) return OK(this.eidResponse());
    if (tag === 0xbf2d) {
      const infos = this.profiles.map((p) =>
        tlv(0xe3, concat(
          tlv(0x5a, swappedBcd(p.iccid)),
          tlv(0x9f70, [p.enabled ? 1 : 0]),
          tlv(0x91, ascii(p.serviceProvider)),
          tlv(0x92, ascii(p.name)),
          tlv(0x95, [2]), // operational
        )),
      );
      return OK(tlv(0xbf2d, tlv(0xa0, concat(...infos))));
    }
    return sw(0x6a, 0x88);
  }
}
