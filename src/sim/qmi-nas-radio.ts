/**
 * QMI NAS in front of the simulated radio network: network scans, system selection preferences
 * (technologies, LTE bands, automatic or manual registration) and forced searches.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { nas, NasNetworkScanResult, NasNetworkSelectionPreference, NasNetworkStatus, NasRadioInterface, NasRatModePreference } from '../qmi/services/nas.js';
import type { ModemFirmware, Rat } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { RegistrationRefused, ScanAbortedError, type NetworkSelection } from './radio-network.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});

const RAT_BITS: Record<Rat, number> = {
  gsm: NasRatModePreference.names.gsm,
  umts: NasRatModePreference.names.umts,
  lte: NasRatModePreference.names.lte,
  '5gnr': NasRatModePreference.names['5gnr'],
};
const RADIO_INTERFACE: Record<Rat, number> = {
  gsm: NasRadioInterface.names.gsm,
  umts: NasRadioInterface.names.umts,
  lte: NasRadioInterface.names.lte,
  '5gnr': NasRadioInterface.names['5gnr'],
};

/** The technologies a mode preference allows. */
export const ratsOf = (mode: number): Rat[] => (Object.keys(RAT_BITS) as Rat[]).filter((r) => mode & RAT_BITS[r]);
export const modeOf = (rats: readonly Rat[]): number => rats.reduce((m, r) => m | RAT_BITS[r], 0);

/** E-UTRA bands from a 64-bit mask (band n is bit n-1) or from the four words of the extended one. */
function eutraBands(words: readonly bigint[]): number[] {
  const out: number[] = [];
  words.forEach((w, i) => {
    for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) out.push(i * 64 + b + 1);
  });
  return out;
}

/** An MNC as NAS carries it (a number) back to its digits: three where the operator has three. */
const mncDigits = (fw: ModemFirmware, mcc: number, mnc: number): string =>
  fw.radio.operators.find((o) => Number(o.mcc) === mcc && Number(o.mnc) === mnc)?.mnc ?? String(mnc).padStart(2, '0');

export function serveQmiNasRadio(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const n = nas.messages;

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
    const first = v.acquisitionOrderPreference?.map((i) => (Object.keys(RADIO_INTERFACE) as Rat[]).find((r) => RADIO_INTERFACE[r] === i)).find((r) => r !== undefined);
    if (first) change.preferred = first;
    const lte = v.extendedLteBandPreference ?? (v.lteBandPreference !== undefined ? [v.lteBandPreference] : undefined);
    if (lte) change.bands = { ...fw.radio.preferences.bands, eutra: eutraBands(lte) };
    if (Object.keys(change).length > 0) fw.setRadioPreferences(change);
    const net = v.networkSelectionPreference;
    if (net) {
      select(net.mode === NasNetworkSelectionPreference.names.manual
        ? { mode: 'manual', mcc: String(net.mcc).padStart(3, '0'), mnc: mncDigits(fw, net.mcc, net.mnc) }
        : { mode: 'automatic' });
    }
    return {};
  });

  ep.handle(n.forceNetworkSearch, () => {
    if (fw.operatingMode !== 'online') throw fail(QmiProtocolError.DeviceNotReady);
    select(fw.radio.selection);
    return {};
  });
}
