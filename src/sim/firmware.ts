/**
 * The simulated modem's firmware model, protocol-agnostic: identity, SIM slots and PINs, operating mode,
 * the radio network and registration, signal, data format and PDN sessions. The QMI and MBIM front-ends
 * read and drive it; it raises events when state changes so they can send the indications a real modem sends.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../mux/framing.js';
import { RadioNetwork, defaultOperators, type NetworkOperator, type NetworkSelection, type RadioPreferences, type Registration, type ScanResult } from './radio-network.js';
import { Random, luhnDigit } from './random.js';
import { SimCard, type LockResult, type SimLockId } from './sim-card.js';
import { SimSms, type SmsStorage } from './sms.js';
import { Personalization, type PersonalizationLock } from './personalization.js';

export type OperatingMode = 'online' | 'low-power' | 'offline' | 'reset';
/** The active slot's card as the modem sees it; `blocked` is a PUK blocked for good. */
export type SimState = 'ready' | 'pin-required' | 'puk-required' | 'blocked' | 'absent';
export type RegistrationState = 'home' | 'roaming' | 'searching' | 'denied' | 'idle';
export type Rat = 'lte' | '5gnr' | 'umts' | 'gsm';
export type IpFamily = 'ipv4' | 'ipv6' | 'ipv4v6';

export interface Identity {
  manufacturer: string;
  model: string;
  revision: string;
  hardwareRevision: string;
  imei: string;
  imeiSv: string;
  imsi: string;
  iccid: string;
  msisdn: string;
}

export interface Operator {
  mcc: string;
  mnc: string;
  name: string;
}

/** The bands the radio has: GSM by MHz, UTRA and E-UTRA by 3GPP band number. */
export interface Bands {
  gsm: (850 | 900 | 1800 | 1900)[];
  utra: number[];
  eutra: number[];
}

export interface ApnPolicy {
  name: string;
  /** Allowed IP families; a request for another is refused. */
  families: IpFamily[];
  /** Whether the network allows a second PDN to this APN at the same time. */
  allowMultiple?: boolean;
}

export interface FirmwareConfig {
  seed?: number;
  /** SIM lock features and their control keys (default: none, an unlocked modem). */
  personalization?: PersonalizationLock[];
  identity?: Partial<Identity>;
  operator?: Operator;
  rat?: Rat;
  bands?: Bands;
  roaming?: boolean;
  /** PIN1 code (default 1234); with `pinLocked` PIN1 is enabled and the SIM starts locked. */
  pin?: string;
  /** Defaults: PUK 12345678, PIN2 4321, PUK2 87654321. */
  puk?: string;
  pin2?: string;
  puk2?: string;
  pinLocked?: boolean;
  /** Slot 1 is empty. */
  simAbsent?: boolean;
  /** The network's operators (default: the home operator, two others and a forbidden one). */
  operators?: NetworkOperator[];
  /** How long a network scan takes on `clock` (default 20 s). */
  scanMs?: number;
  clock?: Clock;
  apns?: ApnPolicy[];
  /** How many data sessions may be up at once. */
  maxSessions?: number;
  /** IPv4 /16 base for session addresses, e.g. `10.64`. */
  ipv4Base?: string;
  /** IPv6 /48 base, e.g. `2001:db8:64`. */
  ipv6Base?: string;
  mtu?: number;
  /** A fixed signal (no random walk), for reproducible output. */
  fixedSignal?: boolean;
  /** The service programming code DMS Restore Factory Defaults asks for (default 000000). */
  spc?: string;
  /** The modem's clock, ms since the Unix epoch (default Date.now); a fixed one for reproducible output. */
  wallClock?: () => number;
  /** The newest QMAP the modem speaks; asking for more gets this (the response says so). */
  maxQmap?: 'qmap' | 'qmapv4' | 'qmapv5';
  /** The modem's own uplink aggregation limits, reported to the host. */
  ulMaxDatagrams?: number;
  ulMaxSize?: number;
  /** How many short messages the SIM (sm) and the modem (me) hold. */
  smsCapacity?: Record<SmsStorage, number>;
  /**
   * The newest Microsoft MBIMEx the MBIM function speaks, (major << 8) | minor (default 0x0100: MBIM 1.0
   * layouts only, whatever the host asks for); 0x0200 or 0x0300 agree on the lower of it and the host's.
   */
  mbimex?: number;
  /** The MBIM function carries QMI (QMI over MBIM, as Qualcomm-based ones do; default true). */
  qmiOverMbim?: boolean;
}

export interface Signal {
  /** dBm */
  rssi: number;
  /** dBm */
  rsrp: number;
  /** dB */
  rsrq: number;
  /** dB, 0.1 steps */
  snr: number;
}

export interface DataFormat {
  linkLayer: 'raw-ip' | '802-3';
  /** 'none' or a QMAP version ('qmap' is v1). */
  ulAggregation: 'none' | 'qmap' | 'qmapv4' | 'qmapv5';
  dlAggregation: 'none' | 'qmap' | 'qmapv4' | 'qmapv5';
  dlMaxDatagrams: number;
  dlMaxSize: number;
  /** The modem's own uplink limits, reported back to the host. */
  ulMaxDatagrams: number;
  ulMaxSize: number;
}

export interface Profile {
  index: number;
  name: string;
  apn: string;
  family: IpFamily;
  username?: string;
  password?: string;
  auth?: 'none' | 'pap' | 'chap' | 'both';
  /** The PDP context the profile uses (its index when not set). */
  contextNumber?: number;
  noRoaming?: boolean;
  disabled?: boolean;
  /**
   * What MBIM's provisioned contexts v2 say beyond the above, as libmbim nicks: the context's purpose
   * (default internet), media (cellular-only), who provisioned it (modem) and the roaming it allows
   * (from noRoaming unless set).
   */
  contextType?: string;
  mediaType?: string;
  source?: string;
  roaming?: string;
}

/** The profiles the modem leaves the factory with (MBIM's restore-factory brings them back). */
export const FACTORY_PROFILES: readonly Readonly<Profile>[] = [
  { index: 1, name: 'internet', apn: 'internet', family: 'ipv4v6' },
  { index: 2, name: 'ims', apn: 'ims', family: 'ipv4v6', contextType: 'ims' },
];

/** 5G registration parameters (MBIMEx 3.0) the modem keeps, as libmbim nicks. */
export interface RegistrationParameters {
  micoMode: string;
  drxCycle: string;
  ladnInfo: string;
  defaultPduActivationHint: string;
  reRegisterIfNeeded: boolean;
}

export interface DataSettings {
  /** The profile a call without one uses. */
  defaultProfile: number;
  /** The profiles the modem attaches to LTE with, in order. */
  attachProfiles: number[];
  autoconnect: 'disabled' | 'enabled' | 'paused';
  autoconnectRoaming: 'allowed' | 'home-only';
}

export interface Session {
  /** Packet data handle (QMI) / a stable id. */
  handle: number;
  /** QMAP mux id, MBIM session id or BAM channel: the link this PDN is on. */
  linkId: number;
  apn: string;
  family: IpFamily;
  /** The profile the call was started with, if any. */
  profile?: number;
  ipv4?: { address: string; gateway: string; prefix: number; dns: [string, string] };
  ipv6?: { address: string; prefix: number; gateway: string; dns: [string, string] };
  mtu: number;
  startedAt: number;
  /** What crossed the data path for this PDN: uplink from the host, downlink toward it. */
  traffic: { uplinkPackets: number; uplinkBytes: number; downlinkPackets: number; downlinkBytes: number };
}

export type CallEndReason = 'unknown-apn' | 'apn-in-use' | 'too-many-sessions' | 'not-registered' | 'ip-family-not-allowed' | 'radio-off';

export class FirmwareError extends Error {
  override readonly name = 'FirmwareError';
  constructor(readonly reason: CallEndReason, message: string) {
    super(message);
  }
}

/** A SIM file by its id and the path to it (16-bit ids, little-endian bytes, as UIM carries them). */
export interface SimFileRef {
  fileId: number;
  path: number[];
}

/** What the card's REFRESH proactive command asks of the modem and its hosts. */
export interface SimRefresh {
  mode: 'fcn' | 'reset';
  /** The files that changed (FCN); none for a reset. */
  files: SimFileRef[];
}

export interface FirmwareEvents {
  operatingMode: [OperatingMode];
  /** Registration state, operator, technology or serving cell changed. */
  registration: [RegistrationState];
  signal: [Signal];
  sim: [SimState];
  /** A PIN's state or retries changed (verify, unblock, change, enable/disable). */
  simLocks: [SimLockId];
  /** The active slot (1-based) changed. */
  slot: [number];
  /** A card was powered on or off (slot, on). */
  cardPower: [number, boolean];
  /** The active card's REFRESH command: its files changed (FCN) or it restarts (reset). */
  simRefresh: [SimRefresh];
  preferences: [RadioPreferences];
  scan: ['started' | 'done' | 'aborted'];
  sessionUp: [Session];
  sessionDown: [Session, 'host' | 'network' | 'reset'];
  dataFormat: [DataFormat];
  reset: [];
}

const DEFAULT_APNS: ApnPolicy[] = [
  { name: 'internet', families: ['ipv4', 'ipv6', 'ipv4v6'], allowMultiple: false },
  { name: 'ims', families: ['ipv4', 'ipv6', 'ipv4v6'] },
  { name: 'mms', families: ['ipv4'] },
  { name: 'iot', families: ['ipv4', 'ipv6', 'ipv4v6'] },
  { name: 'corp', families: ['ipv4', 'ipv6', 'ipv4v6'] },
];

export class ModemFirmware extends EventEmitter<FirmwareEvents> {
  readonly identity: Identity;
  readonly config: Required<Pick<FirmwareConfig, 'maxSessions' | 'mtu' | 'ipv4Base' | 'ipv6Base' | 'apns'>> & FirmwareConfig;
  operatingMode: OperatingMode = 'online';
  /** The SIM slots (index 0 is slot 1): a UICC and an eUICC by default. */
  readonly slots: (SimCard | undefined)[];
  /** The slot in use, 1-based. */
  activeSlot = 1;
  readonly personalization: Personalization;
  /** The operators, cells, preferences and selection. */
  readonly radio: RadioNetwork;
  /** The bands the radio has (the radio's capabilities add NR bands on a 5G modem). */
  readonly bands: Bands;
  signal: Signal = { rssi: -65, rsrp: -95, rsrq: -9, snr: 12.5 };
  dataFormat: DataFormat = {
    linkLayer: 'raw-ip',
    ulAggregation: 'none',
    dlAggregation: 'none',
    dlMaxDatagrams: 0,
    dlMaxSize: 0,
    ulMaxDatagrams: 16,
    ulMaxSize: 8192,
  };
  readonly sessions = new Map<number, Session>();
  readonly profiles: Profile[] = FACTORY_PROFILES.map((p) => ({ ...p }));
  readonly registrationParameters: RegistrationParameters = {
    micoMode: 'disabled', drxCycle: 'not-specified', ladnInfo: 'not-needed', defaultPduActivationHint: 'unlikely', reRegisterIfNeeded: false,
  };
  /** The host's data defaults as the modem keeps them in NV: the default profile, the LTE attach profiles, autoconnect. */
  readonly dataSettings: DataSettings = { defaultProfile: 1, attachProfiles: [1], autoconnect: 'disabled', autoconnectRoaming: 'allowed' };
  /** Short messages: the stores and the link to the SMS center. */
  readonly sms: SimSms;
  private readonly random: Random;
  private nextHandle: number;
  /** The next PDN's subnet number (1..254, then wrapping). */
  private nextHost = 1;

  constructor(config: FirmwareConfig = {}) {
    super();
    this.config = { maxSessions: 8, mtu: 1500, ipv4Base: '10.64', ipv6Base: '2001:db8:64', apns: DEFAULT_APNS, ...config };
    this.random = new Random(config.seed ?? 1);
    const imeiBody = `35${this.random.digits(12)}`;
    this.identity = {
      manufacturer: 'wwankit',
      model: 'SIM-QMI 5G',
      revision: 'WK1.0.0 2026-11-21',
      hardwareRevision: '10000',
      imei: `${imeiBody}${luhnDigit(imeiBody)}`,
      imeiSv: '12',
      imsi: `00101${this.random.digits(10)}`,
      iccid: `8988211${this.random.digits(12)}`,
      msisdn: `+1555${this.random.digits(7)}`,
      ...config.identity,
    };
    this.home = config.operator ?? { mcc: '001', mnc: '01', name: 'wwankit' };
    const rat = config.rat ?? 'lte';
    // A European LTE module's set unless the profile says otherwise.
    this.bands = config.bands ?? { gsm: [900, 1800], utra: [1, 8], eutra: [1, 3, 7, 8, 20, 28] };
    const fiveG = rat === '5gnr';
    const rats: Rat[] = fiveG ? ['5gnr', 'lte', 'umts', 'gsm'] : ['lte', 'umts', 'gsm'];
    this.radio = new RadioNetwork({
      operators: config.operators ?? defaultOperators(this.home, rats),
      home: this.home,
      capabilities: { allowed: rats, bands: { ...this.bands, nr: fiveG ? [1, 3, 28, 78] : [] } },
      preferred: rat,
      ...(config.scanMs !== undefined ? { scanMs: config.scanMs } : {}),
      ...(config.clock ? { clock: config.clock } : {}),
    });
    this.radio.on('registration', () => this.radioChanged());
    this.radio.on('preferences', (p) => this.emit('preferences', p));
    this.radio.on('scan', (s) => this.emit('scan', s));
    this.lastRegistration = this.radio.registration;
    const codes = { pin: config.pin ?? '1234', puk: config.puk ?? '12345678', pin2: config.pin2 ?? '4321', puk2: config.puk2 ?? '87654321', pinEnabled: config.pinLocked ?? false };
    const mncLength = this.home.mnc.length === 3 ? 3 : 2;
    const uicc = new SimCard({ kind: 'uicc', iccid: this.identity.iccid, imsi: this.identity.imsi, msisdn: this.identity.msisdn, spn: this.home.name, mncLength, ...codes });
    // The eUICC's enabled profile is a second subscription of the same home operator. Its numbers come
    // from a random of their own so the rest of the model draws what it drew before there was an eUICC.
    const random = new Random((config.seed ?? 1) ^ 0x5e1d);
    const euiccIccid = `8988211${random.digits(12)}`;
    const euicc = new SimCard({
      kind: 'euicc', iccid: euiccIccid, imsi: `${this.home.mcc}${this.home.mnc}${random.digits(15 - this.home.mcc.length - this.home.mnc.length)}`,
      msisdn: `+1555${random.digits(7)}`, spn: this.home.name, mncLength, ...codes,
      eid: `89049032${random.digits(24)}`,
      // Another subscription, another country's emergency numbers.
      emergencyNumbers: ['112', '999', '000'],
      profiles: [{ iccid: euiccIccid, name: `${this.home.name} eSIM`, serviceProvider: this.home.name, enabled: true }],
    });
    this.slots = [config.simAbsent ? undefined : uicc, euicc];
    this.personalization = new Personalization(config.personalization);
    this.nextHandle = 0x10000 + this.random.int(0, 0xffff) * 16;
    this.dataFormat.ulMaxDatagrams = config.ulMaxDatagrams ?? 16;
    this.dataFormat.ulMaxSize = config.ulMaxSize ?? 8192;
    this.sms = new SimSms(this.identity.msisdn, config.smsCapacity);
  }

  /** Radio coverage: without it the modem searches and every PDN drops. */
  coverage = true;
  /** Whether the modem attaches to the packet domain when registered (a reset attaches again). */
  private psAttach = true;

  /** The SIM's home operator. */
  readonly home: Operator;
  /** The registration the radio had when it last changed, to tell what changed. */
  private lastRegistration: Registration | undefined;

  /** The operator the modem is registered on (its home operator while it is not). */
  get operator(): Operator {
    return this.radio.registration?.operator ?? this.home;
  }

  /** The technology the modem is on (or would register on). */
  get rat(): Rat {
    return this.radio.registration?.rat ?? this.radio.preferences.preferred ?? 'lte';
  }

  get roaming(): boolean {
    const r = this.radio.registration;
    return (this.config.roaming ?? false) || (r !== undefined && !this.radio.isHome(r.operator));
  }

  /** The card in the active slot, if there is one. */
  get card(): SimCard | undefined {
    return this.slots[this.activeSlot - 1];
  }

  get simState(): SimState {
    const card = this.card;
    if (!card || !card.powered) return 'absent';
    const s = card.pin1.state;
    return s === 'permanently-blocked' ? 'blocked' : s === 'blocked' ? 'puk-required' : s === 'enabled-not-verified' ? 'pin-required' : 'ready';
  }

  get pinRetries(): number {
    return this.card?.pin1.retries ?? 0;
  }

  get pukRetries(): number {
    return this.card?.pin1.unblockRetries ?? 0;
  }

  get registration(): RegistrationState {
    if (this.operatingMode !== 'online' || this.simState !== 'ready') return 'idle';
    if (!this.coverage) return 'searching';
    if (this.radio.rejectCause !== undefined) return 'denied';
    if (!this.radio.registration) return 'searching';
    return this.roaming ? 'roaming' : 'home';
  }

  /** A new network or none: the PDNs of the old one are gone. */
  private radioChanged(): void {
    const was = this.lastRegistration;
    const now = this.radio.registration;
    this.lastRegistration = now;
    if (was && was.operator !== now?.operator) this.dropAll('network');
    this.emit('registration', this.registration);
  }

  /** Sets allowed/preferred technologies and bands; the modem reselects (and may change network). */
  setRadioPreferences(change: Partial<RadioPreferences>): RadioPreferences {
    return this.radio.setPreferences(change);
  }

  /** Registers automatically or in an operator; throws RegistrationRefused with the 3GPP cause. */
  register(selection: NetworkSelection): Registration {
    return this.radio.register(selection);
  }

  /** A network scan (takes `scanMs`); refused while the radio is off, aborted by a reset or radio off. */
  scan(): Promise<ScanResult[]> {
    if (this.operatingMode !== 'online') return Promise.reject(new FirmwareError('radio-off', 'radio is off'));
    return this.radio.scan();
  }

  /** Runs a change to the SIM and reports what it changed. */
  private simChange<T>(change: () => T, lock?: SimLockId): T {
    const sim = this.simState;
    const reg = this.registration;
    const out = change();
    if (lock) this.emit('simLocks', lock);
    if (this.simState !== sim) this.emit('sim', this.simState);
    if (this.registration !== reg) this.emit('registration', this.registration);
    return out;
  }

  /** A PIN operation on a slot's card (default: the active one): verify, unblock (PUK + new PIN), change or enable/disable. */
  simLock(lock: SimLockId, op: { verify: string } | { unblock: string; newCode: string } | { change: string; newCode: string } | { enable: boolean; code: string }, slot = this.activeSlot): LockResult | undefined {
    const card = this.slots[slot - 1];
    if (!card || !card.powered) return undefined;
    const l = card.lock(lock);
    return this.simChange(() => {
      if ('verify' in op) return l.verify(op.verify);
      if ('unblock' in op) return l.unblock(op.unblock, op.newCode);
      if ('change' in op) return l.change(op.change, op.newCode);
      return l.setEnabled(op.enable, op.code);
    }, lock);
  }

  /** Makes another slot the active one (1-based): the old SIM's PDNs drop and the new card starts up. */
  switchSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot > this.slots.length) throw new RangeError(`no SIM slot ${slot} (the modem has ${this.slots.length})`);
    if (slot === this.activeSlot) return;
    this.simChange(() => {
      this.dropAll('reset');
      this.activeSlot = slot;
      const card = this.card;
      card?.setPower(true);
      // The SIM's identities follow the card in use.
      if (card) Object.assign(this.identity, { iccid: card.iccid, imsi: card.imsi, msisdn: card.msisdn });
    });
    this.emit('slot', slot);
  }

  /** Powers a slot's card off or on (1-based); powering the active one off is like removing it. */
  setCardPower(slot: number, on: boolean): void {
    const card = this.slots[slot - 1];
    if (!card) throw new RangeError(`no card in SIM slot ${slot}`);
    if (card.powered === on) return;
    this.simChange(() => {
      if (!on && slot === this.activeSlot) this.dropAll('reset');
      card.setPower(on);
    });
    this.emit('cardPower', slot, on);
  }

  /**
   * The active card refreshes: its files were updated over the air (FCN), or its profile changed
   * and it restarts (reset). Hosts that registered for refreshes re-read what changed.
   */
  refreshSim(refresh: SimRefresh): void {
    if (!this.card?.powered) throw new RangeError('no powered card in the active slot');
    this.emit('simRefresh', { mode: refresh.mode, files: refresh.mode === 'reset' ? [] : refresh.files });
  }

  /** Signal loss (the network is gone: sessions drop) and recovery. */
  setCoverage(on: boolean): void {
    if (on === this.coverage) return;
    this.coverage = on;
    if (!on) this.dropAll('network');
    this.emit('registration', this.registration);
  }

  /** A modem reset: every session drops, the radio restarts, and the modem comes back online. */
  reset(): void {
    this.dropAll('reset');
    this.psAttach = true;
    this.radio.abortScan('the modem was reset');
    // The card is power-cycled with the modem: an enabled PIN must be entered again.
    this.simChange(() => this.card?.setPower(true));
    this.emit('reset');
  }

  get registered(): boolean {
    const r = this.registration;
    return r === 'home' || r === 'roaming';
  }

  /** Registered and attached to the packet domain: what data calls need. */
  get packetAttached(): boolean {
    return this.registered && this.psAttach;
  }

  /** A host attaches to or detaches from the packet domain (QMI's PS attach/detach, MBIM's packet service); detaching ends every PDN. */
  setPacketAttach(on: boolean): void {
    if (on === this.psAttach) return;
    this.psAttach = on;
    if (!on) this.dropAll('network');
    this.emit('registration', this.registration);
  }

  setOperatingMode(mode: OperatingMode): void {
    if (mode === this.operatingMode) return;
    const wasRegistered = this.registration;
    this.operatingMode = mode;
    if (mode !== 'online') {
      this.dropAll('reset');
      this.radio.abortScan(`the radio went ${mode}`);
    }
    this.emit('operatingMode', mode);
    if (this.registration !== wasRegistered) this.emit('registration', this.registration);
  }

  /** The host negotiated a new data format (WDA Set Data Format). */
  setDataFormat(change: Partial<DataFormat>): DataFormat {
    this.dataFormat = { ...this.dataFormat, ...change };
    this.emit('dataFormat', this.dataFormat);
    return this.dataFormat;
  }

  /** Checks PIN1 while the SIM asks for it; returns the retries left. Three wrong PINs block it (PUK required). */
  verifyPin(pin: string): { ok: boolean; retries: number } {
    if (this.simState !== 'pin-required') return { ok: this.simState === 'ready', retries: this.pinRetries };
    const r = this.simLock('pin1', { verify: pin });
    return { ok: r?.outcome === 'ok', retries: this.pinRetries };
  }

  /** Unblocks PIN1 with the PUK and sets a new PIN; returns the PUK retries left. */
  unblockPin(puk: string, newPin: string): { ok: boolean; retries: number } {
    if (this.simState !== 'puk-required') return { ok: false, retries: this.pukRetries };
    const r = this.simLock('pin1', { unblock: puk, newCode: newPin });
    return { ok: r?.outcome === 'ok', retries: this.pukRetries };
  }

  /** Advances the signal's random walk one step. */
  tickSignal(): Signal {
    if (this.config.fixedSignal) return this.signal;
    const walk = (v: number, step: number, min: number, max: number): number => Math.min(max, Math.max(min, v + (this.random.next() * 2 - 1) * step));
    const s = this.signal;
    this.signal = {
      rssi: Math.round(walk(s.rssi, 2, -110, -50)),
      rsrp: Math.round(walk(s.rsrp, 2, -130, -70)),
      rsrq: Math.round(walk(s.rsrq, 1, -20, -3)),
      snr: Math.round(walk(s.snr, 1, -5, 30) * 10) / 10,
    };
    this.emit('signal', this.signal);
    return this.signal;
  }

  /** Brings a PDN up, or refuses with the reason a network would give. */
  startSession(req: { apn: string; family: IpFamily; linkId?: number; profile?: number }): Session {
    if (this.operatingMode !== 'online') throw new FirmwareError('radio-off', 'radio is off');
    if (!this.registered) throw new FirmwareError('not-registered', 'not registered to a network');
    if (!this.psAttach) throw new FirmwareError('not-registered', 'detached from the packet domain');
    const policy = this.config.apns.find((a) => a.name.toLowerCase() === req.apn.toLowerCase());
    if (!policy) throw new FirmwareError('unknown-apn', `the network does not know APN ${JSON.stringify(req.apn.slice(0, 100))}`);
    if (!policy.families.includes(req.family)) throw new FirmwareError('ip-family-not-allowed', `APN ${policy.name} does not allow ${req.family}`);
    // QMI dual stack is two calls, one per family, on one PDN: the same APN on the same link with the other family.
    const otherHalf = (s: Session): boolean => s.linkId === (req.linkId ?? 0) && s.family !== req.family && s.family !== 'ipv4v6' && req.family !== 'ipv4v6';
    if (!policy.allowMultiple && [...this.sessions.values()].some((s) => s.apn === policy.name && !otherHalf(s))) {
      throw new FirmwareError('apn-in-use', `APN ${policy.name} is already connected and the network allows one PDN to it`);
    }
    if (this.sessions.size >= this.config.maxSessions) throw new FirmwareError('too-many-sessions', `at most ${this.config.maxSessions} sessions`);
    // Each PDN its own /24 (and /64), so links never share a subnet on the host.
    const host = this.nextHost;
    this.nextHost = (this.nextHost % 254) + 1;
    const net4 = `${this.config.ipv4Base}.${host}`;
    const net6 = `${this.config.ipv6Base}:${host.toString(16)}`;
    const v4 = req.family !== 'ipv6';
    const v6 = req.family !== 'ipv4';
    const session: Session = {
      handle: this.nextHandle++,
      linkId: req.linkId ?? 0,
      apn: policy.name,
      ...(req.profile !== undefined ? { profile: req.profile } : {}),
      family: req.family,
      mtu: this.config.mtu,
      startedAt: Date.now(),
      traffic: { uplinkPackets: 0, uplinkBytes: 0, downlinkPackets: 0, downlinkBytes: 0 },
      ...(v4 ? { ipv4: { address: `${net4}.2`, gateway: `${net4}.1`, prefix: 24, dns: [`${this.config.ipv4Base}.0.53`, `${this.config.ipv4Base}.0.54`] as [string, string] } } : {}),
      ...(v6 ? { ipv6: { address: `${net6}::2`, prefix: 64, gateway: `${net6}::1`, dns: [`${this.config.ipv6Base}::53`, `${this.config.ipv6Base}::54`] as [string, string] } } : {}),
    };
    this.sessions.set(session.handle, session);
    this.emit('sessionUp', session);
    return session;
  }

  stopSession(handle: number, cause: 'host' | 'network' | 'reset' = 'host'): Session | undefined {
    const s = this.sessions.get(handle);
    if (!s) return undefined;
    this.sessions.delete(handle);
    this.emit('sessionDown', s, cause);
    return s;
  }

  dropAll(cause: 'network' | 'reset'): void {
    for (const h of [...this.sessions.keys()]) this.stopSession(h, cause);
  }
}
