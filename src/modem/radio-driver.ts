/**
 * Radio, network and SIM control, the same over QMI and MBIM: what a driver offers beyond data
 * (`ControlDriver.radio`), and what a modem offers its API on top of it (`Modem.radio`, same calls
 * behind the PIN guard, with change events). Codes (PIN, PUK) pass through and are never logged.
 */
import type { EventEmitter } from 'node:events';

/** Radio access technologies, as the manager names them on every protocol. */
export type AccessTech = 'gsm' | 'umts' | 'lte' | 'nr5g';

/** An entry of the SIM's preferred network list (EF_PLMNwAcT): an operator and the technologies to try it on. */
export interface PreferredNetwork {
  mcc: string;
  mnc: string;
  techs: AccessTech[];
}

/** A band: 3GPP band number per technology (GSM by its MHz name: 850, 900, 1800, 1900). */
export interface RadioBand {
  tech: AccessTech;
  band: number;
}

/** A network a scan found. */
export interface ScannedNetwork {
  mcc: string;
  mnc: string;
  /** The operator's long name, where the modem gives one. */
  name?: string;
  tech: AccessTech;
  status: 'current' | 'available' | 'forbidden' | 'unknown';
}

/** Where registration should go: the modem's own choice, or one operator (and optionally one technology). */
export type RegisterTarget = { mode: 'automatic' } | { mode: 'manual'; mcc: string; mnc: string; tech?: AccessTech };

/** Allowed technologies and the preferred one among them. */
export interface ModeSet {
  allowed: AccessTech[];
  preferred?: AccessTech;
}

export interface RadioModes {
  current: ModeSet;
  /** The combinations the modem accepts (ModemManager's SupportedModes). */
  supported: ModeSet[];
}

export interface RadioBands {
  current: RadioBand[];
  supported: RadioBand[];
}

/** A serving or neighbouring cell; fields the modem did not report are absent. */
export interface CellInfo {
  serving: boolean;
  tech: AccessTech;
  mcc?: string;
  mnc?: string;
  /** ECI, NR cell id, UTRA cell id or GSM cell id. */
  cellId?: number;
  /** TAC (LTE, NR) or LAC (UMTS, GSM). */
  areaCode?: number;
  /** EARFCN, NR-ARFCN, UARFCN or ARFCN. */
  arfcn?: number;
  band?: number;
  /** PCI (LTE, NR), primary scrambling code (UMTS) or BSIC (GSM). */
  pci?: number;
  rssi?: number;
  rsrp?: number;
  rsrq?: number;
  snr?: number;
}

/** Signal reporting: thresholds that trigger an indication (0 = off) and the polling rate in seconds (0 = off). */
export interface SignalThresholds {
  rssiDelta?: number;
  errorRate?: boolean;
  rateSeconds?: number;
}

export type SimLock = 'pin1' | 'pin2';

/** Tries left per code; absent where the modem does not say. */
export interface LockRetries {
  pin1?: number;
  puk1?: number;
  pin2?: number;
  puk2?: number;
}

/** A code operation's outcome: refused codes are an answer (with the tries left), not an exception. */
export interface CodeResult {
  ok: boolean;
  retries?: number;
}

/**
 * A personalization (SIM lock, 3GPP TS 22.022) the modem enforces: the SIMs it accepts by network,
 * network subset, service provider or corporate, or one SIM only (phone-sim); lifted with its control key.
 */
export type PersonalizationFacility = 'network' | 'network-subset' | 'service-provider' | 'corporate' | 'phone-sim';

/** An enabled personalization and its control key's tries left (unblock: once the verify tries are gone), where the modem tells (MBIM does not). */
export interface PersonalizationLock {
  facility: PersonalizationFacility;
  retries?: number;
  unblockRetries?: number;
}

/**
 * Disabling a personalization: done, or refused — a wrong key (with the tries left), a blocked lock
 * (no tries left: only the unblock operation helps), blocked for good, or no such lock enabled.
 */
export type PersonalizationResult =
  | { ok: true }
  | { ok: false; refusal: 'incorrect-key' | 'blocked' | 'permanently-blocked'; retries?: number; unblockRetries?: number }
  | { ok: false; refusal: 'not-enabled' };

export interface SimSlot {
  /** 1-based, as ModemManager numbers slots. */
  slot: number;
  active: boolean;
  present: boolean;
  kind: 'uicc' | 'euicc' | 'unknown';
  iccid?: string;
  eid?: string;
  /** An eUICC's state, where the modem says it (MBIM slot states). */
  esim?: 'with-profiles' | 'no-profiles';
  /** Whether the card can be removed, where the modem says it (MBIMEx 3.0). */
  removable?: boolean;
}

/**
 * The bearer settings the modem attaches to LTE with (the initial EPS bearer): QMI's attach profile,
 * MBIM's home LTE attach configuration. The password goes to the modem only.
 */
export interface EpsBearerSettings {
  apn: string;
  ipType?: 'ipv4' | 'ipv6' | 'ipv4v6';
  auth?: 'none' | 'pap' | 'chap' | 'both';
  user?: string;
  password?: string;
}

/** Whether the modem is attached to the packet domain (PS attach), as it says. */
export type PacketServiceState = 'attached' | 'detached';

/** The carrier configuration the modem runs (ModemManager's CarrierConfiguration and its revision, 8 hex digits). */
export interface CarrierConfig {
  name: string;
  revision?: string;
}

/**
 * 5G registration settings (3GPP TS 24.501): MICO mode (mobile-initiated connection only) and the UE's
 * DRX cycle (T in radio frames); `unknown` is "not specified" (the network's default).
 */
export interface Nr5gRegistration {
  micoMode: 'unknown' | 'unsupported' | 'disabled' | 'enabled';
  drxCycle: 'unknown' | 'unsupported' | '32' | '64' | '128' | '256';
}

/** Protocol Configuration Options the network sent with a session (3GPP TS 24.008 10.5.6.3): the IE as the modem passes it on. */
export interface PcoInfo {
  sessionId: number;
  /** The whole PCO, or only the containers the modem passes on (operator ones). */
  complete: boolean;
  data: Uint8Array;
}

/** On: radio up; low: radio off, SIM and control alive (airplane); off: powered down until reset. */
export type PowerState = 'on' | 'low' | 'off';

/** Why the modem or the network refused a radio request. */
export type RadioRefusal =
  | 'not-supported'
  | 'no-such-network'
  | 'network-refused'
  | 'wrong-state'
  | 'no-such-slot'
  | 'no-such-channel'
  | 'bad-apdu'
  | 'aborted'
  | 'failed';

/** A refused radio request: a typed reason, the 3GPP cause where the network gave one. */
export class RadioError extends Error {
  override readonly name = 'RadioError';
  constructor(
    readonly reason: RadioRefusal,
    message: string,
    readonly cause3gpp?: number,
  ) {
    super(message);
  }
}

/** What a control driver offers beyond data; every call answers or throws RadioError (or a timeout). */
export interface RadioDriver {
  /** Takes as long as the network scan does (tens of seconds on real modems); `signal` abandons it. */
  scan(signal?: AbortSignal): Promise<ScannedNetwork[]>;
  /** Resolves once the modem accepted the request; a refusal carries the network's 3GPP cause. */
  register(target: RegisterTarget): Promise<void>;
  modes(): Promise<RadioModes>;
  setModes(modes: ModeSet): Promise<void>;
  bands(): Promise<RadioBands>;
  /** An empty list means every supported band. */
  setBands(bands: RadioBand[]): Promise<void>;
  cells(): Promise<CellInfo[]>;
  setSignalThresholds(t: SignalThresholds): Promise<void>;
  retries(): Promise<LockRetries>;
  /** Enables or disables PIN1/PIN2 checking; `pin` is the code of that lock. */
  enablePin(lock: SimLock, pin: string, enable: boolean): Promise<CodeResult>;
  changePin(lock: SimLock, oldPin: string, newPin: string): Promise<CodeResult>;
  /** PIN2 entry and PUK2 unblock (PIN1 has ControlDriver.unlockPin/unblockPin). */
  verifyPin2?(pin2: string): Promise<CodeResult>;
  unblockPin2?(puk2: string, newPin2: string): Promise<CodeResult>;
  /** The personalizations enabled (absent: the driver cannot tell). */
  personalization?(): Promise<PersonalizationLock[]>;
  /** Disables a personalization with its control key; a refused key is an answer, never retried. */
  disablePersonalization?(facility: PersonalizationFacility, key: string): Promise<PersonalizationResult>;
  slots(): Promise<SimSlot[]>;
  /** Makes `slot` (1-based) the active one; the SIM is probed again afterwards. */
  setPrimarySlot(slot: number): Promise<void>;
  /** Opens a logical channel to the application `aid`; answers the channel number. */
  openChannel(aid: Uint8Array): Promise<number>;
  /** Sends a command APDU on a logical channel; answers the response with its SW1 SW2. */
  transmitApdu(channel: number, apdu: Uint8Array): Promise<Uint8Array>;
  closeChannel(channel: number): Promise<void>;
  /** Whether PIN1 is checked (absent: the driver cannot tell; the modem then infers it from the SIM's state). */
  pin1Enabled?(): Promise<boolean | undefined>;
  /** Whether PIN2 is checked, where the modem lists it (MBIM's PIN list; ModemManager shows it as the fixed-dialing lock). */
  pin2Enabled?(): Promise<boolean | undefined>;
  /** The eUICC's EID (32 digits), undefined on a plain UICC. */
  eid(): Promise<string | undefined>;
  ownNumbers(): Promise<string[]>;
  /** The SIM's preferred network list, in order. */
  preferredNetworks(): Promise<PreferredNetwork[]>;
  /** Replaces the SIM's preferred network list. */
  setPreferredNetworks(list: PreferredNetwork[]): Promise<void>;
  power(): Promise<PowerState>;
  setPower(state: PowerState): Promise<void>;
  /** The stored initial EPS bearer settings (QMI: the first LTE attach profile; MBIM: the home LTE attach configuration). */
  initialEpsSettings?(): Promise<EpsBearerSettings>;
  /** Stores new initial EPS bearer settings; the modem attaches with them from its next attach. */
  setInitialEpsSettings?(settings: EpsBearerSettings): Promise<void>;
  /** What the modem attached to LTE with; undefined while it is not attached to LTE. */
  initialEpsBearer?(): Promise<EpsBearerSettings | undefined>;
  packetService?(): Promise<PacketServiceState>;
  /** Attaches to or detaches from the packet domain; detaching ends the data calls. */
  setPacketService?(state: PacketServiceState): Promise<void>;
  /** The carrier configuration selected (QMI: PDC). */
  carrierConfig?(): Promise<CarrierConfig>;
  /** The 5G registration settings (MBIM: MBIMEx 3.0's registration parameters). */
  nr5gRegistration?(): Promise<Nr5gRegistration>;
  /** Stores new 5G registration settings; the modem registers again with them if it must. */
  setNr5gRegistration?(settings: Nr5gRegistration): Promise<void>;
  /** The PCOs of the sessions up. */
  pco?(): Promise<PcoInfo[]>;
  /** The SIM's emergency numbers (EF_ECC). */
  emergencyNumbers?(): Promise<string[]>;
  /** Resets the modem: its control channel closes and it comes back as a new device. */
  reset(): Promise<void>;
  /** Restores factory settings; `code` is the carrier's service programming code where one is needed. */
  factoryReset(code: string): Promise<void>;
}

export interface ModemRadioEvents {
  /** Something a front-end shows changed (ModemManager's PropertiesChanged): which part. */
  changed: ['modes' | 'bands' | 'slots' | 'locks' | 'power' | 'numbers' | 'thresholds' | 'eps' | 'packet' | 'nr5g'];
  /** Scan progress: networks found so far, when the modem reports them piecemeal, and the end. */
  scanProgress: [{ done: boolean; found: number }];
}

/**
 * A modem's radio side: the driver's calls behind the PIN guard and its serialisation (one scan at a
 * time; a reset aborts a scan with RadioError 'aborted'), with the last known values cached for
 * front-ends and `changed` events on each change.
 */
export interface ModemRadio extends RadioDriver, EventEmitter<ModemRadioEvents> {
  /** The personalizations enabled; RadioError 'not-supported' where the driver cannot tell. */
  personalization(): Promise<PersonalizationLock[]>;
  /** Disables a personalization; afterwards the locks and the SIM's state are read again. */
  disablePersonalization(facility: PersonalizationFacility, key: string): Promise<PersonalizationResult>;
  /** The initial EPS bearer's stored settings and what the modem attached with (absent while not attached to LTE); never a password. */
  initialEps(): Promise<{ settings: EpsBearerSettings; bearer?: EpsBearerSettings }>;
  /** Stores new initial EPS bearer settings and checks the modem kept them. */
  setInitialEps(settings: EpsBearerSettings): Promise<void>;
  packetService(): Promise<PacketServiceState>;
  setPacketService(state: PacketServiceState): Promise<void>;
  carrierConfig(): Promise<CarrierConfig>;
  nr5gRegistration(): Promise<Nr5gRegistration>;
  /** Stores new 5G registration settings and checks the modem kept them. */
  setNr5gRegistration(settings: Nr5gRegistration): Promise<void>;
  pco(): Promise<PcoInfo[]>;
  emergencyNumbers(): Promise<string[]>;
}
