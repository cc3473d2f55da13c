/**
 * QMI NAS in front of the simulated radio network: network scans, system selection preferences
 * (technologies and their order, GSM/UTRA/LTE/NR bands, automatic or manual registration), network
 * registration, cell location info and forced searches.
 */
import { bandsOfWords, bandWords, legacyBandMask, legacyBandsOf } from '../qmi/bands.js';
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { bcdPlmn } from '../qmi/bcd.js';
import {
  nas,
  NasNetworkRegisterType,
  NasNetworkScanResult,
  NasNetworkSelectionPreference,
  NasNetworkStatus,
  NasRadioInterface,
  NasRatModePreference,
  NasServiceDomainPreference,
  NasWcdmaRrcState,
} from '../qmi/services/nas.js';
import type { ModemFirmware, Rat } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { RegistrationRefused, ScanAbortedError, type Cell, type NetworkSelection } from './radio-network.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});

const RAT_BITS: Record<Rat, number> = {
  gsm: NasRatModePreference.names.gsm,
  umts: NasRatModePreference.names.umts,
  lte: NasRatModePreference.names.lte,
  '5gnr': NasRatModePreference.names['5gnr'],
};
export const RADIO_INTERFACE: Record<Rat, number> = {
  gsm: NasRadioInterface.names.gsm,
  umts: NasRadioInterface.names.umts,
  lte: NasRadioInterface.names.lte,
  '5gnr': NasRadioInterface.names['5gnr'],
};

/** The technologies a mode preference allows. */
export const ratsOf = (mode: number): Rat[] => (Object.keys(RAT_BITS) as Rat[]).filter((r) => mode & RAT_BITS[r]);
export const modeOf = (rats: readonly Rat[]): number => rats.reduce((m, r) => m | RAT_BITS[r], 0);

/** The technology a NAS radio interface names (-1, unknown: none in particular). */
const ratOfInterface = (i: number): Rat | undefined => (Object.keys(RADIO_INTERFACE) as Rat[]).find((r) => RADIO_INTERFACE[r] === i);

/** Tenths of a dB, as cell reports carry LTE and NR measurements. */
const tenths = (v: number): number => Math.round(v * 10);

/** GSM RX level (TS 45.008: 0 is -110 dBm or less, 63 is -48 dBm or more). */
const rxLevel = (rssi: number): number => Math.max(0, Math.min(63, Math.round(rssi + 110)));

/** An MNC as NAS carries it (a number) back to its digits: three where the operator has three. */
const mncDigits = (fw: ModemFirmware, mcc: number, mnc: number): string =>
  fw.radio.operators.find((o) => Number(o.mcc) === mcc && Number(o.mnc) === mnc)?.mnc ?? String(mnc).padStart(2, '0');

export function serveQmiNasRadio(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const n = nas.messages;

  // The acquisition order lists every technology the modem has: the preferred one first, then newest first.
  ep.handle(n.getSystemSelectionPreference, () => {
    const p = fw.radio.preferences;
    const caps = fw.radio.capabilities;
    const order = p.preferred ? [p.preferred, ...caps.allowed.filter((r) => r !== p.preferred)] : caps.allowed;
    const nr = caps.bands.nr.length > 0 ? bandWords(p.bands.nr, 8) : undefined;
    return {
      modePreference: modeOf(p.allowed),
      bandPreference: legacyBandMask(p.bands.gsm, p.bands.utra),
      lteBandPreference: bandWords(p.bands.eutra, 1)[0]!,
      extendedLteBandPreference: bandWords(p.bands.eutra, 4),
      networkSelectionPreference: NasNetworkSelectionPreference.names[fw.radio.selection.mode],
      acquisitionOrderPreference: order.map((r) => RADIO_INTERFACE[r]),
      ...(nr ? { nr5gSaBandPreference: nr, nr5gNsaBandPreference: nr } : {}),
    };
  });

  ep.handle(n.networkScan, async () => {
    if (fw.operatingMode !== 'online') throw fail(QmiProtocolError.DeviceNotReady);
    let results;
    try {
      results = await fw.scan();
    } catch (e) {
      // A reset or the radio going off ends the scan early: the modem reports it aborted.
      if (e instanceof ScanAbortedError) return { networkScanResult: NasNetworkScanResult.names.abort };
      throw e;
    }
    const S = NasNetworkStatus.names;
    const plmn = (r: (typeof results)[number]) => ({ mcc: Number(r.operator.mcc), mnc: Number(r.operator.mnc) });
    return {
      networkInformation: results.map((r) => ({
        ...plmn(r),
        networkStatus:
          (r.status === 'current' ? S['current-serving'] : S.available) |
          (r.home ? S.home | S.preferred : S.roaming | S['not-preferred']) |
          (r.status === 'forbidden' ? S.forbidden : S['not-forbidden']),
        description: r.operator.name,
      })),
      radioAccessTechnology: results.map((r) => ({ ...plmn(r), radioInterface: RADIO_INTERFACE[r.rat] })),
      mncPcsDigitIncludeStatus: results.map((r) => ({ ...plmn(r), includesPcsDigit: r.operator.mnc.length === 3 })),
      networkScanResult: NasNetworkScanResult.names.success,
    };
  });

  /** Registers as asked; a refusal is not the request's failure but the registration's (denied, with its cause). */
  const select = (sel: NetworkSelection): void => {
    try {
      fw.register(sel);
    } catch (e) {
      if (!(e instanceof RegistrationRefused)) throw e;
    }
  };

  ep.handle(n.setSystemSelectionPreference, (v) => {
    const change: Parameters<ModemFirmware['setRadioPreferences']>[0] = {};
    if (v.modePreference !== undefined) {
      const allowed = ratsOf(v.modePreference).filter((r) => fw.radio.capabilities.allowed.includes(r));
      if (allowed.length === 0) throw fail(QmiProtocolError.InvalidArgument);
      change.allowed = allowed;
    }
    // The first technology of the acquisition order is the one the modem tries first.
    const first = v.acquisitionOrderPreference?.map(ratOfInterface).find((r) => r !== undefined);
    if (first) change.preferred = first;
    const lte = v.extendedLteBandPreference ?? (v.lteBandPreference !== undefined ? [v.lteBandPreference] : undefined);
    const nr = v.nr5gSaBandPreference ?? v.nr5gNsaBandPreference;
    if (lte || nr || v.bandPreference !== undefined) {
      change.bands = {
        ...fw.radio.preferences.bands,
        ...(v.bandPreference !== undefined ? legacyBandsOf(v.bandPreference) : {}),
        ...(lte ? { eutra: bandsOfWords(lte) } : {}),
        ...(nr ? { nr: bandsOfWords(nr) } : {}),
      };
    }
    if (Object.keys(change).length > 0) fw.setRadioPreferences(change);
    const domain = v.serviceDomainPreference;
    if (domain === NasServiceDomainPreference.names['ps-attach'] || domain === NasServiceDomainPreference.names['ps-detach']) {
      if (fw.operatingMode !== 'online') throw fail(QmiProtocolError.DeviceNotReady);
      const attach = domain === NasServiceDomainPreference.names['ps-attach'];
      // Already so: the modem says it had no effect (ModemManager takes that as done).
      if (fw.registered && attach === fw.packetAttached) throw fail(QmiProtocolError.NoEffect);
      fw.setPacketAttach(attach);
    }
    const net = v.networkSelectionPreference;
    if (net) {
      select(net.mode === NasNetworkSelectionPreference.names.manual
        ? { mode: 'manual', mcc: String(net.mcc).padStart(3, '0'), mnc: mncDigits(fw, net.mcc, net.mnc) }
        : { mode: 'automatic' });
    }
    return {};
  });

  // Manual registration names the network (and maybe the technology); one out of range is not found,
  // a forbidden one is refused later, as the network answers (serving system: denied, with its cause).
  ep.handle(n.initiateNetworkRegister, (v) => {
    if (fw.operatingMode !== 'online') throw fail(QmiProtocolError.DeviceNotReady);
    if (v.action !== NasNetworkRegisterType.names.manual) {
      select({ mode: 'automatic' });
      return {};
    }
    const m = v.manualRegistrationInfo3gpp;
    if (!m) throw fail(QmiProtocolError.MissingArgument);
    const rat = ratOfInterface(m.radioInterface);
    const mnc = v.mncPcsDigitIncludeStatus ? String(m.mnc).padStart(3, '0') : mncDigits(fw, m.mcc, m.mnc);
    try {
      fw.register({ mode: 'manual', mcc: String(m.mcc).padStart(3, '0'), mnc, ...(rat ? { rat } : {}) });
    } catch (e) {
      if (!(e instanceof RegistrationRefused)) throw e;
      if (e.cause3gpp === 'not-found') throw fail(QmiProtocolError.NoNetworkFound);
    }
    return {};
  });

  ep.handle(n.getCellLocationInfo, () => {
    const info = fw.registered ? fw.radio.cellInfo() : undefined;
    if (!info) return {};
    const s = info.serving;
    const caps = fw.radio.capabilities;
    // What the radio can measure: the serving operator's cells on another technology, in the modem's bands.
    const interRat = (rat: Rat): Cell[] =>
      caps.allowed.includes(rat)
        ? fw.radio.cells.filter((c) => c.rat === rat && c.mcc === s.mcc && c.mnc === s.mnc && (rat === 'gsm' ? caps.bands.gsm : rat === 'umts' ? caps.bands.utra : caps.bands.eutra).includes(c.band))
        : [];
    return cellLocationInfo(s, info.neighbours, interRat, fw.sessions.size === 0);
  });

  ep.handle(n.forceNetworkSearch, () => {
    if (fw.operatingMode !== 'online') throw fail(QmiProtocolError.DeviceNotReady);
    select(fw.radio.selection);
    return {};
  });
}

/** S-criterion selection levels (TS 36.304 / 25.304 / 45.008): the measurement over the cell's minimum. */
const Q_RXLEVMIN = { lte: -128, umts: -115, gsm: -110 } as const;
const srxlev = (rat: keyof typeof Q_RXLEVMIN, dbm: number): number => Math.round(dbm - Q_RXLEVMIN[rat]);

/** Cells grouped by a key, in first-seen order. */
function groupBy<K>(cells: Cell[], key: (c: Cell) => K): [K, Cell[]][] {
  const groups = new Map<K, Cell[]>();
  for (const c of cells) groups.set(key(c), [...(groups.get(key(c)) ?? []), c]);
  return [...groups];
}

/** E-UTRA bands 33 and up (to 53) are TDD. */
const isTdd = (band: number): boolean => band >= 33 && band <= 53;

/**
 * The serving cell and its neighbours in the TLVs of the serving cell's technology: same-technology
 * neighbours as the radio model lists them, other technologies' cells of the serving operator (those
 * its system information lists for reselection) where the report has room for them. Timing advance
 * exists only while connected (data flowing); it grows with the path loss.
 */
function cellLocationInfo(s: Cell, neighbours: Cell[], interRat: (rat: Rat) => Cell[], ueInIdle: boolean) {
  const plmn = bcdPlmn(s.mcc, s.mnc);
  const pathLoss = Math.max(0, -s.signal.rsrp - 80);
  switch (s.rat) {
    case 'lte': {
      const lteCell = (c: Cell) => ({
        physicalCellId: c.pci, rsrq: tenths(c.signal.rsrq), rsrp: tenths(c.signal.rsrp), rssi: tenths(c.signal.rssi), cellSelectionRxLevel: srxlev('lte', c.signal.rsrp),
      });
      const others = groupBy(neighbours.filter((c) => c.arfcn !== s.arfcn), (c) => c.arfcn);
      const gsm = groupBy(interRat('gsm'), (c) => c.band);
      const umts = groupBy(interRat('umts'), (c) => c.arfcn);
      return {
        intrafrequencyLteInfoV2: {
          ueInIdle, plmn, trackingAreaCode: s.areaCode, globalCellId: s.cellId, earfcn: s.arfcn, servingCellId: s.pci,
          cellReselectionPriority: 4, sNonIntraSearchThreshold: 8, servingCellLowThreshold: 4, sIntraSearchThreshold: 31,
          cells: [s, ...neighbours.filter((c) => c.arfcn === s.arfcn)].map(lteCell),
        },
        ...(others.length > 0
          ? {
              interfrequencyLteInfo: {
                ueInIdle,
                frequencies: others.map(([earfcn, cells]) => ({
                  earfcn, cellSelectionRxLevelLowThreshold: 4, cellSelectionRxLevelHighThreshold: 8, cellReselectionPriority: 3, cells: cells.map(lteCell),
                })),
              },
            }
          : {}),
        ...(gsm.length > 0
          ? {
              lteInfoNeighboringGsm: {
                ueInIdle,
                frequencies: gsm.map(([band, cells]) => ({
                  cellReselectionPriority: 1, cellReselectionHighThreshold: 10, cellReselectionLowThreshold: 4, nccPermitted: 0xff,
                  cells: cells.map((c) => ({
                    arfcn: c.arfcn, bandIs1900: band === 1900, cellIdValid: true, bsic: c.pci, rssi: tenths(c.signal.rssi), cellSelectionRxLevel: srxlev('gsm', c.signal.rssi),
                  })),
                })),
              },
            }
          : {}),
        ...(umts.length > 0
          ? {
              lteInfoNeighboringWcdma: {
                ueInIdle,
                frequencies: umts.map(([uarfcn, cells]) => ({
                  uarfcn, cellReselectionPriority: 2, cellReselectionHighThreshold: 10, cellReselectionLowThreshold: 6,
                  cells: cells.map((c) => ({
                    primaryScramblingCode: c.pci, cpichRscp: tenths(c.signal.rsrp), cpichEcno: tenths(c.signal.rsrq), cellSelectionRxLevel: srxlev('umts', c.signal.rsrp),
                  })),
                })),
              },
            }
          : {}),
        // In microseconds; the timing advance step is 16 Ts (about 0.52 us).
        lteInfoTimingAdvance: ueInIdle ? 0xffffffff : Math.round(pathLoss * 0.52),
      };
    }
    case '5gnr':
      // NR has no neighbour report in NAS: the serving cell only.
      return {
        nr5gArfcn: s.arfcn,
        nr5gCellInformation: {
          plmn, trackingAreaCode: [(s.areaCode >> 16) & 0xff, (s.areaCode >> 8) & 0xff, s.areaCode & 0xff], globalCellId: BigInt(s.cellId),
          physicalCellId: s.pci, rsrq: tenths(s.signal.rsrq), rsrp: tenths(s.signal.rsrp), snr: tenths(s.signal.snr),
        },
      };
    case 'umts': {
      const lte = interRat('lte');
      return {
        umtsInfoV2: {
          cellId: s.cellId & 0xffff, plmn, lac: s.areaCode, uarfcn: s.arfcn, primaryScramblingCode: s.pci, rscp: s.signal.rsrp, ecio: s.signal.rsrq,
          cells: neighbours.map((c) => ({ uarfcn: c.arfcn, primaryScramblingCode: c.pci, rscp: c.signal.rsrp, ecio: c.signal.rsrq })),
          // The BSIC is the network colour code (3 bits) and the base station colour code (3 bits).
          neighboringGeran: interRat('gsm').map((c) => ({ arfcn: c.arfcn, networkColorCode: c.pci >> 3, baseStationColorCode: c.pci & 7, rssi: Math.round(c.signal.rssi) })),
        },
        umtsCellId: s.cellId,
        ...(lte.length > 0
          ? {
              umtsInfoNeighboringLte: {
                rrcState: ueInIdle ? NasWcdmaRrcState.names.disconnected : NasWcdmaRrcState.names['cell-dch'],
                frequencies: lte.map((c) => ({
                  earfcn: c.arfcn, physicalCellId: c.pci, rsrp: c.signal.rsrp, rsrq: c.signal.rsrq, cellSelectionRxLevel: srxlev('lte', c.signal.rsrp), isTdd: isTdd(c.band),
                })),
              },
            }
          : {}),
      };
    }
    case 'gsm':
      return {
        geranInfoV2: {
          cellId: s.cellId, plmn, lac: s.areaCode, arfcn: s.arfcn, bsic: s.pci,
          // In bit periods (0..63), only with a packet transfer going on.
          timingAdvance: ueInIdle ? 0xffffffff : Math.min(63, Math.round(pathLoss / 2)),
          rxLevel: rxLevel(s.signal.rssi),
          cells: neighbours.map((c) => ({ cellId: c.cellId, plmn: bcdPlmn(c.mcc, c.mnc), lac: c.areaCode, arfcn: c.arfcn, bsic: c.pci, rxLevel: rxLevel(c.signal.rssi) })),
        },
      };
  }
}
