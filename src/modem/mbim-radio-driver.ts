/**
 * The radio, network and SIM calls over MBIM, as ModemManager's MBIM modem makes them: Basic Connect
 * (Visible Providers, Register State, Signal State, Pin, Pin List, Radio State, Subscriber Ready
 * Status), MS Basic Connect Extensions (slots, base stations, Device Reset) and MS UICC low-level
 * access (logical channels, the eUICC's EID), and the carrier configuration through QMI over MBIM
 * where the function carries QMI (PDC, as ModemManager reads it there). MBIM has no band control, no preferred technology, no
 * power-down and no factory reset: those answer RadioError 'not-supported'. Codes go into the
 * request only, never into a message.
 */
import { agreedBasicConnect, type AgreedBasicConnect } from './mbim-agreed.js';
import { MbimStatus, MbimStatusError, statusName } from '../mbim/protocol.js';
import { decodeBuffer } from '../mbim/schema.js';
import { atds, AtdsProviderPlmnMode } from '../mbim/services/atds.js';
import {
  AuthProtocol, basicConnect, ContextIpType, DataClass, NwError, PacketServiceAction, PacketServiceState as MbimPacketServiceState, PinMode, PinOperation, PinState, PinType,
  ProviderState, RadioSwitchState, RegisterAction, RegisterState, SubscriberReadyStatusFlag,
} from '../mbim/services/basic-connect.js';
import {
  DefaultPduActivationHint, DrxCycle, LadnInfo, LteAttachContextOperation, LteAttachContextRoamingControl, LteAttachState, MicoMode, msBasicConnectExtensions, PcoType, UiccSlotState,
} from '../mbim/services/ms-basic-connect-extensions.js';
import { msUiccLowLevelAccess, UiccClassByteType, UiccSecureMessaging } from '../mbim/services/ms-uicc-low-level-access.js';
import type { MbimDevice } from '../mbim/client.js';
import { apduShapeError, eidFromResponse, GET_EID_APDU, ISD_R_AID } from '../wire/apdu.js';
import { emergencyNumber } from './sim-files.js';
import {
  RadioError,
  type AccessTech, type CellInfo, type CodeResult, type LockRetries, type ModeSet, type PowerState, type PreferredNetwork, type RadioBand, type RadioBands, type RadioDriver,
  type RadioModes, type RadioRefusal, type RegisterTarget, type ScannedNetwork, type SignalThresholds, type SimLock, type SimSlot,
  type EpsBearerSettings, type Nr5gRegistration, type PacketServiceState, type PcoInfo, type PersonalizationFacility, type PersonalizationLock,
  type PersonalizationResult, type CarrierConfig,
} from './radio-driver.js';
import { openQmiTunnel } from '../mbim/qmi-tunnel.js';
import { qmi } from '../mbim/services/qmi.js';
import { QmiDevice, type QmiClient } from '../qmi/client.js';
import { pdc } from '../qmi/services/pdc.js';
import { loadCarrierConfig } from './qmi-carrier-config.js';

const bc = basicConnect.cids;
const ext = msBasicConnectExtensions.cids;
const uicc = msUiccLowLevelAccess.cids;

/** The data classes of each technology, newest last (what Register State's data class selects). */
const DATA_CLASSES: [AccessTech, number][] = [
  ['gsm', DataClass.names.gprs | DataClass.names.edge],
  ['umts', DataClass.names.umts | DataClass.names.hsdpa | DataClass.names.hsupa],
  ['lte', DataClass.names.lte],
  ['nr5g', DataClass.names['5g-nsa'] | DataClass.names['5g-sa']],
];
const techsOf = (dataClass: number): AccessTech[] => DATA_CLASSES.filter(([, c]) => dataClass & c).map(([t]) => t);
const dataClassOf = (techs: AccessTech[]): number => DATA_CLASSES.reduce((acc, [t, c]) => (techs.includes(t) ? acc | c : acc), 0);
/** The newest technology among the classes a registration shows. */
const techOf = (dataClass: number): AccessTech | undefined => techsOf(dataClass).at(-1);

const PLMN_TECH: Record<number, AccessTech> = { [AtdsProviderPlmnMode.names.gsm]: 'gsm', [AtdsProviderPlmnMode.names.utran]: 'umts', [AtdsProviderPlmnMode.names.lte]: 'lte' };

/** "Unknown" in MS Basic Connect Extensions' cell fields. */
const UNKNOWN = 0xffffffff;
const known = (n: number): number | undefined => (n === UNKNOWN ? undefined : n);
/** Signed dBm fields: 0x7fffffff or the unsigned unknown read as −1 mean not measured. */
const dbm = (n: number): number | undefined => (n === 0x7fffffff || n === -1 || n === UNKNOWN ? undefined : n);
const plmn = (id: string): { mcc?: string; mnc?: string } => (/^\d{5,6}$/.test(id) ? { mcc: id.slice(0, 3), mnc: id.slice(3) } : {});

const NO_NR5G_REGISTRATION = new RadioError('not-supported', 'this modem has no 5G registration settings (they need MBIMEx 3.0)');
/** MBIM's MICO modes and DRX cycles as the radio model names them ("default" is only for sets: unknown). */
const MICO_OF: Record<string, Nr5gRegistration['micoMode']> = { disabled: 'disabled', enabled: 'enabled', unsupported: 'unsupported' };
const DRX_OF: Record<string, Nr5gRegistration['drxCycle']> = { 'not-supported': 'unsupported', '32': '32', '64': '64', '128': '128', '256': '256' };

/** A scan may take minutes on a real modem: mbimcli allows two. */
const SCAN_TIMEOUT_MS = 180_000;
/** Registration looks for the network first. */
const REGISTER_TIMEOUT_MS = 60_000;
/** Cells per technology asked for in Base Stations Info. */
const MAX_CELLS = 15;
/** The channel group our logical channels belong to (a close names the same group). */
const CHANNEL_GROUP = 1;
const SW1_OK = 0x90;

const REASONS: Partial<Record<number, RadioRefusal>> = {
  [MbimStatus.NoDeviceSupport]: 'not-supported',
  [MbimStatus.RadioPowerOff]: 'wrong-state',
  [MbimStatus.NotRegistered]: 'wrong-state',
  [MbimStatus.SimNotInserted]: 'wrong-state',
  [MbimStatus.PinRequired]: 'wrong-state',
  [MbimStatus.PinDisabled]: 'wrong-state',
  [MbimStatus.ProviderNotVisible]: 'no-such-network',
  [MbimStatus.ProvidersNotFound]: 'no-such-network',
  [MbimStatus.DataClassNotAvailable]: 'not-supported',
};

/** Each personalization's PIN type in the PIN list and Pin set, and the PUK that unblocks it (ModemManager's mapping: device SIM is PH-SIM). */
const PERSONALIZATION_PIN: Record<PersonalizationFacility, { pin: keyof typeof PinType.names; puk?: keyof typeof PinType.names; desc: 'networkPin' | 'networkSubsetPin' | 'serviceProviderPin' | 'corporatePin' | 'deviceSimPin' }> = {
  network: { pin: 'network-pin', puk: 'network-puk', desc: 'networkPin' },
  'network-subset': { pin: 'network-subset-pin', puk: 'network-subset-puk', desc: 'networkSubsetPin' },
  'service-provider': { pin: 'service-provider-pin', puk: 'service-provider-puk', desc: 'serviceProviderPin' },
  corporate: { pin: 'corporate-pin', puk: 'corporate-puk', desc: 'corporatePin' },
  'phone-sim': { pin: 'device-sim-pin', desc: 'deviceSimPin' },
};

/** An MBIM status as a typed refusal; anything else (timeouts, a closed device) passes as it is. */
function refusal(e: unknown, what: string): unknown {
  if (!(e instanceof MbimStatusError)) return e;
  return new RadioError(REASONS[e.status] ?? 'failed', `${what}: the modem answered ${statusName(e.status)}`);
}

const IP_TYPE: Record<number, EpsBearerSettings['ipType']> = {
  [ContextIpType.names.ipv4]: 'ipv4', [ContextIpType.names.ipv6]: 'ipv6', [ContextIpType.names.ipv4v6]: 'ipv4v6', [ContextIpType.names['ipv4-and-ipv6']]: 'ipv4v6',
};
const AUTH: Record<number, EpsBearerSettings['auth']> = { [AuthProtocol.names.none]: 'none', [AuthProtocol.names.pap]: 'pap', [AuthProtocol.names.chap]: 'chap' };
/** MBIM names one protocol: with both allowed, CHAP (ModemManager's choice too). */
const PROTOCOL = { none: AuthProtocol.names.none, pap: AuthProtocol.names.pap, chap: AuthProtocol.names.chap, both: AuthProtocol.names.chap } as const;
/** An LTE attach configuration or info as settings; the compression is not shown (neither does ModemManager). */
const epsOf = (c: { ipType: number; accessString: string; userName: string; password: string; authProtocol: number }): EpsBearerSettings => {
  const ipType = IP_TYPE[c.ipType];
  const auth = AUTH[c.authProtocol];
  return { apn: c.accessString, ...(ipType ? { ipType } : {}), ...(auth ? { auth } : {}), ...(c.userName ? { user: c.userName } : {}), ...(c.password ? { password: c.password } : {}) };
};
/** EF_ECC under the USIM's ADF. */
const EF_ECC_PATH = Uint8Array.from([0x7f, 0xff, 0x6f, 0xb7]);

const notSupported = (what: string): RadioError => new RadioError('not-supported', `${what}: MBIM has no such control`);

export class MbimRadio implements RadioDriver {
  /** What a manual registration asked for last: a mode change keeps it (ModemManager does the same). */
  private operatorId: string | undefined;
  /** The technologies last asked for: MBIM 1.0 has no query for them. */
  private requested: AccessTech[] | undefined;
  /** Logical channels this driver opened. */
  private readonly channels = new Set<number>();
  /** Scans under way: a reset ends them. */
  private readonly scans = new Set<(e: Error) => void>();

  /** The Basic Connect commands MBIMEx revised, in the agreed version's layouts. */
  private readonly agreed: AgreedBasicConnect;

  constructor(private readonly device: MbimDevice) {
    this.agreed = agreedBasicConnect(device);
  }

  async scan(signal?: AbortSignal): Promise<ScannedNetwork[]> {
    signal?.throwIfAborted();
    const answer = this.device.query(bc.visibleProviders, { action: 0 }, { timeoutMs: SCAN_TIMEOUT_MS });
    let abandon: (e: Error) => void = () => undefined;
    const ended = new Promise<never>((_, reject) => (abandon = reject));
    const onAbort = (): void => abandon(new RadioError('aborted', 'the scan was abandoned'));
    signal?.addEventListener('abort', onAbort, { once: true });
    this.scans.add(abandon);
    let providers;
    try {
      ({ providers } = await Promise.race([answer, ended]));
    } catch (e) {
      // The modem still answers the abandoned request: its answer goes nowhere.
      answer.catch(() => undefined);
      throw refusal(e, 'network scan');
    } finally {
      this.scans.delete(abandon);
      signal?.removeEventListener('abort', onAbort);
    }
    // MBIM 1.0 providers carry no technology: the registration and ATDS's operator list name it where they can.
    const [reg, seen] = await Promise.all([
      this.device.query(this.agreed.registerState).catch(() => undefined),
      this.device.query(atds.cids.operators).then((r) => r.providers, () => []),
    ]);
    return providers.map((p) => {
      const registered = (p.providerState & ProviderState.names.registered) !== 0;
      const tech = (registered && reg?.providerId === p.providerId ? techOf(reg.availableDataClasses) : undefined) ?? PLMN_TECH[seen.find((s) => s.providerId === p.providerId)?.plmnMode ?? -1] ?? 'gsm';
      const status = registered ? 'current' : p.providerState & ProviderState.names.forbidden ? 'forbidden' : p.providerState & ProviderState.names.visible ? 'available' : 'unknown';
      return { ...(plmn(p.providerId) as { mcc: string; mnc: string }), ...(p.providerName ? { name: p.providerName } : {}), tech, status };
    });
  }

  async register(target: RegisterTarget): Promise<void> {
    if (target.mode === 'manual' && !(/^\d{3}$/.test(target.mcc) && /^\d{2,3}$/.test(target.mnc))) throw new RadioError('no-such-network', 'an operator is a 3-digit MCC and a 2- or 3-digit MNC');
    const operatorId = target.mode === 'manual' ? target.mcc + target.mnc : undefined;
    const techs = target.mode === 'manual' && target.tech ? [target.tech] : this.requested;
    await this.registerState(operatorId, techs, operatorId ? `registration in ${operatorId}` : 'automatic registration');
    this.operatorId = operatorId;
    if (techs) this.requested = techs;
  }

  /** Register State set; a refusal carries the network's cause (NwError) in the registration state that comes with it. */
  private async registerState(operatorId: string | undefined, techs: AccessTech[] | undefined, what: string): Promise<void> {
    let r;
    try {
      r = await this.device.set(
        this.agreed.registerState,
        { providerId: operatorId ?? '', registerAction: operatorId ? RegisterAction.names.manual : RegisterAction.names.automatic, dataClass: techs ? dataClassOf(techs) : 0 },
        { timeoutMs: REGISTER_TIMEOUT_MS },
      );
    } catch (e) {
      if (e instanceof MbimStatusError && e.status === MbimStatus.Failure && e.buffer.length > 0) {
        const d = decodeBuffer(this.agreed.registerState.response, e.buffer);
        if (d.ok && d.value.nwError) throw networkRefused(what, d.value.nwError);
      }
      throw refusal(e, what);
    }
    if (r.registerState === RegisterState.names.denied && r.nwError) throw networkRefused(what, r.nwError);
  }

  async modes(): Promise<RadioModes> {
    const supported = await this.supportedTechs();
    // Every non-empty combination, none preferred: MBIM registers on the best one it may use.
    const combos: ModeSet[] = [];
    for (let mask = 1; mask < 1 << supported.length; mask++) combos.push({ allowed: supported.filter((_, i) => mask & (1 << i)) });
    return { current: { allowed: this.requested ?? supported }, supported: combos };
  }

  private async supportedTechs(): Promise<AccessTech[]> {
    const caps = await this.device.query(bc.deviceCaps).catch((e: unknown) => Promise.reject(refusal(e, 'device caps')));
    return techsOf(caps.dataClass);
  }

  async setModes(modes: ModeSet): Promise<void> {
    const supported = await this.supportedTechs();
    const unknown = modes.allowed.filter((t) => !supported.includes(t));
    if (modes.allowed.length === 0) throw new RadioError('not-supported', 'at least one access technology must be allowed');
    if (unknown.length) throw new RadioError('not-supported', `the modem has no ${unknown.join(', ')}`);
    if (modes.preferred !== undefined && !(modes.allowed.length === 1 && modes.allowed[0] === modes.preferred)) {
      throw new RadioError('not-supported', 'MBIM has no preferred technology: the modem registers on the best one allowed');
    }
    await this.registerState(this.operatorId, modes.allowed, 'mode change');
    this.requested = [...modes.allowed];
  }

  async bands(): Promise<RadioBands> {
    throw notSupported('bands');
  }

  async setBands(_bands: RadioBand[]): Promise<void> {
    throw notSupported('band selection');
  }

  async cells(): Promise<CellInfo[]> {
    const max = { maxGsmCount: MAX_CELLS, maxUmtsCount: MAX_CELLS, maxTdscdmaCount: 0, maxLteCount: MAX_CELLS, maxCdmaCount: 0 };
    // MBIMEx 3.0 adds NR cells (asked for with a limit of their own).
    const failed = (e: unknown) => Promise.reject(refusal(e, 'cell info'));
    const v3 = this.device.mbimexAtLeast(3) ? await this.device.query(ext.baseStationsInfoV3, { ...max, maxNrCount: MAX_CELLS }).catch(failed) : undefined;
    const b = v3 ?? (await this.device.query(ext.baseStationsInfo, max).catch(failed));
    const out: CellInfo[] = [];
    const add = (c: CellInfo): void => void out.push(Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as CellInfo);
    const gsm = (serving: boolean, c: { providerId: string; locationAreaCode: number; cellId: number; arfcn: number; baseStationId: number; rxLevel: number }) =>
      // RxLev 0–63 is dBm + 110.
      add({ serving, tech: 'gsm', ...plmn(c.providerId), cellId: known(c.cellId), areaCode: known(c.locationAreaCode), arfcn: known(c.arfcn), pci: known(c.baseStationId), rssi: c.rxLevel <= 63 ? c.rxLevel - 110 : undefined });
    const umts = (serving: boolean, c: { providerId: string; locationAreaCode: number; cellId: number; uarfcn: number; primaryScramblingCode: number }) =>
      add({ serving, tech: 'umts', ...plmn(c.providerId), cellId: known(c.cellId), areaCode: known(c.locationAreaCode), arfcn: known(c.uarfcn), pci: known(c.primaryScramblingCode) });
    const lte = (serving: boolean, c: { providerId: string; cellId: number; earfcn: number; physicalCellId: number; tac: number; rsrp: number; rsrq: number }) =>
      add({ serving, tech: 'lte', ...plmn(c.providerId), cellId: known(c.cellId), areaCode: known(c.tac), arfcn: known(c.earfcn), pci: known(c.physicalCellId), rsrp: dbm(c.rsrp), rsrq: dbm(c.rsrq) });
    // NR's signal as TS 38.133 reports it, offset to unsigned: RSRP + 156, RSRQ + 43, SINR + 23 (ModemManager's reading).
    const offset = (n: number, by: number): number | undefined => (n === UNKNOWN ? undefined : n - by);
    const nr = (serving: boolean, c: { providerId: string; cellId: number | undefined; physicalCellId: number; tac: number; rsrp: number; rsrq: number; sinr: number; nrarfcn?: number }) =>
      add({
        serving, tech: 'nr5g', ...plmn(c.providerId), cellId: c.cellId, areaCode: known(c.tac), arfcn: c.nrarfcn === undefined ? undefined : known(c.nrarfcn), pci: known(c.physicalCellId),
        rsrp: offset(c.rsrp, 156), rsrq: offset(c.rsrq, 43), snr: offset(c.sinr, 23),
      });
    if (b.gsmServingCell) gsm(true, b.gsmServingCell);
    if (b.umtsServingCell) umts(true, b.umtsServingCell);
    if (b.lteServingCell) lte(true, b.lteServingCell);
    // The NCI is 36 bits: a number holds it; all ones is unknown.
    for (const c of v3?.nrServingCells ?? []) nr(true, { ...c, cellId: c.nci === 0xfffffffffn || c.nci === 0xffffffffffffffffn ? undefined : Number(c.nci) });
    for (const c of b.gsmNeighboringCells) gsm(false, c);
    for (const c of b.umtsNeighboringCells) umts(false, c);
    for (const c of b.lteNeighboringCells) lte(false, c);
    for (const c of v3?.nrNeighborCells ?? []) nr(false, { ...c, cellId: /^\d+$/.test(c.cellId) ? Number(c.cellId) : undefined });
    return out;
  }

  async setSignalThresholds(t: SignalThresholds): Promise<void> {
    // MBIM's RSSI is coded in 2 dB steps: a threshold of n steps is a change of 2n dB.
    const values = { signalStrengthInterval: t.rateSeconds ?? 0, rssiThreshold: t.rssiDelta ? Math.max(1, Math.round(t.rssiDelta / 2)) : 0, errorRateThreshold: t.errorRate ? 1 : 0 };
    await this.device.set(this.agreed.signalState, values).catch((e: unknown) => Promise.reject(refusal(e, 'signal thresholds')));
  }

  async retries(): Promise<LockRetries> {
    // The Pin query names what the card asks for first, and that code's tries.
    const p = await this.device.query(bc.pin).catch((e: unknown) => Promise.reject(refusal(e, 'PIN state')));
    const type = PinType.nameOf(p.pinType);
    if (type === 'puk1') return { pin1: 0, puk1: p.remainingAttempts };
    if (type === 'pin1') return { pin1: p.remainingAttempts };
    if (type === 'puk2') return { pin2: 0, puk2: p.remainingAttempts };
    if (type === 'pin2') return { pin2: p.remainingAttempts };
    return {};
  }

  /** PIN1's mode in the PIN list. */
  pin1Enabled(): Promise<boolean | undefined> {
    return this.pinEnabled('pin1');
  }

  /** PIN2's mode in the PIN list. */
  pin2Enabled(): Promise<boolean | undefined> {
    return this.pinEnabled('pin2');
  }

  private async pinEnabled(lock: SimLock): Promise<boolean | undefined> {
    const mode = PinMode.nameOf((await this.device.query(bc.pinList).catch((e: unknown) => Promise.reject(refusal(e, 'PIN list'))))[lock].pinMode);
    return mode === 'enabled' ? true : mode === 'disabled' ? false : undefined;
  }

  // ---- personalization (SIM lock): the PIN list's modes, as ModemManager reads them; MBIM tells no tries there

  async personalization(): Promise<PersonalizationLock[]> {
    const list = await this.device.query(bc.pinList).catch((e: unknown) => Promise.reject(refusal(e, 'PIN list')));
    return (Object.keys(PERSONALIZATION_PIN) as PersonalizationFacility[]).filter((f) => list[PERSONALIZATION_PIN[f].desc].pinMode === PinMode.names.enabled).map((facility) => ({ facility }));
  }

  /**
   * Pin set Disable with the facility's PIN type and its key. A key not taken is a failure whose
   * PinInfo says the tries left, or the PUK's where the lock went blocked; ModemManager also takes an
   * answer that leaves the lock locked as a refusal.
   */
  async disablePersonalization(facility: PersonalizationFacility, key: string): Promise<PersonalizationResult> {
    const { pin, puk } = PERSONALIZATION_PIN[facility];
    const refused = (info: { pinType: number; pinState: number; remainingAttempts: number }): PersonalizationResult | undefined => {
      if (info.pinType === PinType.names[pin] && info.pinState === PinState.names.locked) {
        return info.remainingAttempts === 0 ? { ok: false, refusal: 'blocked', retries: 0 } : { ok: false, refusal: 'incorrect-key', retries: info.remainingAttempts };
      }
      if (puk && info.pinType === PinType.names[puk]) {
        return { ok: false, refusal: info.remainingAttempts === 0 ? 'permanently-blocked' : 'blocked', retries: 0, unblockRetries: info.remainingAttempts };
      }
      return undefined;
    };
    const what = `disabling the ${facility} lock`;
    try {
      const info = await this.device.set(bc.pin, { pinType: PinType.names[pin], pinOperation: PinOperation.names.disable, pin: key, newPin: '' });
      return refused(info) ?? { ok: true };
    } catch (e) {
      if (e instanceof MbimStatusError && e.status === MbimStatus.PinDisabled) return { ok: false, refusal: 'not-enabled' };
      const d = e instanceof MbimStatusError && e.status === MbimStatus.Failure && e.buffer.length > 0 ? decodeBuffer(bc.pin.response, e.buffer) : undefined;
      const r = d?.ok ? refused(d.value) : undefined;
      if (!r) throw refusal(e, what);
      return r;
    }
  }

  enablePin(lock: SimLock, pin: string, enable: boolean): Promise<CodeResult> {
    return this.pin(lock, enable ? 'enable' : 'disable', pin, '');
  }

  changePin(lock: SimLock, oldPin: string, newPin: string): Promise<CodeResult> {
    return this.pin(lock, 'change', oldPin, newPin);
  }

  verifyPin2(pin2: string): Promise<CodeResult> {
    return this.pin('pin2', 'enter', pin2, '');
  }

  unblockPin2(puk2: string, newPin2: string): Promise<CodeResult> {
    return this.pin('puk2', 'enter', puk2, newPin2);
  }

  /**
   * A Pin set. A wrong code is an answer with the tries left (the PinInfo that comes with the
   * failure); a code whose lock went to its PUK has none left.
   */
  private async pin(type: SimLock | 'puk2', op: keyof typeof PinOperation.names, code: string, newCode: string): Promise<CodeResult> {
    const pinType = PinType.names[type];
    const pukType = PinType.names[type === 'pin1' ? 'puk1' : 'puk2'];
    const what = `${type.toUpperCase()} ${op}`;
    // The tries of the code used; none left where the card now asks for the PUK instead.
    const triesOf = (info: { pinType: number; remainingAttempts: number }): number | undefined =>
      info.pinType === pinType ? info.remainingAttempts : info.pinType === pukType ? 0 : undefined;
    const result = (ok: boolean, info: { pinType: number; remainingAttempts: number }): CodeResult => {
      const retries = triesOf(info);
      return retries === undefined ? { ok } : { ok, retries };
    };
    try {
      return result(true, await this.device.set(bc.pin, { pinType, pinOperation: PinOperation.names[op], pin: code, newPin: newCode }));
    } catch (e) {
      if (!(e instanceof MbimStatusError) || e.status === MbimStatus.PinDisabled || e.status === MbimStatus.SimNotInserted || e.status === MbimStatus.NoDeviceSupport) throw refusal(e, what);
      const d = e.buffer.length > 0 ? decodeBuffer(bc.pin.response, e.buffer) : undefined;
      if (!d?.ok) throw refusal(e, what);
      return result(false, d.value);
    }
  }

  async slots(): Promise<SimSlot[]> {
    const [caps, map] = await Promise.all([this.device.query(ext.sysCaps), this.device.query(ext.deviceSlotMappings)]).catch((e: unknown) => Promise.reject(refusal(e, 'SIM slots')));
    const active = map.slotMap[0]?.slot;
    const out: SimSlot[] = [];
    for (let i = 0; i < caps.numberOfSlots; i++) {
      const info = await this.device.query(ext.slotInfoStatus, { slotIndex: i }).catch((e: unknown) => Promise.reject(refusal(e, `SIM slot ${i + 1}`)));
      const state = UiccSlotState.nameOf(info.state);
      const kind = state === 'state-active-esim' || state === 'state-active-esim-no-profiles' ? 'euicc' : state === 'state-active' ? 'uicc' : 'unknown';
      const present = state !== undefined && !['state-unknown', 'sate-off-empty', 'state-empty'].includes(state);
      const esim = state === 'state-active-esim' ? 'with-profiles' : state === 'state-active-esim-no-profiles' ? 'no-profiles' : undefined;
      const slot: SimSlot = { slot: i + 1, active: i === active, present, kind, ...(esim ? { esim } : {}) };
      if (i === active && present) {
        // Only the active card answers: its ICCID, the eUICC's EID, and (MBIMEx 3.0) whether it can be removed.
        const ready = await this.device.query(this.agreed.subscriberReadyStatus).catch(() => undefined);
        if (ready?.simIccId) slot.iccid = ready.simIccId;
        const F = SubscriberReadyStatusFlag.names;
        const flags = ready && 'flags' in ready ? (ready.flags as number) : 0;
        if (flags & F['sim-removability-known']) slot.removable = (flags & F['sim-removable']) !== 0;
        if (kind === 'euicc') {
          const eid = await this.eid().catch(() => undefined);
          if (eid) slot.eid = eid;
        }
      }
      out.push(slot);
    }
    return out;
  }

  async setPrimarySlot(slot: number): Promise<void> {
    const caps = await this.device.query(ext.sysCaps).catch((e: unknown) => Promise.reject(refusal(e, 'SIM slots')));
    if (!Number.isInteger(slot) || slot < 1 || slot > caps.numberOfSlots) throw new RadioError('no-such-slot', `no SIM slot ${slot} (the modem has ${caps.numberOfSlots})`);
    await this.device.set(ext.deviceSlotMappings, { slotMap: [{ slot: slot - 1 }] }).catch((e: unknown) => Promise.reject(refusal(e, `switch to SIM slot ${slot}`)));
    // The new card starts with no channels open.
    this.channels.clear();
  }

  async openChannel(aid: Uint8Array): Promise<number> {
    if (aid.length < 5 || aid.length > 16) throw new RadioError('bad-apdu', `an AID is 5 to 16 bytes, not ${aid.length}`);
    const r = await this.device.set(uicc.openChannel, { appId: aid, selectP2Arg: 0, channelGroup: CHANNEL_GROUP }).catch((e: unknown) => Promise.reject(refusal(e, 'open channel')));
    // The status is SW1 of the SELECT: 0x90 or 0x61 (more data) opened it.
    if (r.status !== SW1_OK && r.status !== 0x61) throw new RadioError('failed', `the card refused to open a channel to ${Buffer.from(aid).toString('hex')} (SW1 ${r.status.toString(16)})`);
    this.channels.add(r.channel);
    return r.channel;
  }

  async transmitApdu(channel: number, apdu: Uint8Array): Promise<Uint8Array> {
    if (!this.channels.has(channel)) throw new RadioError('no-such-channel', `channel ${channel} is not open`);
    const shape = apduShapeError(apdu);
    if (shape) throw new RadioError('bad-apdu', shape);
    const r = await this.device
      .set(uicc.apdu, { channel, secureMessaging: UiccSecureMessaging.names.none, classByteType: UiccClassByteType.names['inter-industry'], command: apdu })
      .catch((e: unknown) => Promise.reject(refusal(e, 'APDU')));
    // The status is SW1 SW2 as a little-endian UINT32; the response is the data without them.
    const sw = Uint8Array.of(r.status & 0xff, (r.status >> 8) & 0xff);
    // 68 81: the card (or function) knows no such channel, e.g. after a reset.
    if (sw[0] === 0x68 && sw[1] === 0x81) {
      this.channels.delete(channel);
      throw new RadioError('no-such-channel', `channel ${channel} is not open on the card`);
    }
    const out = new Uint8Array(r.response.length + 2);
    out.set(r.response);
    out.set(sw, r.response.length);
    return out;
  }

  async closeChannel(channel: number): Promise<void> {
    if (!this.channels.delete(channel)) throw new RadioError('no-such-channel', `channel ${channel} is not open`);
    const r = await this.device.set(uicc.closeChannel, { channel, channelGroup: CHANNEL_GROUP }).catch((e: unknown) => Promise.reject(refusal(e, 'close channel')));
    if (r.status !== SW1_OK) throw new RadioError('no-such-channel', `the card has no channel ${channel} (SW1 ${r.status.toString(16)})`);
  }

  async eid(): Promise<string | undefined> {
    // Where there is no ISD-R there is no eUICC (ModemManager's test too).
    let channel;
    try {
      channel = await this.openChannel(ISD_R_AID);
    } catch (e) {
      if (e instanceof RadioError && e.reason === 'failed') return undefined;
      throw e;
    }
    try {
      return eidFromResponse(await this.transmitApdu(channel, GET_EID_APDU));
    } finally {
      await this.closeChannel(channel).catch(() => undefined);
    }
  }

  // MBIM's preferred providers carry no access technologies: the list is QMI's (EF_PLMNwAcT) here.
  preferredNetworks(): Promise<PreferredNetwork[]> {
    return Promise.reject(new RadioError('not-supported', 'preferred networks are not supported over MBIM'));
  }

  setPreferredNetworks(): Promise<void> {
    return Promise.reject(new RadioError('not-supported', 'preferred networks are not supported over MBIM'));
  }

  async ownNumbers(): Promise<string[]> {
    const r = await this.device.query(this.agreed.subscriberReadyStatus).catch((e: unknown) => Promise.reject(refusal(e, 'own numbers')));
    return r.telephoneNumbers.filter((n) => n !== '');
  }

  // ---- LTE attach, packet service, PCO: ModemManager 1.20's MBIM calls

  private async attachConfigurations() {
    return (await this.device.query(ext.lteAttachConfiguration).catch((e: unknown) => Promise.reject(refusal(e, 'LTE attach configuration')))).configurations;
  }

  /** The home configuration: the only one ModemManager shows or changes. */
  async initialEpsSettings(): Promise<EpsBearerSettings> {
    const home = (await this.attachConfigurations()).find((c) => c.roaming === LteAttachContextRoamingControl.names.home);
    if (!home) throw new RadioError('failed', 'the modem has no home LTE attach configuration');
    return epsOf(home);
  }

  /** The configurations read, the home one changed, all written back (partner and non-partner as they were). */
  async setInitialEpsSettings(settings: EpsBearerSettings): Promise<void> {
    const configurations = (await this.attachConfigurations()).map((c) =>
      c.roaming !== LteAttachContextRoamingControl.names.home
        ? c
        : {
            ...c,
            ipType: settings.ipType ? ContextIpType.names[settings.ipType] : ContextIpType.names.default,
            accessString: settings.apn,
            userName: settings.user ?? '',
            password: settings.password ?? '',
            authProtocol: settings.auth ? PROTOCOL[settings.auth] : AuthProtocol.names.none,
            // Set by the user, uncompressed, as ModemManager sets it.
            source: 1,
            compression: 0,
          },
    );
    await this.device
      .set(ext.lteAttachConfiguration, { operation: LteAttachContextOperation.names.default, configurations })
      .catch((e: unknown) => Promise.reject(refusal(e, 'LTE attach configuration')));
  }

  async initialEpsBearer(): Promise<EpsBearerSettings | undefined> {
    const r = await this.device.query(this.device.pick(ext.lteAttachInfo, ext.lteAttachInfoV3)).catch((e: unknown) => Promise.reject(refusal(e, 'LTE attach info')));
    return r.lteAttachState === LteAttachState.names.attached ? epsOf(r) : undefined;
  }

  async packetService(): Promise<PacketServiceState> {
    const r = await this.device.query(this.agreed.packetService).catch((e: unknown) => Promise.reject(refusal(e, 'packet service')));
    return r.packetServiceState === MbimPacketServiceState.names.attached ? 'attached' : 'detached';
  }

  async setPacketService(state: PacketServiceState): Promise<void> {
    const action = PacketServiceAction.names[state === 'attached' ? 'attach' : 'detach'];
    await this.device.set(this.agreed.packetService, { packetServiceAction: action }).catch((e: unknown) => Promise.reject(refusal(e, `packet service ${state === 'attached' ? 'attach' : 'detach'}`)));
  }

  // ---- 5G registration settings: MBIMEx 3.0's registration parameters, as ModemManager 1.20 reads and writes them

  async nr5gRegistration(): Promise<Nr5gRegistration> {
    if (!this.device.mbimexAtLeast(3)) throw NO_NR5G_REGISTRATION;
    const r = await this.device.query(ext.registrationParameters).catch((e: unknown) => Promise.reject(refusal(e, 'registration parameters')));
    return { micoMode: MICO_OF[MicoMode.nameOf(r.micoMode) ?? 'default'] ?? 'unknown', drxCycle: DRX_OF[DrxCycle.nameOf(r.drxCycle) ?? ''] ?? 'unknown' };
  }

  /** LADN information not needed, a default PDU session likely, registering again if the network must see the change (ModemManager's values). */
  async setNr5gRegistration(settings: Nr5gRegistration): Promise<void> {
    if (!this.device.mbimexAtLeast(3)) throw NO_NR5G_REGISTRATION;
    const micoMode = MicoMode.names[settings.micoMode === 'unknown' ? 'default' : settings.micoMode];
    const drxCycle = DrxCycle.names[settings.drxCycle === 'unknown' ? 'not-specified' : settings.drxCycle === 'unsupported' ? 'not-supported' : settings.drxCycle];
    await this.device
      .set(ext.registrationParameters, { micoMode, drxCycle, ladnInfo: LadnInfo.names['not-needed'], defaultPduActivationHint: DefaultPduActivationHint.names.likely, reRegisterIfNeeded: 1, unnamedIes: new Uint8Array() })
      .catch((e: unknown) => Promise.reject(refusal(e, 'registration parameters')));
  }

  /** The PCO of each session up; a session that is not is skipped. */
  async pco(): Promise<PcoInfo[]> {
    const caps = await this.device.query(bc.deviceCaps).catch((e: unknown) => Promise.reject(refusal(e, 'device caps')));
    const out: PcoInfo[] = [];
    for (let sessionId = 0; sessionId < Math.min(caps.maxSessions, 32); sessionId++) {
      const r = await this.device.query(ext.pco, { sessionId, pcoDataType: 0, pcoDataBuffer: new Uint8Array(0) }).catch(() => undefined);
      if (r) out.push({ sessionId: r.sessionId, complete: r.pcoDataType === PcoType.names.complete, data: r.pcoDataBuffer });
    }
    return out;
  }

  /** EF_ECC through MS UICC low-level access, record by record until the card has no more. */
  async emergencyNumbers(): Promise<string[]> {
    const apps = await this.device.query(uicc.applicationList).catch((e: unknown) => Promise.reject(refusal(e, 'UICC applications')));
    const usim = apps.applications.find((a) => a.applicationType === 4);
    if (!usim) return [];
    const path = { version: 1, applicationId: usim.applicationId, filePath: EF_ECC_PATH };
    const status = await this.device.query(uicc.fileStatus, path).catch((e: unknown) => Promise.reject(refusal(e, 'EF_ECC')));
    if (status.statusWord1 !== SW1_OK) return [];
    const out: string[] = [];
    for (let recordNumber = 1; recordNumber <= Math.min(status.fileItemCount, 32); recordNumber++) {
      const r = await this.device.query(uicc.readRecord, { ...path, recordNumber, localPin: '', data: new Uint8Array(0) }).catch(() => undefined);
      const n = r && r.statusWord1 === SW1_OK ? emergencyNumber([...r.data]) : undefined;
      if (n && !out.includes(n)) out.push(n);
    }
    return out;
  }

  // ---- carrier configuration: QMI PDC over MBIM, on a QMI device opened when first asked for

  /** The QMI device over this MBIM function, once opened (closed with the driver: its client ids go back). */
  private qmiDevice: QmiDevice | undefined;
  private pdcClient: Promise<QmiClient<typeof pdc>> | undefined;

  async carrierConfig(): Promise<CarrierConfig> {
    this.pdcClient ??= this.openPdc().catch((e: unknown) => {
      this.pdcClient = undefined;
      throw e;
    });
    return loadCarrierConfig(await this.pdcClient);
  }

  private async openPdc(): Promise<QmiClient<typeof pdc>> {
    const services = await this.device.query(bc.deviceServices).catch((e: unknown) => Promise.reject(refusal(e, 'device services')));
    if (!services.deviceServices.some((s) => s.deviceServiceId === qmi.uuid)) throw new RadioError('not-supported', 'carrier configuration: this MBIM function carries no QMI (QMI over MBIM)');
    // The tunnel shares the device: its notifications join the driver's instead of replacing them.
    this.qmiDevice ??= new QmiDevice(await openQmiTunnel(this.device, { shared: true }));
    return this.qmiDevice.allocateClient(pdc).catch((e: unknown) => Promise.reject(refusal(e, 'carrier configuration (PDC over MBIM)')));
  }

  /** Gives back the QMI client ids held over MBIM (the MBIM device stays open: the driver closes it). */
  async release(): Promise<void> {
    const device = this.qmiDevice;
    this.qmiDevice = undefined;
    this.pdcClient = undefined;
    await device?.close();
  }

  async power(): Promise<PowerState> {
    const r = await this.device.query(bc.radioState).catch((e: unknown) => Promise.reject(refusal(e, 'radio state')));
    return r.hwRadioState === RadioSwitchState.names.on && r.swRadioState === RadioSwitchState.names.on ? 'on' : 'low';
  }

  async setPower(state: PowerState): Promise<void> {
    if (state === 'off') throw notSupported('power off');
    const r = await this.device
      .set(bc.radioState, { radioState: state === 'on' ? RadioSwitchState.names.on : RadioSwitchState.names.off })
      .catch((e: unknown) => Promise.reject(refusal(e, `radio ${state}`)));
    if (state === 'on' && r.hwRadioState !== RadioSwitchState.names.on) throw new RadioError('wrong-state', 'the radio is switched off in hardware');
  }

  async reset(): Promise<void> {
    await this.device.set(ext.deviceReset, {}).catch((e: unknown) => Promise.reject(refusal(e, 'reset')));
    // The modem restarts: a scan under way never completes, and the card has no channels open.
    for (const end of this.scans) end(new RadioError('aborted', 'the modem was reset during the scan'));
    this.channels.clear();
  }

  async factoryReset(_code: string): Promise<void> {
    throw notSupported('factory reset');
  }
}

function networkRefused(what: string, nwError: number): RadioError {
  return new RadioError('network-refused', `${what} refused by the network: ${NwError.nameOf(nwError) ?? 'cause'} (3GPP cause ${nwError})`, nwError);
}
