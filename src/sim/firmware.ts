/**
 * The simulated modem's firmware model, protocol-agnostic: identity, SIM and PIN, operating mode,
 * registration, signal, data format and PDN sessions. The QMI and MBIM front-ends read and drive it;
 * it raises events when state changes so they can send the indications a real modem sends.
 */
import { EventEmitter } from 'node:events';
import { Random, luhnDigit } from './random.js';
import { SimSms, type SmsStorage } from './sms.js';

export type OperatingMode = 'online' | 'low-power' | 'offline' | 'reset';
export type SimState = 'ready' | 'pin-required' | 'puk-required' | 'absent';
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
  identity?: Partial<Identity>;
  operator?: Operator;
  rat?: Rat;
  bands?: Bands;
  roaming?: boolean;
  /** PIN1 code; with `pinLocked` the SIM starts locked. */
  pin?: string;
  puk?: string;
  pinLocked?: boolean;
  simAbsent?: boolean;
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
  /** The newest QMAP the modem speaks; asking for more gets this (the response says so). */
  maxQmap?: 'qmap' | 'qmapv4' | 'qmapv5';
  /** The modem's own uplink aggregation limits, reported to the host. */
  ulMaxDatagrams?: number;
  ulMaxSize?: number;
  /** How many short messages the SIM (sm) and the modem (me) hold. */
  smsCapacity?: Record<SmsStorage, number>;
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
}

export interface Session {
  /** Packet data handle (QMI) / a stable id. */
  handle: number;
  /** QMAP mux id, MBIM session id or BAM channel: the link this PDN is on. */
  linkId: number;
  apn: string;
  family: IpFamily;
  ipv4?: { address: string; gateway: string; prefix: number; dns: [string, string] };
  ipv6?: { address: string; prefix: number; gateway: string; dns: [string, string] };
  mtu: number;
  startedAt: number;
}

export type CallEndReason = 'unknown-apn' | 'apn-in-use' | 'too-many-sessions' | 'not-registered' | 'ip-family-not-allowed' | 'radio-off';

export class FirmwareError extends Error {
  override readonly name = 'FirmwareError';
  constructor(readonly reason: CallEndReason, message: string) {
    super(message);
  }
}

export interface FirmwareEvents {
  operatingMode: [OperatingMode];
  registration: [RegistrationState];
  signal: [Signal];
  sim: [SimState];
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
  readonly operator: Operator;
  readonly config: Required<Pick<FirmwareConfig, 'maxSessions' | 'mtu' | 'ipv4Base' | 'ipv6Base' | 'apns'>> & FirmwareConfig;
  operatingMode: OperatingMode = 'online';
  simState: SimState;
  pinRetries = 3;
  pukRetries = 10;
  /** PIN1 as set by an unblock (else the configured one). */
  private newPin: string | undefined;
  rat: Rat;
  readonly bands: Bands;
  roaming: boolean;
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
  readonly profiles: Profile[] = [
    { index: 1, name: 'internet', apn: 'internet', family: 'ipv4v6' },
    { index: 2, name: 'ims', apn: 'ims', family: 'ipv4v6' },
  ];
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
    this.operator = config.operator ?? { mcc: '001', mnc: '01', name: 'wwankit' };
    this.rat = config.rat ?? 'lte';
    // A European LTE module's set unless the profile says otherwise.
    this.bands = config.bands ?? { gsm: [900, 1800], utra: [1, 8], eutra: [1, 3, 7, 8, 20, 28] };
    this.roaming = config.roaming ?? false;
    this.simState = config.simAbsent ? 'absent' : config.pinLocked ? 'pin-required' : 'ready';
    this.nextHandle = 0x10000 + this.random.int(0, 0xffff) * 16;
    this.dataFormat.ulMaxDatagrams = config.ulMaxDatagrams ?? 16;
    this.dataFormat.ulMaxSize = config.ulMaxSize ?? 8192;
    this.sms = new SimSms(this.identity.msisdn, config.smsCapacity);
  }

  /** Radio coverage: without it the modem searches and every PDN drops. */
  coverage = true;

  get registration(): RegistrationState {
    if (this.operatingMode !== 'online' || this.simState !== 'ready') return 'idle';
    if (!this.coverage) return 'searching';
    return this.roaming ? 'roaming' : 'home';
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
    this.emit('reset');
  }

  get registered(): boolean {
    const r = this.registration;
    return r === 'home' || r === 'roaming';
  }

  setOperatingMode(mode: OperatingMode): void {
    if (mode === this.operatingMode) return;
    const wasRegistered = this.registration;
    this.operatingMode = mode;
    if (mode !== 'online') this.dropAll('reset');
    this.emit('operatingMode', mode);
    if (this.registration !== wasRegistered) this.emit('registration', this.registration);
  }

  /** The host negotiated a new data format (WDA Set Data Format). */
  setDataFormat(change: Partial<DataFormat>): DataFormat {
    this.dataFormat = { ...this.dataFormat, ...change };
    this.emit('dataFormat', this.dataFormat);
    return this.dataFormat;
  }

  /** Checks PIN1; returns the retries left. A wrong PIN three times blocks it (PUK required). */
  verifyPin(pin: string): { ok: boolean; retries: number } {
    if (this.simState !== 'pin-required') return { ok: this.simState === 'ready', retries: this.pinRetries };
    if (pin === (this.newPin ?? this.config.pin ?? '1234')) {
      this.pinRetries = 3;
      this.setSim('ready');
      return { ok: true, retries: this.pinRetries };
    }
    this.pinRetries = Math.max(0, this.pinRetries - 1);
    if (this.pinRetries === 0) this.setSim('puk-required');
    return { ok: false, retries: this.pinRetries };
  }

  /** Unblocks PIN1 with the PUK and sets a new PIN; returns the PUK retries left. */
  unblockPin(puk: string, newPin: string): { ok: boolean; retries: number } {
    if (this.simState !== 'puk-required' || this.pukRetries === 0) return { ok: false, retries: this.pukRetries };
    if (puk !== (this.config.puk ?? '12345678')) {
      this.pukRetries--;
      return { ok: false, retries: this.pukRetries };
    }
    this.newPin = newPin;
    this.pinRetries = 3;
    this.pukRetries = 10;
    this.setSim('ready');
    return { ok: true, retries: this.pukRetries };
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
  startSession(req: { apn: string; family: IpFamily; linkId?: number }): Session {
    if (this.operatingMode !== 'online') throw new FirmwareError('radio-off', 'radio is off');
    if (!this.registered) throw new FirmwareError('not-registered', 'not registered to a network');
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
      family: req.family,
      mtu: this.config.mtu,
      startedAt: Date.now(),
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

  private setSim(state: SimState): void {
    const was = this.registration;
    this.simState = state;
    this.emit('sim', state);
    if (this.registration !== was) this.emit('registration', this.registration);
  }
}
