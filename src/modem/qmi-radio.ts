/**
 * Radio, network and SIM control over QMI, the way ModemManager's QMI modem does it: NAS for scans,
 * registration, system selection (modes, bands) and cells; DMS for capabilities, numbers, operating
 * mode and factory defaults; UIM for PINs, slots and logical channels. Refusals become RadioError
 * with a typed reason (and the network's 3GPP cause); refused codes are a CodeResult, never an error,
 * and codes never appear in a message.
 */
import { bandsOfWords, bandWords, legacyBandMask, legacyBandsOf } from '../qmi/bands.js';
import { plmnOfBcd, swappedBcdDigits } from '../qmi/bcd.js';
import { QmiClosedError, type QmiClient } from '../qmi/client.js';
import type { RequestOf, ResponseOf } from '../qmi/schema.js';
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { dms, DmsOperatingMode, DmsRadioInterface } from '../qmi/services/dms.js';
import { nas, NasNetworkRegisterType, NasNetworkStatus, NasPlmnAccessTechnologyIdentifier, NasRadioInterface, NasRatModePreference, NasRegistrationState } from '../qmi/services/nas.js';
import { wds, WdsAuthentication, WdsIpSupportType, WdsPdpType, WdsProfileType } from '../qmi/services/wds.js';
import { NasServiceDomainPreference } from '../qmi/services/nas.js';
import { emergencyNumber } from './sim-files.js';
import { loadCarrierConfig } from './qmi-carrier-config.js';
import type { pdc } from '../qmi/services/pdc.js';
import { uim, UimCardApplicationPersonalizationFeature, UimCardProtocol, UimConfiguration, UimDepersonalizationOperation, UimPhysicalCardState, UimPinId, UimPinState, UimSlotState } from '../qmi/services/uim.js';
import {
  RadioError,
  type AccessTech,
  type CarrierConfig,
  type CellInfo,
  type CodeResult,
  type LockRetries,
  type ModeSet,
  type PersonalizationFacility,
  type PersonalizationLock,
  type PersonalizationResult,
  type PowerState,
  type PreferredNetwork,
  type RadioBand,
  type RadioBands,
  type RadioDriver,
  type RadioModes,
  type RegisterTarget,
  type ScannedNetwork,
  type SignalThresholds,
  type SimLock,
  type SimSlot,
  type EpsBearerSettings,
  type PacketServiceState,
} from './radio-driver.js';

export interface QmiRadioClients {
  dms: QmiClient<typeof dms>;
  nas: QmiClient<typeof nas>;
  uim: QmiClient<typeof uim>;
  /** WDS for the LTE attach profile, allocated when first needed. */
  wds: () => Promise<QmiClient<typeof wds>>;
  /** PDC for the carrier configuration, allocated when first needed. */
  pdc: () => Promise<QmiClient<typeof pdc>>;
}

export interface QmiRadioOptions {
  /** How long a network scan may take (ModemManager: 300 s). */
  scanTimeoutMs?: number;
  /** How long the network may take to accept or refuse a registration (ModemManager: 120 s). */
  registerTimeoutMs?: number;
}

/** EF_PLMNwAcT's access technology bits (NAS carries them as they are on the card). */
const PLMN_TECH_BITS: [AccessTech, number][] = [
  ['gsm', NasPlmnAccessTechnologyIdentifier.names.gsm],
  ['umts', NasPlmnAccessTechnologyIdentifier.names.utran],
  ['lte', NasPlmnAccessTechnologyIdentifier.names.eutran],
  ['nr5g', NasPlmnAccessTechnologyIdentifier.names.ngran],
];

/** Newest first: the order a modem tries technologies in when none is preferred. */
const TECH_ORDER: AccessTech[] = ['nr5g', 'lte', 'umts', 'gsm'];
const NAS_INTERFACE: Record<AccessTech, number> = {
  gsm: NasRadioInterface.names.gsm,
  umts: NasRadioInterface.names.umts,
  lte: NasRadioInterface.names.lte,
  nr5g: NasRadioInterface.names['5gnr'],
};
const DMS_INTERFACE: Record<AccessTech, number> = {
  gsm: DmsRadioInterface.names.gsm,
  umts: DmsRadioInterface.names.umts,
  lte: DmsRadioInterface.names.lte,
  nr5g: DmsRadioInterface.names['5gnr'],
};
const MODE_BIT: Record<AccessTech, number> = {
  gsm: NasRatModePreference.names.gsm,
  umts: NasRatModePreference.names.umts,
  lte: NasRatModePreference.names.lte,
  nr5g: NasRatModePreference.names['5gnr'],
};
const techOfInterface = (i: number): AccessTech | undefined => TECH_ORDER.find((t) => NAS_INTERFACE[t] === i);

const PDP_IP: Record<number, EpsBearerSettings['ipType']> = { [WdsPdpType.names.ipv4]: 'ipv4', [WdsPdpType.names.ipv6]: 'ipv6', [WdsPdpType.names['ipv4-or-ipv6']]: 'ipv4v6' };
const IP_PDP = { ipv4: WdsPdpType.names.ipv4, ipv6: WdsPdpType.names.ipv6, ipv4v6: WdsPdpType.names['ipv4-or-ipv6'] } as const;
const SUPPORT_IP: Record<number, EpsBearerSettings['ipType']> = { [WdsIpSupportType.names.ipv4]: 'ipv4', [WdsIpSupportType.names.ipv6]: 'ipv6', [WdsIpSupportType.names.ipv4v6]: 'ipv4v6' };
const A = WdsAuthentication.names;
const AUTH_BITS = { none: A.none, pap: A.pap, chap: A.chap, both: A.pap | A.chap } as const;
const authOf = (bits: number): EpsBearerSettings['auth'] => ((bits & 3) === 3 ? 'both' : bits & A.pap ? 'pap' : bits & A.chap ? 'chap' : 'none');
/** The USIM's EF_ECC (under ADF USIM), as the primary GW session addresses it. */
const EF_ECC = { fileId: 0x6fb7, filePath: [0x00, 0x3f, 0xff, 0x7f] };
const GW_SESSION = { sessionType: 0, applicationIdentifier: [] as number[] };

/** GSM's bands as RadioBand names them (by MHz). */
const GSM_BANDS = new Set([850, 900, 1800, 1900]);

/** GSMA SGP.22's ISD-R, which answers the EID request on an eUICC. */
const ISD_R_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xff, 0xff, 0xff, 0xff, 0x89, 0x00, 0x00, 0x01, 0x00]);

/** The class byte that carries a logical channel (ISO 7816-4 5.4.1): first interindustry 0-3, further 4-19; proprietary (8X) kept. */
const classByte = (channel: number): number => (channel <= 3 ? 0x80 | channel : 0xc0 | (channel - 4));

/** The 3GPP reject cause where NAS system info gives one. */
type RejectInfo = { registrationRejectInfoValid: boolean; registrationRejectCause: number } | undefined;

/** Why a request failed, typed: the modem's state, a missing feature, or a plain failure naming the QMI error. */
function refusal(e: unknown, what: string): unknown {
  if (!(e instanceof QmiProtocolErrorResponse)) return e;
  const E = QmiProtocolError;
  const reason =
    e.code === E.DeviceNotReady || e.code === E.NoRadio || e.code === E.InvalidTransition || e.code === E.UimUninitialized || e.code === E.IncompatibleState ? 'wrong-state'
    : e.code === E.NotSupported || e.code === E.InvalidQmiCommand ? 'not-supported'
    : e.code === E.NoNetworkFound ? 'no-such-network'
    : 'failed';
  return new RadioError(reason, `${what}: the modem answered ${e.errorName}`);
}

/** The UIM personalization feature of each facility (ModemManager's mapping: GW UIM is the phone-SIM lock). */
const PERSONALIZATION_FEATURE: Record<PersonalizationFacility, number> = {
  network: UimCardApplicationPersonalizationFeature.names['gw-network'],
  'network-subset': UimCardApplicationPersonalizationFeature.names['gw-network-subset'],
  'service-provider': UimCardApplicationPersonalizationFeature.names['gw-service-provider'],
  corporate: UimCardApplicationPersonalizationFeature.names['gw-corporate'],
  'phone-sim': UimCardApplicationPersonalizationFeature.names['gw-ue'],
};

/** How UIM Depersonalization refuses a key: the error code's refusal. */
const DEPERSONALIZATION_REFUSAL: Record<number, 'incorrect-key' | 'blocked' | 'permanently-blocked' | 'not-enabled'> = {
  [QmiProtocolError.IncorrectPin]: 'incorrect-key',
  [QmiProtocolError.PinBlocked]: 'blocked',
  [QmiProtocolError.PinAlwaysBlocked]: 'permanently-blocked',
  [QmiProtocolError.NoEffect]: 'not-enabled',
};

const isError = (e: unknown, code: number): boolean => e instanceof QmiProtocolErrorResponse && e.code === code;

/** Every non-empty combination of `techs`, each with and without a preferred one (ModemManager's SupportedModes). */
function modeCombinations(techs: AccessTech[]): ModeSet[] {
  const out: ModeSet[] = [];
  for (let m = 1; m < 1 << techs.length; m++) {
    const allowed = techs.filter((_, i) => m & (1 << i));
    out.push({ allowed });
    if (allowed.length > 1) for (const preferred of allowed) out.push({ allowed, preferred });
  }
  return out;
}

export class QmiRadio implements RadioDriver {
  /** The slot each channel this driver opened is on: APDUs go to that card. */
  private readonly channelSlots = new Map<number, number>();

  constructor(
    private readonly clients: () => QmiRadioClients,
    private readonly options: QmiRadioOptions = {},
  ) {}

  // ---- network

  async scan(signal?: AbortSignal): Promise<ScannedNetwork[]> {
    const { nas: client } = this.clients();
    if (signal?.aborted) throw new RadioError('aborted', 'the scan was cancelled');
    // The modem cannot be told to stop: a cancelled scan is abandoned and its late answer ignored.
    const request = client.request(nas.messages.networkScan, {}, { timeoutMs: this.options.scanTimeoutMs ?? 300_000 });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new RadioError('aborted', 'the scan was cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    let r;
    try {
      r = await Promise.race([request, aborted]);
    } catch (e) {
      // A reset can take the control channel down before the modem's "aborted" answer is out.
      if (e instanceof QmiClosedError) throw new RadioError('aborted', 'the modem went away during the scan');
      throw refusal(e, 'network scan');
    } finally {
      request.catch(() => undefined);
      aborted.catch(() => undefined);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
    if (r.networkScanResult !== undefined && r.networkScanResult !== 0) throw new RadioError('aborted', 'the modem aborted the scan (reset or radio off)');
    const S = NasNetworkStatus.names;
    const threeDigits = (mcc: number, mnc: number): boolean => r.mncPcsDigitIncludeStatus?.some((p) => p.mcc === mcc && p.mnc === mnc && p.includesPcsDigit) ?? false;
    // Information and technology come in parallel lists, one entry per network and technology.
    return (r.networkInformation ?? []).map((n, i) => {
      const rat = r.radioAccessTechnology?.[i];
      const tech = rat && rat.mcc === n.mcc && rat.mnc === n.mnc ? techOfInterface(rat.radioInterface) : undefined;
      const status: ScannedNetwork['status'] =
        n.networkStatus & S['current-serving'] ? 'current' : n.networkStatus & S.forbidden ? 'forbidden' : n.networkStatus & S.available ? 'available' : 'unknown';
      return {
        mcc: String(n.mcc).padStart(3, '0'),
        mnc: String(n.mnc).padStart(threeDigits(n.mcc, n.mnc) ? 3 : 2, '0'),
        ...(n.description ? { name: n.description } : {}),
        tech: tech ?? 'lte',
        status,
      };
    });
  }

  async register(target: RegisterTarget): Promise<void> {
    const { nas: client } = this.clients();
    const A = NasNetworkRegisterType.names;
    let what = 'automatic registration';
    let request: RequestOf<typeof nas.messages.initiateNetworkRegister> = { action: A.automatic };
    if (target.mode === 'manual') {
      if (!/^\d{3}$/.test(target.mcc) || !/^\d{2,3}$/.test(target.mnc)) throw new RadioError('no-such-network', 'an operator is 3 MCC digits and 2 or 3 MNC digits');
      what = `registration in ${target.mcc}${target.mnc}`;
      request = {
        action: A.manual,
        manualRegistrationInfo3gpp: { mcc: Number(target.mcc), mnc: Number(target.mnc), radioInterface: target.tech ? NAS_INTERFACE[target.tech] : NasRadioInterface.names.unknown },
        ...(target.mnc.length === 3 ? { mncPcsDigitIncludeStatus: true } : {}),
      };
    }
    try {
      await client.request(nas.messages.initiateNetworkRegister, request, { timeoutMs: 120_000 });
    } catch (e) {
      // No effect: already registered as asked.
      if (isError(e, QmiProtocolError.NoEffect)) return;
      if (isError(e, QmiProtocolError.NoNetworkFound)) throw new RadioError('no-such-network', `${what}: no such network in range`);
      throw refusal(e, what);
    }
    await this.registrationOutcome(what);
  }

  /** The network answers after the request: registered, or denied with its cause in system info. */
  private async registrationOutcome(what: string): Promise<void> {
    const { nas: client } = this.clients();
    const R = NasRegistrationState.names;
    const deadline = Date.now() + (this.options.registerTimeoutMs ?? 120_000);
    for (;;) {
      const state = (await client.request(nas.messages.getServingSystem, {})).servingSystem.registrationState;
      if (state === R.registered) return;
      if (state === R['registration-denied']) {
        const info = await client.request(nas.messages.getSystemInfo, {}).catch(() => undefined);
        const reject = [info?.nr5gSystemInfo, info?.lteSystemInfo, info?.wcdmaSystemInfo, info?.gsmSystemInfo].find((s: RejectInfo) => s?.registrationRejectInfoValid);
        const cause = reject?.registrationRejectCause;
        throw new RadioError('network-refused', `${what}: the network refused it${cause !== undefined ? ` (3GPP cause ${cause})` : ''}`, cause);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new RadioError('failed', `${what}: no answer from the network in time`);
      // Wait for the next serving system indication (or poll again after a while).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 2000));
        const off = client.on(nas.indications.servingSystem, done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  /** The technologies the modem has (DMS Get Capabilities), newest first. */
  private async capabilities(): Promise<AccessTech[]> {
    const r = await this.clients().dms.request(dms.messages.getCapabilities, {}).catch((e) => Promise.reject(refusal(e, 'capabilities')));
    return TECH_ORDER.filter((t) => r.info.radioInterfaces.includes(DMS_INTERFACE[t]));
  }

  private async selectionPreference() {
    return this.clients().nas.request(nas.messages.getSystemSelectionPreference, {}).catch((e) => Promise.reject(refusal(e, 'system selection preference')));
  }

  async modes(): Promise<RadioModes> {
    const [caps, p] = await Promise.all([this.capabilities(), this.selectionPreference()]);
    const allowed = caps.filter((t) => (p.modePreference ?? 0) & MODE_BIT[t]);
    // As ModemManager reads it: the first technology in the acquisition order that is allowed, when more than one is.
    const preferred = allowed.length > 1 ? p.acquisitionOrderPreference?.map(techOfInterface).find((t) => t !== undefined && allowed.includes(t)) : undefined;
    return { current: { allowed, ...(preferred ? { preferred } : {}) }, supported: modeCombinations(caps) };
  }

  async setModes(modes: ModeSet): Promise<void> {
    const caps = await this.capabilities();
    const missing = modes.allowed.filter((t) => !caps.includes(t));
    if (modes.allowed.length === 0 || missing.length > 0) {
      throw new RadioError('not-supported', modes.allowed.length === 0 ? 'at least one technology must be allowed' : `the modem has no ${missing.join(', ')}`);
    }
    if (modes.preferred && !modes.allowed.includes(modes.preferred)) throw new RadioError('not-supported', `the preferred ${modes.preferred} is not among the allowed`);
    const order = modes.preferred ? [modes.preferred, ...caps.filter((t) => t !== modes.preferred)] : caps;
    try {
      await this.clients().nas.request(nas.messages.setSystemSelectionPreference, {
        modePreference: modes.allowed.reduce((m, t) => m | MODE_BIT[t], 0),
        changeDuration: 1,
        acquisitionOrderPreference: order.map((t) => NAS_INTERFACE[t]),
      });
    } catch (e) {
      if (!isError(e, QmiProtocolError.NoEffect)) throw refusal(e, 'setting the modes');
    }
  }

  async bands(): Promise<RadioBands> {
    const { dms: d } = this.clients();
    const [cap, p] = await Promise.all([
      d.request(dms.messages.getBandCapabilities, {}).catch((e) => Promise.reject(refusal(e, 'band capabilities'))),
      this.selectionPreference(),
    ]);
    const supported = toBands(cap.bandCapability, cap.extendedLteBandCapability ?? bandsOfWords([cap.lteBandCapability ?? 0n]), cap.nr5gBandCapability ?? []);
    const current = toBands(
      p.bandPreference ?? 0n,
      bandsOfWords(p.extendedLteBandPreference ?? [p.lteBandPreference ?? 0n]),
      bandsOfWords(p.nr5gSaBandPreference ?? p.nr5gNsaBandPreference ?? []),
    ).filter((b) => supported.some((s) => s.tech === b.tech && s.band === b.band));
    return { current, supported };
  }

  async setBands(bands: RadioBand[]): Promise<void> {
    const { supported } = await this.bands();
    const unknown = bands.filter((b) => !supported.some((s) => s.tech === b.tech && s.band === b.band));
    if (unknown.length > 0) throw new RadioError('not-supported', `the modem has no band ${unknown.map((b) => `${b.tech} ${b.band}`).join(', ')}`);
    const chosen = bands.length > 0 ? bands : supported;
    const of = (tech: AccessTech): number[] => chosen.filter((b) => b.tech === tech).map((b) => b.band);
    const nr = supported.some((b) => b.tech === 'nr5g') ? bandWords(of('nr5g'), 8) : undefined;
    const lte = bandWords(of('lte'), 4);
    try {
      await this.clients().nas.request(nas.messages.setSystemSelectionPreference, {
        bandPreference: legacyBandMask(of('gsm'), of('umts')),
        lteBandPreference: lte[0]!,
        extendedLteBandPreference: lte,
        ...(nr ? { nr5gSaBandPreference: nr, nr5gNsaBandPreference: nr } : {}),
        changeDuration: 1,
      });
    } catch (e) {
      if (!isError(e, QmiProtocolError.NoEffect)) throw refusal(e, 'setting the bands');
    }
  }

  async cells(): Promise<CellInfo[]> {
    let r;
    try {
      r = await this.clients().nas.request(nas.messages.getCellLocationInfo, {});
    } catch (e) {
      throw refusal(e, 'cell location info');
    }
    return cellsOf(r);
  }

  /**
   * RSSI reporting by delta (NAS Config Signal Info v2, every technology; 0 or none: ModemManager's
   * 5 dB). Error-rate thresholds are not offered by QMI modems. The polling rate is the caller's.
   */
  async setSignalThresholds(t: SignalThresholds): Promise<void> {
    if (t.errorRate) throw new RadioError('not-supported', 'QMI modems have no error-rate threshold');
    if (t.rssiDelta === undefined) return;
    if (!Number.isInteger(t.rssiDelta) || t.rssiDelta < 0 || t.rssiDelta > 6553) throw new RadioError('failed', `an RSSI delta of ${t.rssiDelta} dB is out of range`);
    const delta = (t.rssiDelta || 5) * 10;
    try {
      await this.clients().nas.request(nas.messages.configSignalInfoV2, { gsmRssiDelta: delta, wcdmaRssiDelta: delta, lteRssiDelta: delta, nr5gRsrpDelta: delta });
    } catch (e) {
      throw refusal(e, 'signal thresholds');
    }
  }

  // ---- SIM codes

  /** The USIM application's PIN state as card status reports it. */
  private async application() {
    const r = await this.clients().uim.request(uim.messages.getCardStatus, {}).catch((e) => Promise.reject(refusal(e, 'card status')));
    const app = r.cardStatus?.cards[0]?.applications[0];
    if (!app) throw new RadioError('wrong-state', 'no SIM application: is a card inserted and powered?');
    return app;
  }

  async retries(): Promise<LockRetries> {
    const app = await this.application();
    return { pin1: app.pin1Retries, puk1: app.puk1Retries, pin2: app.pin2Retries, puk2: app.puk2Retries };
  }

  /** PIN1 as card status reports it: checked unless disabled (a blocked PIN is still enabled). */
  async pin1Enabled(): Promise<boolean | undefined> {
    const state = (await this.application()).pin1State;
    return state === UimPinState.names['not-initialized'] ? undefined : state !== UimPinState.names.disabled;
  }

  /** PIN2 as card status reports it, counted as ModemManager counts the fixed-dialing lock: enabled, or blocked (not for good). */
  async pin2Enabled(): Promise<boolean | undefined> {
    const state = (await this.application()).pin2State;
    if (state === UimPinState.names['not-initialized']) return undefined;
    const on: number[] = [UimPinState.names['enabled-verified'], UimPinState.names['enabled-not-verified'], UimPinState.names.blocked];
    return on.includes(state);
  }

  /**
   * Runs a PIN operation on the USIM's session. Refused codes answer ok: false with the tries left
   * (the PUK's for an unblock); a lock in the wrong state is a RadioError. Codes never reach a message.
   */
  private async codeOperation(what: string, run: (session: { sessionType: number; applicationIdentifier: number[] }) => Promise<{ retriesRemaining?: { verifyRetriesLeft: number; unblockRetriesLeft: number } }>, opts: { unblock?: boolean; noEffectIsOk?: boolean } = {}): Promise<CodeResult> {
    const app = await this.application();
    const left = (r: { verifyRetriesLeft: number; unblockRetriesLeft: number } | undefined): number | undefined => (opts.unblock ? r?.unblockRetriesLeft : r?.verifyRetriesLeft);
    try {
      const r = await run({ sessionType: 0, applicationIdentifier: [...app.applicationIdentifierValue] });
      const retries = left(r.retriesRemaining);
      return { ok: true, ...(retries !== undefined ? { retries } : {}) };
    } catch (e) {
      if (!(e instanceof QmiProtocolErrorResponse)) throw e;
      const E = QmiProtocolError;
      const retries = left(e.values.retriesRemaining as { verifyRetriesLeft: number; unblockRetriesLeft: number } | undefined);
      const withRetries = retries !== undefined ? { retries } : {};
      if (e.code === E.IncorrectPin || e.code === E.PinBlocked || e.code === E.PinAlwaysBlocked) return { ok: false, ...withRetries };
      if (e.code === E.NoEffect) {
        if (opts.noEffectIsOk) return { ok: true, ...withRetries };
        throw new RadioError('wrong-state', `${what}: the lock is not in a state for it`);
      }
      if (e.code === E.InvalidArgument) throw new RadioError('failed', `${what}: the card refused the code's format`);
      throw refusal(e, what);
    }
  }

  enablePin(lock: SimLock, pin: string, enable: boolean): Promise<CodeResult> {
    return this.codeOperation(
      `${enable ? 'enabling' : 'disabling'} ${lock.toUpperCase()}`,
      (session) => this.clients().uim.request(uim.messages.setPinProtection, { session, info: { pinId: UimPinId.names[lock], pinEnabled: enable, pinValue: pin } }),
      { noEffectIsOk: true },
    );
  }

  changePin(lock: SimLock, oldPin: string, newPin: string): Promise<CodeResult> {
    return this.codeOperation(`changing ${lock.toUpperCase()}`, (session) =>
      this.clients().uim.request(uim.messages.changePin, { session, info: { pinId: UimPinId.names[lock], oldPinValue: oldPin, newPinValue: newPin } }),
    );
  }

  verifyPin2(pin2: string): Promise<CodeResult> {
    return this.codeOperation('PIN2 entry', (session) => this.clients().uim.request(uim.messages.verifyPin, { session, info: { pinId: UimPinId.names.pin2, pinValue: pin2 } }));
  }

  unblockPin2(puk2: string, newPin2: string): Promise<CodeResult> {
    return this.codeOperation(
      'PIN2 unblock',
      (session) => this.clients().uim.request(uim.messages.unblockPin, { session, info: { pinId: UimPinId.names.pin2, pukValue: puk2, newPinValue: newPin2 } }),
      { unblock: true },
    );
  }

  // ---- personalization (SIM lock): UIM, as ModemManager reads it where DMS UIM is gone; slot 1 holds the modem's

  async personalization(): Promise<PersonalizationLock[]> {
    const r = await this.clients()
      .uim.request(uim.messages.getConfiguration, { configurationMask: UimConfiguration.names['personalization-status'] })
      .catch((e) => Promise.reject(refusal(e, 'personalization status')));
    return (r.personalizationStatus ?? []).flatMap((p) => {
      const facility = (Object.keys(PERSONALIZATION_FEATURE) as PersonalizationFacility[]).find((f) => PERSONALIZATION_FEATURE[f] === p.feature);
      // CDMA (1X) features are not SIM locks a 3GPP modem reports.
      return facility ? [{ facility, retries: p.verifyLeft, unblockRetries: p.unblockLeft }] : [];
    });
  }

  async disablePersonalization(facility: PersonalizationFacility, key: string): Promise<PersonalizationResult> {
    const info = { feature: PERSONALIZATION_FEATURE[facility], operation: UimDepersonalizationOperation.names.deactivate, controlKey: key };
    try {
      await this.clients().uim.request(uim.messages.depersonalization, { info, slot: 1 });
      return { ok: true };
    } catch (e) {
      const refused = e instanceof QmiProtocolErrorResponse ? DEPERSONALIZATION_REFUSAL[e.code] : undefined;
      if (!refused) throw refusal(e, `disabling the ${facility} lock`);
      if (refused === 'not-enabled') return { ok: false, refusal: refused };
      const left = (e as QmiProtocolErrorResponse).values.retriesRemaining as { verifyLeft: number; unblockLeft: number } | undefined;
      return { ok: false, refusal: refused, ...(left ? { retries: left.verifyLeft, unblockRetries: left.unblockLeft } : {}) };
    }
  }

  // ---- slots and the card

  private async slotStatus() {
    const r = await this.clients().uim.request(uim.messages.getSlotStatus, {}).catch((e) => Promise.reject(refusal(e, 'slot status')));
    if (!r.physicalSlotStatus?.length) throw new RadioError('not-supported', 'the modem reports no SIM slots');
    return r;
  }

  async slots(): Promise<SimSlot[]> {
    const r = await this.slotStatus();
    return r.physicalSlotStatus!.map((s, i) => {
      const info = r.physicalSlotInformation?.[i];
      const eid = r.slotEid?.[i]?.eid;
      const iccid = swappedBcdDigits(s.iccid);
      return {
        slot: i + 1,
        active: s.physicalSlotStatus === UimSlotState.names.active,
        present: s.physicalCardStatus === UimPhysicalCardState.names.present,
        kind: info?.isEuicc ? 'euicc' : info?.cardProtocol === UimCardProtocol.names.uicc ? 'uicc' : 'unknown',
        ...(iccid ? { iccid } : {}),
        // 16 bytes, high nibble first (ModemManager's mm_decode_eid).
        ...(info?.isEuicc && eid?.length === 16 ? { eid: Buffer.from(eid).toString('hex') } : {}),
      };
    });
  }

  /** The physical slot of the active card (1-based): the one UIM card commands address here. */
  private async activeSlot(): Promise<number> {
    const r = await this.slotStatus();
    const i = r.physicalSlotStatus!.findIndex((s) => s.physicalSlotStatus === UimSlotState.names.active);
    if (i < 0) throw new RadioError('wrong-state', 'no SIM slot is active');
    return i + 1;
  }

  async setPrimarySlot(slot: number): Promise<void> {
    const count = (await this.slotStatus()).physicalSlotStatus!.length;
    if (!Number.isInteger(slot) || slot < 1 || slot > count) throw new RadioError('no-such-slot', `no SIM slot ${slot} (the modem has ${count})`);
    try {
      await this.clients().uim.request(uim.messages.switchSlot, { logicalSlot: 1, physicalSlot: slot });
    } catch (e) {
      // No effect: that slot is already the active one.
      if (isError(e, QmiProtocolError.NoEffect)) return;
      throw refusal(e, `switching to SIM slot ${slot}`);
    }
    // Channels belong to the card that was active.
    this.channelSlots.clear();
  }

  async openChannel(aid: Uint8Array): Promise<number> {
    if (aid.length < 5 || aid.length > 16) throw new RadioError('bad-apdu', `an AID has 5 to 16 bytes, not ${aid.length}`);
    const slot = await this.activeSlot();
    let r;
    try {
      r = await this.clients().uim.request(uim.messages.openLogicalChannel, { slot, aid: [...aid] });
    } catch (e) {
      const card = e instanceof QmiProtocolErrorResponse ? (e.values.cardResult as { sw1: number; sw2: number } | undefined) : undefined;
      if (card) throw new RadioError('failed', `the card refused the channel: status ${((card.sw1 << 8) | card.sw2).toString(16).padStart(4, '0')}`);
      throw refusal(e, 'opening a logical channel');
    }
    if (r.channelId === undefined) throw new RadioError('failed', 'the modem opened no channel');
    this.channelSlots.set(r.channelId, slot);
    return r.channelId;
  }

  async transmitApdu(channel: number, apdu: Uint8Array): Promise<Uint8Array> {
    if (!Number.isInteger(channel) || channel < 0 || channel > 19) throw new RadioError('no-such-channel', `no logical channel ${channel} (0 to 19)`);
    // A short APDU: header, then at most Lc + 255 data bytes + Le.
    if (apdu.length < 4 || apdu.length > 261) throw new RadioError('bad-apdu', `a command APDU has 4 to 261 bytes, not ${apdu.length}`);
    const slot = this.channelSlots.get(channel) ?? (await this.activeSlot());
    try {
      const r = await this.clients().uim.request(uim.messages.sendApdu, { slot, channelId: channel, apdu: [...apdu] });
      if (!r.apduResponse || r.apduResponse.length < 2) throw new RadioError('failed', 'the modem returned no response APDU');
      return Uint8Array.from(r.apduResponse);
    } catch (e) {
      if (isError(e, QmiProtocolError.InvalidArgument)) throw new RadioError('no-such-channel', `logical channel ${channel} is not open`);
      if (isError(e, QmiProtocolError.MissingArgument)) throw new RadioError('bad-apdu', 'the modem refused the APDU');
      throw refusal(e, 'sending an APDU');
    }
  }

  async closeChannel(channel: number): Promise<void> {
    if (!Number.isInteger(channel) || channel < 1 || channel > 19) throw new RadioError('no-such-channel', `no logical channel ${channel} (1 to 19)`);
    const slot = this.channelSlots.get(channel) ?? (await this.activeSlot());
    try {
      await this.clients().uim.request(uim.messages.logicalChannel, { slot, channelId: channel });
    } catch (e) {
      if (isError(e, QmiProtocolError.InvalidArgument)) throw new RadioError('no-such-channel', `logical channel ${channel} is not open`);
      throw refusal(e, 'closing a logical channel');
    } finally {
      this.channelSlots.delete(channel);
    }
  }

  /** From the eUICC itself: GET DATA BF3E on a channel to its ISD-R (SGP.22), as eSIM tools ask. */
  async eid(): Promise<string | undefined> {
    const slots = await this.slots();
    if (slots.find((s) => s.active)?.kind !== 'euicc') return undefined;
    const channel = await this.openChannel(ISD_R_AID);
    try {
      const r = await this.transmitApdu(channel, Uint8Array.of(classByte(channel), 0xca, 0xbf, 0x3e, 0x00));
      return eidOf(r);
    } finally {
      await this.closeChannel(channel).catch(() => undefined);
    }
  }

  async ownNumbers(): Promise<string[]> {
    try {
      const r = await this.clients().dms.request(dms.messages.getMsisdn, {});
      return r.msisdn ? [r.msisdn] : [];
    } catch (e) {
      // Not provisioned: the SIM has no number.
      if (isError(e, QmiProtocolError.NotProvisioned)) return [];
      throw refusal(e, 'own numbers');
    }
  }

  // ---- the SIM's preferred networks (EF_PLMNwAcT through NAS, as ModemManager reads and writes them)

  async preferredNetworks(): Promise<PreferredNetwork[]> {
    const r = await this.clients().nas.request(nas.messages.getPreferredNetworks, {}).catch((e) => Promise.reject(refusal(e, 'preferred networks')));
    // The MNC's third digit is told apart by the PCS-digit list (a 2-digit 01 and a 3-digit 001 are both 1).
    const pcs = (mcc: number, mnc: number): boolean => r.mncPcsDigitIncludeStatus?.find((p) => p.mcc === mcc && p.mnc === mnc)?.includesPcsDigit ?? mnc > 99;
    return (r.preferredNetworks ?? []).map((e) => ({
      mcc: String(e.mcc).padStart(3, '0'),
      mnc: String(e.mnc).padStart(pcs(e.mcc, e.mnc) ? 3 : 2, '0'),
      techs: PLMN_TECH_BITS.filter(([, bit]) => (e.radioAccessTechnology & bit) !== 0).map(([t]) => t),
    }));
  }

  async setPreferredNetworks(list: PreferredNetwork[]): Promise<void> {
    const entries = list.map((n) => ({ mcc: Number(n.mcc), mnc: Number(n.mnc), radioAccessTechnology: PLMN_TECH_BITS.reduce((acc, [t, bit]) => (n.techs.includes(t) ? acc | bit : acc), 0) }));
    await this.clients()
      .nas.request(nas.messages.setPreferredNetworks, {
        preferredNetworks: entries,
        mncPcsDigitIncludeStatus: list.map((n, i) => ({ mcc: entries[i]!.mcc, mnc: entries[i]!.mnc, includesPcsDigit: n.mnc.length === 3 })),
        clearPreviousPreferredNetworks: true,
      })
      .catch((e) => Promise.reject(refusal(e, 'preferred networks')));
  }

  // ---- LTE attach and packet service, as ModemManager 1.20 does them over QMI

  /** The first LTE attach profile: the one the modem attaches with. */
  private async attachProfile(): Promise<number> {
    const client = await this.clients().wds();
    const r = await client.request(wds.messages.getLteAttachPdnList, {}).catch((e) => Promise.reject(refusal(e, 'LTE attach PDN list')));
    const index = r.currentList?.[0];
    if (index === undefined) throw new RadioError('failed', 'the modem lists no LTE attach PDN');
    return index;
  }

  async initialEpsSettings(): Promise<EpsBearerSettings> {
    const index = await this.attachProfile();
    const client = await this.clients().wds();
    const p = await client
      .request(wds.messages.getProfileSettings, { profileId: { profileType: WdsProfileType.names['3gpp'], profileIndex: index } })
      .catch((e) => Promise.reject(refusal(e, `LTE attach profile ${index}`)));
    const ipType = p.pdpType === undefined ? undefined : PDP_IP[p.pdpType];
    return {
      apn: p.apnName ?? '',
      ...(ipType ? { ipType } : {}),
      ...(p.authentication !== undefined ? { auth: authOf(p.authentication) } : {}),
      ...(p.username ? { user: p.username } : {}),
      ...(p.password ? { password: p.password } : {}),
    };
  }

  /** Radio low power, the attach profile modified, the radio back on (the modem attaches with it), as ModemManager does. */
  async setInitialEpsSettings(settings: EpsBearerSettings): Promise<void> {
    const index = await this.attachProfile();
    const client = await this.clients().wds();
    const on = (await this.power()) === 'on';
    if (on) await this.setPower('low');
    try {
      await client
        .request(wds.messages.modifyProfile, {
          profileIdentifier: { profileType: WdsProfileType.names['3gpp'], profileIndex: index },
          apnName: settings.apn,
          ...(settings.ipType ? { pdpType: IP_PDP[settings.ipType] } : {}),
          ...(settings.auth ? { authentication: AUTH_BITS[settings.auth] } : {}),
          username: settings.user ?? '',
          password: settings.password ?? '',
        })
        .catch((e) => Promise.reject(refusal(e, `LTE attach profile ${index}`)));
    } finally {
      if (on) await this.setPower('on');
    }
  }

  /** What the modem attached to LTE with (WDS Get LTE Attach Parameters); undefined while it is not on LTE. */
  async initialEpsBearer(): Promise<EpsBearerSettings | undefined> {
    const reg = await this.clients().nas.request(nas.messages.getServingSystem, {}).catch((e) => Promise.reject(refusal(e, 'serving system')));
    const lte = reg.servingSystem.psAttachState === 1 && reg.servingSystem.radioInterfaces.some((i) => i === NAS_INTERFACE.lte || i === NAS_INTERFACE.nr5g);
    if (!lte) return undefined;
    const client = await this.clients().wds();
    const r = await client.request(wds.messages.getLteAttachParameters, {}).catch((e) => Promise.reject(refusal(e, 'LTE attach parameters')));
    const ipType = r.ipSupportType === undefined ? undefined : SUPPORT_IP[r.ipSupportType];
    return { apn: r.apn ?? '', ...(ipType ? { ipType } : {}) };
  }

  async packetService(): Promise<PacketServiceState> {
    const r = await this.clients().nas.request(nas.messages.getServingSystem, {}).catch((e) => Promise.reject(refusal(e, 'serving system')));
    return r.servingSystem.psAttachState === 1 ? 'attached' : 'detached';
  }

  /** System Selection Preference's service domain: PS attach or PS detach; no effect means it already is. */
  async setPacketService(state: PacketServiceState): Promise<void> {
    const D = NasServiceDomainPreference.names;
    try {
      await this.clients().nas.request(nas.messages.setSystemSelectionPreference, { serviceDomainPreference: state === 'attached' ? D['ps-attach'] : D['ps-detach'] });
    } catch (e) {
      if (!isError(e, QmiProtocolError.NoEffect)) throw refusal(e, `packet service ${state === 'attached' ? 'attach' : 'detach'}`);
    }
  }

  /** EF_ECC's records, read one by one (its attributes give how many). */
  async emergencyNumbers(): Promise<string[]> {
    const u = this.clients().uim;
    const a = await u.request(uim.messages.getFileAttributes, { file: EF_ECC, session: GW_SESSION }).catch((e) => Promise.reject(refusal(e, 'EF_ECC')));
    const size = a.fileAttributes?.recordSize ?? 0;
    const count = size > 0 ? Math.min(a.fileAttributes!.recordCount, 32) : 0;
    const out: string[] = [];
    for (let record = 1; record <= count; record++) {
      const r = await u.request(uim.messages.readRecord, { record: { recordNumber: record, recordLength: size }, file: EF_ECC, session: GW_SESSION }).catch(() => undefined);
      const n = r?.readResult && emergencyNumber(r.readResult);
      if (n && !out.includes(n)) out.push(n);
    }
    return out;
  }

  // ---- power

  async carrierConfig(): Promise<CarrierConfig> {
    const client = await this.clients().pdc().catch((e: unknown) => Promise.reject(refusal(e, 'carrier configuration (PDC)')));
    return loadCarrierConfig(client);
  }

  async power(): Promise<PowerState> {
    const r = await this.clients().dms.request(dms.messages.getOperatingMode, {}).catch((e) => Promise.reject(refusal(e, 'operating mode')));
    const M = DmsOperatingMode.names;
    if (r.mode === M.online) return 'on';
    if (r.mode === M['low-power'] || r.mode === M['persistent-low-power'] || r.mode === M['mode-only-low-power']) return 'low';
    if (r.mode === M.offline || r.mode === M['shutting-down']) return 'off';
    throw new RadioError('failed', `the modem is in operating mode ${r.mode}`);
  }

  async setPower(state: PowerState): Promise<void> {
    const M = DmsOperatingMode.names;
    await this.operatingMode(state === 'on' ? M.online : state === 'low' ? M['low-power'] : M.offline, `powering ${state}`);
  }

  /** Offline, then reset, as ModemManager does: the modem reboots and its control channel goes away. */
  async reset(): Promise<void> {
    const M = DmsOperatingMode.names;
    await this.operatingMode(M.offline, 'reset');
    await this.operatingMode(M.reset, 'reset');
    this.channelSlots.clear();
  }

  private async operatingMode(mode: number, what: string): Promise<void> {
    try {
      await this.clients().dms.request(dms.messages.setOperatingMode, { mode }, { timeoutMs: 20_000 });
    } catch (e) {
      if (!isError(e, QmiProtocolError.NoEffect)) throw refusal(e, what);
    }
  }

  async factoryReset(code: string): Promise<void> {
    // The code is a secret: its shape is checked, never shown.
    if (!/^\d{6}$/.test(code)) throw new RadioError('failed', 'the service programming code has 6 digits');
    try {
      await this.clients().dms.request(dms.messages.restoreFactoryDefaults, { serviceProgrammingCode: code });
    } catch (e) {
      if (isError(e, QmiProtocolError.AuthenticationFailed)) throw new RadioError('failed', 'the modem refused the service programming code');
      throw refusal(e, 'factory reset');
    }
  }
}

/** Bands from the legacy mask and E-UTRA/NR band numbers. */
function toBands(legacy: bigint, eutra: readonly number[], nr: readonly number[]): RadioBand[] {
  const { gsm, utra } = legacyBandsOf(legacy);
  return [
    ...gsm.filter((b) => GSM_BANDS.has(b)).map((band) => ({ tech: 'gsm' as const, band })),
    ...utra.map((band) => ({ tech: 'umts' as const, band })),
    ...eutra.map((band) => ({ tech: 'lte' as const, band })),
    ...nr.map((band) => ({ tech: 'nr5g' as const, band })),
  ];
}

/** The EID in a GetEuiccDataResponse (BF3E { 5A EID }) ending in 90 00; undefined otherwise. */
function eidOf(r: Uint8Array): string | undefined {
  const ok = r.length >= 2 && r[r.length - 2] === 0x90 && r[r.length - 1] === 0x00;
  if (!ok || r[0] !== 0xbf || r[1] !== 0x3e) return undefined;
  const inner = r.subarray(3, 3 + r[2]!);
  if (inner[0] !== 0x5a || inner[1] !== 16 || inner.length < 18) return undefined;
  return Buffer.from(inner.subarray(2, 18)).toString('hex');
}

/** Cells from NAS Get Cell Location Info: LTE and NR measurements come in tenths of dB. */
function cellsOf(v: ResponseOf<typeof nas.messages.getCellLocationInfo>): CellInfo[] {
  const cells: CellInfo[] = [];
  const plmn = (b: readonly number[]) => plmnOfBcd(b) ?? {};
  const dB = (x: number): number => x / 10;
  const lte = v.intrafrequencyLteInfoV2;
  if (lte) {
    for (const c of lte.cells) {
      const serving = c.physicalCellId === lte.servingCellId;
      cells.push({
        serving,
        tech: 'lte',
        ...(serving ? { ...plmn(lte.plmn), cellId: lte.globalCellId, areaCode: lte.trackingAreaCode } : {}),
        arfcn: lte.earfcn,
        pci: c.physicalCellId,
        rsrp: dB(c.rsrp),
        rsrq: dB(c.rsrq),
        rssi: dB(c.rssi),
      });
    }
  }
  for (const f of v.interfrequencyLteInfo?.frequencies ?? []) {
    for (const c of f.cells) cells.push({ serving: false, tech: 'lte', arfcn: f.earfcn, pci: c.physicalCellId, rsrp: dB(c.rsrp), rsrq: dB(c.rsrq), rssi: dB(c.rssi) });
  }
  const nr = v.nr5gCellInformation;
  if (nr) {
    const [t0, t1, t2] = nr.trackingAreaCode;
    cells.push({
      serving: true,
      tech: 'nr5g',
      ...plmn(nr.plmn),
      cellId: Number(nr.globalCellId),
      areaCode: (t0! << 16) | (t1! << 8) | t2!,
      ...(v.nr5gArfcn !== undefined ? { arfcn: v.nr5gArfcn } : {}),
      pci: nr.physicalCellId,
      rsrp: dB(nr.rsrp),
      rsrq: dB(nr.rsrq),
      snr: dB(nr.snr),
    });
  }
  const umts = v.umtsInfoV2;
  if (umts) {
    cells.push({
      serving: true,
      tech: 'umts',
      ...plmn(umts.plmn),
      cellId: v.umtsCellId ?? umts.cellId,
      areaCode: umts.lac,
      arfcn: umts.uarfcn,
      pci: umts.primaryScramblingCode,
      rsrp: umts.rscp,
      rsrq: umts.ecio,
    });
    for (const c of umts.cells) cells.push({ serving: false, tech: 'umts', arfcn: c.uarfcn, pci: c.primaryScramblingCode, rsrp: c.rscp, rsrq: c.ecio });
  }
  const gsm = v.geranInfoV2;
  if (gsm) {
    // RX level 0..63 is -110..-48 dBm.
    const rssi = (rx: number): number => rx - 110;
    cells.push({ serving: true, tech: 'gsm', ...plmn(gsm.plmn), cellId: gsm.cellId, areaCode: gsm.lac, arfcn: gsm.arfcn, pci: gsm.bsic, rssi: rssi(gsm.rxLevel) });
    for (const c of gsm.cells) cells.push({ serving: false, tech: 'gsm', ...plmn(c.plmn), cellId: c.cellId, areaCode: c.lac, arfcn: c.arfcn, pci: c.bsic, rssi: rssi(c.rxLevel) });
  }
  return cells;
}
