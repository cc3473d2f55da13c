/**
 * The radio and SIM model behind MBIM: PIN operations and the PIN list (Basic Connect), providers as
 * the network scan finds them, manual registration refused with its 3GPP cause, slots and their
 * mapping, cells and location (MS Basic Connect Extensions, ATDS), the network's time (NITZ), and
 * the network idle hint and emergency mode a host can set. Everything is read from the firmware
 * model, so QMI and MBIM see the same network and cards.
 */
import { MbimStatus } from '../mbim/protocol.js';
import {
  CellularClass, DataClass, DataSubclass, EmergencyModeState, NetworkIdleHintState, PinFormat, PinMode, PinOperation, PinState, PinType, ProviderState,
  RegisterAction, basicConnect,
} from '../mbim/services/basic-connect.js';
import { atds, AtdsProviderPlmnMode, AtdsRatMode } from '../mbim/services/atds.js';
import { msBasicConnectExtensions, UiccSlotState } from '../mbim/services/ms-basic-connect-extensions.js';
import { msVoiceExtensions } from '../mbim/services/ms-voice-extensions.js';
import type { ResponseOf } from '../mbim/service.js';
import type { ModemFirmware, Rat } from './firmware.js';
import { MbimCommandFailure, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import { RegistrationRefused, ScanAbortedError, type Cell, type ScanResult } from './radio-network.js';
import type { CodeLock, LockResult, SimLockId } from './sim-card.js';
import type { DepersonalizationOutcome, PersonalizationFeature } from './personalization.js';

const bc = basicConnect.cids;
const ext = msBasicConnectExtensions.cids;
const fail = (status: number, values?: object): MbimCommandFailure => new MbimCommandFailure(status, values);

/** Unknown in MS Basic Connect Extensions' cell info. */
const UNKNOWN = 0xffffffff;
const UNKNOWN_U64 = 0xffffffffffffffffn;

/** The data classes of each technology (what Basic Connect reports for a RAT). */
export const DATA_CLASS_OF: Record<Rat, number> = {
  gsm: DataClass.names.gprs | DataClass.names.edge,
  umts: DataClass.names.umts | DataClass.names.hsdpa | DataClass.names.hsupa,
  lte: DataClass.names.lte,
  '5gnr': DataClass.names['5g-nsa'],
};

/** The PIN types MBIM has for the card's two locks, and their PUKs. */
const LOCKS: Record<number, { lock: SimLockId; puk: boolean }> = {
  [PinType.names.pin1]: { lock: 'pin1', puk: false },
  [PinType.names.pin2]: { lock: 'pin2', puk: false },
  [PinType.names.puk1]: { lock: 'pin1', puk: true },
  [PinType.names.puk2]: { lock: 'pin2', puk: true },
};

/**
 * The PIN types MBIM has for the modem's personalizations (the same model QMI's UIM
 * Depersonalization works on), and their PUKs: a feature's control key is its PIN, its unblock key its PUK.
 */
const PERSONALIZATIONS: Record<number, { feature: PersonalizationFeature; puk: boolean }> = {
  [PinType.names['device-sim-pin']]: { feature: 'gw-ue', puk: false },
  [PinType.names['network-pin']]: { feature: 'gw-network', puk: false },
  [PinType.names['network-subset-pin']]: { feature: 'gw-network-subset', puk: false },
  [PinType.names['service-provider-pin']]: { feature: 'gw-service-provider', puk: false },
  [PinType.names['corporate-pin']]: { feature: 'gw-corporate', puk: false },
  [PinType.names['network-puk']]: { feature: 'gw-network', puk: true },
  [PinType.names['network-subset-puk']]: { feature: 'gw-network-subset', puk: true },
  [PinType.names['service-provider-puk']]: { feature: 'gw-service-provider', puk: true },
  [PinType.names['corporate-puk']]: { feature: 'gw-corporate', puk: true },
};
const pinTypeOf = (feature: PersonalizationFeature, puk: boolean): number =>
  Number(Object.entries(PERSONALIZATIONS).find(([, p]) => p.feature === feature && p.puk === puk)?.[0] ?? PinType.names.unknown);

/** How a modem refuses each depersonalization outcome: a key not taken is a failure with the tries left; nothing to lift, the PIN is disabled. */
const DEPERSONALIZATION_STATUS: Record<Exclude<DepersonalizationOutcome, 'ok'>, number> = {
  'not-active': MbimStatus.PinDisabled,
  'not-blocked': MbimStatus.Failure,
  incorrect: MbimStatus.Failure,
  blocked: MbimStatus.Failure,
  'permanently-blocked': MbimStatus.Failure,
};

/** The registration refusal as an MBIM NwError (the 3GPP cause), while a manual selection stands refused. */
export const registrationNwError = (fw: ModemFirmware): number => fw.radio.rejectCause ?? 0;

export function serveMbimRadio(ep: MbimDeviceEndpoint, fw: ModemFirmware): void {
  const cardPresent = () => {
    const card = fw.card;
    if (!card || !card.powered) throw fail(MbimStatus.SimNotInserted);
    return card;
  };

  // ---- PIN: what the card asks for first (PUK1, PIN1), else PIN2's state when asked about it
  const pinInfo = (r?: LockResult, asked?: number): ResponseOf<typeof bc.pin> => {
    const card = cardPresent();
    const one = card.pin1;
    if (one.state === 'blocked' || one.state === 'permanently-blocked') return { pinType: PinType.names.puk1, pinState: PinState.names.locked, remainingAttempts: one.unblockRetries };
    if (one.state === 'enabled-not-verified') return { pinType: PinType.names.pin1, pinState: PinState.names.locked, remainingAttempts: one.retries };
    // The answer to a PIN1 operation says its tries, as one on PIN2 does.
    if (r && asked !== undefined && LOCKS[asked]?.lock === 'pin1') return { pinType: PinType.names.pin1, pinState: r.outcome === 'ok' ? PinState.names.unlocked : PinState.names.locked, remainingAttempts: one.retries };
    const two = card.pin2;
    if (asked !== undefined && LOCKS[asked]?.lock === 'pin2') {
      const blocked = two.state === 'blocked' || two.state === 'permanently-blocked';
      return blocked
        ? { pinType: PinType.names.puk2, pinState: PinState.names.locked, remainingAttempts: two.unblockRetries }
        : { pinType: PinType.names.pin2, pinState: r?.outcome === 'ok' ? PinState.names.unlocked : PinState.names.locked, remainingAttempts: two.retries };
    }
    return { pinType: PinType.names.unknown, pinState: PinState.names.unlocked, remainingAttempts: 0 };
  };
  ep.query(bc.pin, () => pinInfo());
  // A personalization's key: Disable with its PIN type deactivates it, Enter with its PUK type unblocks it.
  const depersonalize = (v: { pinType: number; pinOperation: number; pin: string }, p: { feature: PersonalizationFeature; puk: boolean }): ResponseOf<typeof bc.pin> => {
    if (v.pinOperation !== (p.puk ? PinOperation.names.enter : PinOperation.names.disable)) throw fail(MbimStatus.NoDeviceSupport);
    const r = fw.personalization.depersonalize(p.feature, p.puk ? 'unblock' : 'deactivate', v.pin);
    if (r.outcome === 'ok') return { pinType: v.pinType, pinState: PinState.names.unlocked, remainingAttempts: r.status?.verifyLeft ?? 0 };
    const info = r.status
      ? r.status.verifyLeft > 0
        ? { pinType: pinTypeOf(p.feature, false), pinState: PinState.names.locked, remainingAttempts: r.status.verifyLeft }
        : { pinType: pinTypeOf(p.feature, true), pinState: PinState.names.locked, remainingAttempts: r.status.unblockLeft }
      : undefined;
    throw fail(DEPERSONALIZATION_STATUS[r.outcome], info);
  };
  ep.set(bc.pin, (v) => {
    cardPresent();
    const personalization = PERSONALIZATIONS[v.pinType];
    if (personalization) return depersonalize(v, personalization);
    const target = LOCKS[v.pinType];
    if (!target) throw fail(MbimStatus.NoDeviceSupport);
    // The codes go to the card model only: never into a log line or an error.
    let r: LockResult | undefined;
    if (target.puk) {
      if (v.pinOperation !== PinOperation.names.enter) throw fail(MbimStatus.InvalidParameters);
      r = fw.simLock(target.lock, { unblock: v.pin, newCode: v.newPin });
    } else if (v.pinOperation === PinOperation.names.enter) {
      // PIN1 entered when the card does not ask for it: nothing to do, or the PUK is needed.
      if (target.lock === 'pin1' && fw.simState === 'ready') return pinInfo();
      if (target.lock === 'pin1' && fw.simState !== 'pin-required') throw fail(MbimStatus.Failure, pinInfo());
      r = fw.simLock(target.lock, { verify: v.pin });
    } else if (v.pinOperation === PinOperation.names.change) r = fw.simLock(target.lock, { change: v.pin, newCode: v.newPin });
    else r = fw.simLock(target.lock, { enable: v.pinOperation === PinOperation.names.enable, code: v.pin });
    if (r?.outcome === 'disabled') throw fail(MbimStatus.PinDisabled, pinInfo(r, v.pinType));
    if (r?.outcome === 'bad-code') throw fail(MbimStatus.InvalidParameters, pinInfo(r, v.pinType));
    if (r?.outcome !== 'ok' && r?.outcome !== 'no-effect') throw fail(MbimStatus.Failure, pinInfo(r, v.pinType));
    return pinInfo(r, v.pinType);
  });
  const pinDesc = (lock: CodeLock) => ({
    pinMode: lock.enabled ? PinMode.names.enabled : PinMode.names.disabled,
    pinFormat: PinFormat.names.numeric,
    pinLengthMin: 4,
    pinLengthMax: 8,
  });
  const none = { pinMode: PinMode.names['not-supported'], pinFormat: PinFormat.names.unknown, pinLengthMin: 0, pinLengthMax: 0 };
  // The personalization features the modem has: enabled while active; control keys are 8 to 16 digits (TS 22.022).
  const personalizationDesc = (feature: PersonalizationFeature) => ({
    pinMode: fw.personalization.status().some((f) => f.feature === feature) ? PinMode.names.enabled : PinMode.names.disabled,
    pinFormat: PinFormat.names.numeric,
    pinLengthMin: 8,
    pinLengthMax: 16,
  });
  ep.query(bc.pinList, () => {
    const card = cardPresent();
    return {
      pin1: pinDesc(card.pin1), pin2: pinDesc(card.pin2), deviceSimPin: personalizationDesc('gw-ue'), deviceFirstSimPin: none,
      networkPin: personalizationDesc('gw-network'), networkSubsetPin: personalizationDesc('gw-network-subset'),
      serviceProviderPin: personalizationDesc('gw-service-provider'), corporatePin: personalizationDesc('gw-corporate'), subsidyLock: none, custom: none,
    };
  });

  // ---- Providers and registration
  const provider = (r: ScanResult) => ({
    providerId: r.operator.mcc + r.operator.mnc,
    providerState:
      ProviderState.names.visible |
      (r.home ? ProviderState.names.home : 0) |
      (r.status === 'forbidden' ? ProviderState.names.forbidden : 0) |
      (r.status === 'current' ? ProviderState.names.registered : 0),
    providerName: r.operator.name,
    cellularClass: CellularClass.names.gsm,
    rssi: 99,
    errorRate: 99,
  });
  ep.query(bc.visibleProviders, async () => {
    if (fw.operatingMode !== 'online') throw fail(MbimStatus.RadioPowerOff);
    let results: ScanResult[];
    try {
      results = await fw.scan();
    } catch (e) {
      // A reset or the radio going off ends the scan.
      if (e instanceof ScanAbortedError) throw fail(MbimStatus.Failure);
      throw e;
    }
    // One entry per network: its best technology.
    const seen = new Set<string>();
    return { providers: results.filter((r) => !seen.has(r.operator.mcc + r.operator.mnc) && seen.add(r.operator.mcc + r.operator.mnc)).map(provider) };
  });
  // The SIM's preferred list is its home operator (EF_PLMNwAcT holds nothing more).
  ep.query(bc.preferredProviders, () => {
    cardPresent();
    return { providers: [{ providerId: fw.home.mcc + fw.home.mnc, providerState: ProviderState.names.home | ProviderState.names.preferred, providerName: fw.home.name, cellularClass: CellularClass.names.gsm, rssi: 99, errorRate: 99 }] };
  });

  // ---- Network idle hint and emergency mode: host-set states the model has no use for
  let idleHint: number = NetworkIdleHintState.names.disabled;
  ep.query(bc.networkIdleHint, () => ({ state: idleHint }));
  ep.set(bc.networkIdleHint, (v) => {
    if (NetworkIdleHintState.nameOf(v.state) === undefined) throw fail(MbimStatus.InvalidParameters);
    idleHint = v.state;
    return { state: idleHint };
  });
  let emergency: number = EmergencyModeState.names.off;
  ep.query(bc.emergencyMode, () => ({ state: emergency }));
  ep.set(bc.emergencyMode, (v) => {
    if (EmergencyModeState.nameOf(v.state) === undefined) throw fail(MbimStatus.InvalidParameters);
    emergency = v.state;
    ep.indicate(bc.emergencyMode, { state: emergency });
    return { state: emergency };
  });

  // ---- Slots: one executor, the model's slots; mapping executor 0 to a slot switches the SIM
  const slotState = (i: number): number => {
    const card = fw.slots[i];
    if (!card) return UiccSlotState.names['state-empty'];
    if (!card.powered) return UiccSlotState.names['state-off'];
    if (card.kind === 'euicc') return card.profiles.some((p) => p.enabled) ? UiccSlotState.names['state-active-esim'] : UiccSlotState.names['state-active-esim-no-profiles'];
    return UiccSlotState.names['state-active'];
  };
  ep.query(ext.sysCaps, () => ({ numberOfExecutors: 1, numberOfSlots: fw.slots.length, concurrency: 1, modemId: 0n }));
  ep.query(ext.slotInfoStatus, (v) => {
    if (v.slotIndex >= fw.slots.length) throw fail(MbimStatus.InvalidParameters);
    return { slotIndex: v.slotIndex, state: slotState(v.slotIndex) };
  });
  const mapping = () => ({ slotMap: [{ slot: fw.activeSlot - 1 }] });
  ep.query(ext.deviceSlotMappings, mapping);
  ep.set(ext.deviceSlotMappings, (v) => {
    const slot = v.slotMap[0]?.slot;
    if (v.slotMap.length !== 1 || slot === undefined || slot >= fw.slots.length) throw fail(MbimStatus.InvalidParameters, mapping());
    fw.switchSlot(slot + 1);
    return mapping();
  });
  // Device Reset answers first, then the modem restarts.
  ep.set(ext.deviceReset, () => {
    setImmediate(() => fw.reset());
    return {};
  });
  fw.on('cardPower', (slot) => ep.indicate(ext.slotInfoStatus, { slotIndex: slot - 1, state: slotState(slot - 1) }));
  fw.on('slot', (slot) => ep.indicate(ext.slotInfoStatus, { slotIndex: slot - 1, state: slotState(slot - 1) }));

  // ---- Cells and location
  const lteCell = (c: Cell) => ({ providerId: c.mcc + c.mnc, cellId: c.cellId, earfcn: c.arfcn, physicalCellId: c.pci, tac: c.areaCode, rsrp: Math.round(c.signal.rsrp), rsrq: Math.round(c.signal.rsrq) });
  const umtsCell = (c: Cell) => ({
    providerId: c.mcc + c.mnc, locationAreaCode: c.areaCode, cellId: c.cellId, uarfcn: c.arfcn, primaryScramblingCode: c.pci,
    rscp: Math.round(c.signal.rssi), ecno: -5, pathLoss: UNKNOWN,
  });
  // RxLev 0-63: dBm + 110.
  const gsmCell = (c: Cell) => ({ providerId: c.mcc + c.mnc, locationAreaCode: c.areaCode, cellId: c.cellId, arfcn: c.arfcn, baseStationId: c.pci, rxLevel: Math.max(0, Math.min(63, Math.round(c.signal.rssi + 110))) });
  // NR: RSRP + 156, RSRQ + 43, SINR + 23 (TS 38.133's reporting ranges), the NCI 36 bits.
  const nrSignal = (c: Cell) => ({ physicalCellId: c.pci, tac: c.areaCode, rsrp: Math.round(c.signal.rsrp) + 156, rsrq: Math.round(c.signal.rsrq) + 43, sinr: Math.round(c.signal.snr) + 23 });
  const nrServing = (c: Cell) => ({ providerId: c.mcc + c.mnc, nci: BigInt(c.cellId), nrarfcn: c.arfcn, ...nrSignal(c), timingAdvance: UNKNOWN_U64 });
  const nrNeighbour = (c: Cell) => ({ systemSubType: DataSubclass.names['5g-endc'], providerId: c.mcc + c.mnc, cellId: String(c.cellId), ...nrSignal(c) });
  ep.queryVersions([ext.baseStationsInfo, ext.baseStationsInfoV3], (v, ctx) => {
    const info = fw.registered ? fw.radio.cellInfo() : undefined;
    const s = info?.serving;
    const near = (rat: Rat, max: number) => (info?.neighbours ?? []).filter((c) => c.rat === rat).slice(0, max);
    // MBIMEx 3.0 lists NR cells as such (EN-DC: the LTE anchor stays the LTE serving cell); 1.0 has only LTE's place for them.
    const v3 = ctx.connection.mbimex >= 0x0300;
    const nr = v3 && 'maxNrCount' in v ? v.maxNrCount : 0;
    return {
      systemType: s ? DATA_CLASS_OF[s.rat] : 0,
      systemSubType: s?.rat === '5gnr' ? DataSubclass.names['5g-endc'] : 0,
      nrServingCells: v3 && s?.rat === '5gnr' && nr > 0 ? [nrServing(s)] : [],
      nrNeighborCells: near('5gnr', nr).map(nrNeighbour),
      gsmServingCell: s?.rat === 'gsm' ? { ...gsmCell(s), timingAdvance: 1 } : undefined,
      umtsServingCell: s?.rat === 'umts' ? { ...umtsCell(s), frequencyInfoUl: UNKNOWN, frequencyInfoDl: UNKNOWN, frequencyInfoNt: UNKNOWN } : undefined,
      tdscdmaServingCell: undefined,
      // 5G NSA rides on an LTE anchor: MBIMEx 1.0 shows the NR cell's numbers as LTE's.
      lteServingCell: s && (s.rat === 'lte' || s.rat === '5gnr') ? { ...lteCell(s), timingAdvance: 2 } : undefined,
      gsmNeighboringCells: near('gsm', v.maxGsmCount).map(gsmCell),
      umtsNeighboringCells: near('umts', v.maxUmtsCount).map(umtsCell),
      tdscdmaNeighboringCells: [],
      lteNeighboringCells: [...near('lte', v.maxLteCount), ...(v3 ? [] : near('5gnr', v.maxLteCount))].slice(0, v.maxLteCount).map(lteCell),
      cdmaCells: [],
    };
  });
  const location = () => {
    const cell = fw.registered ? fw.radio.registration?.cell : undefined;
    const lte = cell?.rat === 'lte' || cell?.rat === '5gnr';
    return { lac: cell && !lte ? cell.areaCode : 0, tac: cell && lte ? cell.areaCode : 0, cellId: cell?.cellId ?? 0 };
  };
  ep.query(ext.locationInfoStatus, () => {
    const l = location();
    return { locationAreaCode: l.lac, trackingAreaCode: l.tac, cellId: l.cellId };
  });
  ep.query(atds.cids.location, location);
  fw.on('registration', () => {
    const l = location();
    ep.indicate(ext.locationInfoStatus, { locationAreaCode: l.lac, trackingAreaCode: l.tac, cellId: l.cellId });
  });

  // ---- ATDS operators and RAT (the operators in range, without scanning: what the modem last saw)
  const PLMN_MODE: Record<Rat, number> = { gsm: AtdsProviderPlmnMode.names.gsm, umts: AtdsProviderPlmnMode.names.utran, lte: AtdsProviderPlmnMode.names.lte, '5gnr': AtdsProviderPlmnMode.names.lte };
  ep.query(atds.cids.operators, () => ({
    providers: fw.radio.operators.map((op) => {
      const current = fw.radio.registration?.operator === op;
      return {
        providerId: op.mcc + op.mnc,
        providerState: ProviderState.names.visible | (fw.radio.isHome(op) ? ProviderState.names.home : 0) | (op.forbidden ? ProviderState.names.forbidden : 0) | (current ? ProviderState.names.registered : 0),
        providerName: op.name,
        plmnMode: PLMN_MODE[op.rats[0] ?? 'lte'],
        rssi: 99,
        errorRate: 99,
      };
    }),
  }));
  const RAT_MODE: [number, Rat[]][] = [
    [AtdsRatMode.names['2g-only'], ['gsm']],
    [AtdsRatMode.names['3g-only'], ['umts']],
    [AtdsRatMode.names['4g-only'], ['lte']],
  ];
  const ratMode = (): number => {
    const allowed = fw.radio.preferences.allowed;
    return RAT_MODE.find(([, rats]) => allowed.length === 1 && allowed[0] === rats[0])?.[0] ?? AtdsRatMode.names.automatic;
  };
  ep.query(atds.cids.rat, () => ({ mode: ratMode() }));
  ep.set(atds.cids.rat, (v) => {
    const only = RAT_MODE.find(([m]) => m === v.mode)?.[1];
    if (v.mode !== AtdsRatMode.names.automatic && !only) throw fail(MbimStatus.InvalidParameters);
    fw.setRadioPreferences({ allowed: only ?? fw.radio.capabilities.allowed });
    return { mode: ratMode() };
  });

  // ---- NITZ: the network's clock is the host's, in UTC
  ep.query(msVoiceExtensions.cids.nitz, () => {
    if (!fw.registered) throw fail(MbimStatus.NotRegistered);
    const now = new Date();
    return {
      year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate(), hour: now.getUTCHours(), minute: now.getUTCMinutes(),
      second: now.getUTCSeconds(), timeZoneOffsetMinutes: 0, daylightSavingTimeOffsetMinutes: 0, dataClass: DATA_CLASS_OF[fw.rat],
    };
  });
}

/**
 * Register State set: automatic, or manual in a provider (MCCMNC). A refused registration answers
 * Failure with the 3GPP cause as NwError; a network not in range, ProviderNotVisible.
 */
export function registerWith(fw: ModemFirmware, v: { providerId: string; registerAction: number; dataClass: number }): void {
  if (fw.operatingMode !== 'online') throw fail(MbimStatus.RadioPowerOff);
  const manual = v.registerAction === RegisterAction.names.manual;
  if (manual && !/^\d{5,6}$/.test(v.providerId)) throw fail(MbimStatus.InvalidParameters);
  // A data class names the technologies to use from now on (how ModemManager sets modes over MBIM); 0 keeps them.
  if (v.dataClass) {
    const allowed = fw.radio.capabilities.allowed.filter((rat) => v.dataClass & DATA_CLASS_OF[rat]);
    if (allowed.length === 0) throw fail(MbimStatus.DataClassNotAvailable);
    fw.setRadioPreferences({ allowed });
  }
  try {
    fw.register(manual ? { mode: 'manual', mcc: v.providerId.slice(0, 3), mnc: v.providerId.slice(3) } : { mode: 'automatic' });
  } catch (e) {
    if (!(e instanceof RegistrationRefused)) throw e;
    if (e.cause3gpp === 'not-found') throw fail(manual ? MbimStatus.ProviderNotVisible : MbimStatus.ProvidersNotFound);
    throw new RegistrationFailure(e.cause3gpp);
  }
}

/** A refused registration: the caller answers Failure with its registration state (NwError = cause). */
export class RegistrationFailure extends Error {
  constructor(readonly nwError: number) {
    super(`registration refused: cause #${nwError}`);
  }
}
