/**
 * QMI NAS queries answered from the radio model beyond registration: RF bands, LTE carrier
 * aggregation, TX/RX chains, DRX, operator names (SIM and NITZ), the SIM's preferred networks, and
 * the supported-messages list.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import {
  nas,
  NasActiveBand,
  NasDlBandwidth,
  NasDrx,
  NasNetworkNameDisplayCondition,
  NasPlmnEncodingScheme,
  NasScellState,
} from '../qmi/services/nas.js';
import { gsm7Septets, packSeptets, septetBytes } from '../sms/gsm7.js';
import type { ModemFirmware, Rat } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import type { Cell } from './radio-network.js';
import { RADIO_INTERFACE } from './qmi-nas-radio.js';
import { supportedMessages } from './qmi-supported.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});


const GSM_ACTIVE_BAND: Record<number, string> = { 850: 'gsm-850', 900: 'gsm-900-primary', 1800: 'gsm-dcs-1800', 1900: 'gsm-pcs-1900' };
const UTRA_ACTIVE_BAND: Record<number, string> = { 1: 'wcdma-2100', 2: 'wcdma-pcs-1900', 3: 'wcdma-dcs-1800', 4: 'wcdma-1700-us', 5: 'wcdma-850', 6: 'wcdma-800', 8: 'wcdma-900' };

/** The active band value of a cell's band (GSM by MHz, others by 3GPP number); 0xffff where QMI has none. */
export function activeBandOf(rat: Rat, band: number): number {
  const name = rat === 'gsm' ? GSM_ACTIVE_BAND[band] : rat === 'umts' ? UTRA_ACTIVE_BAND[band] : `${rat === 'lte' ? 'eutran' : 'nr5g'}-${band}`;
  return (name !== undefined ? (NasActiveBand.names as Record<string, number>)[name] : undefined) ?? 0xffff;
}

/** The channel bandwidth the simulated cells use: 20 MHz E-UTRA carriers, 5 MHz UTRA ones. */
const BANDWIDTH: Partial<Record<Rat, number>> = { lte: NasDlBandwidth.names['20'], umts: NasDlBandwidth.names['5'] };

/** GSM 7-bit packed, as SIM files and NITZ carry network names; characters outside the alphabet become '?'. */
function gsm7Packed(text: string): number[] {
  const septets = [...text].flatMap((c) => gsm7Septets(c) ?? gsm7Septets('?')!);
  const out = new Uint8Array(septetBytes(septets.length));
  packSeptets(septets, out);
  return [...out];
}

export function serveQmiNasInfo(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const n = nas.messages;
  const serving = (): Cell | undefined => (fw.registered ? fw.radio.registration?.cell : undefined);

  ep.handle(n.getSupportedMessages, () => ({ list: supportedMessages(nas) }));

  ep.handle(n.getRfBandInformation, () => {
    const cell = serving();
    if (!cell) return { list: [] };
    const radioInterface = RADIO_INTERFACE[cell.rat];
    const entry = { radioInterface, activeBandClass: activeBandOf(cell.rat, cell.band) };
    const bw = BANDWIDTH[cell.rat];
    return {
      // The legacy list's channel is 16 bits: NR-ARFCNs only fit the extended one.
      list: [{ ...entry, activeChannel: cell.arfcn & 0xffff }],
      extendedList: [{ ...entry, activeChannel: cell.arfcn }],
      ...(bw !== undefined ? { bandwidthList: [{ radioInterface, bandwidth: bw }] } : {}),
    };
  });

  // Carrier aggregation: the serving cell is the primary; while data flows (RRC connected) the
  // operator's strongest cell on each other allowed band is an active secondary.
  ep.handle(n.getLteCphyCaInfo, () => {
    const cell = serving();
    if (!cell || cell.rat !== 'lte') throw fail(QmiProtocolError.InformationUnavailable);
    const bw = NasDlBandwidth.names['20'];
    const ca = (c: Cell) => ({ physicalCellId: c.pci, rxChannel: c.arfcn, dlBandwidth: bw, lteBand: activeBandOf('lte', c.band) });
    const secondaries: Cell[] = [];
    if (fw.sessions.size > 0) {
      const allowed = fw.radio.preferences.bands.eutra;
      for (const c of fw.radio.cellInfo()?.neighbours ?? []) {
        if (c.mcc !== cell.mcc || c.mnc !== cell.mnc || c.band === cell.band || !allowed.includes(c.band)) continue;
        if (!secondaries.some((s) => s.band === c.band)) secondaries.push(c);
      }
    }
    return {
      dlBandwidth: bw,
      phyCaAggPcellInfo: ca(cell),
      phyCaAggSecondaryCells: secondaries.map((c, i) => ({ ...ca(c), state: NasScellState.names.activated, cellIndex: i + 1 })),
    };
  });

  // Two receive chains (main and diversity) tuned to the serving cell's technology; the transmitter is
  // in traffic while a data session is up, its power rising with the path loss.
  ep.handle(n.getTxRxInfo, (v) => {
    const cell = serving();
    const tuned = cell !== undefined && RADIO_INTERFACE[cell.rat] === v.radioInterface;
    const s = fw.signal;
    const tenths = (x: number): number => Math.round(x * 10);
    const chain = (offsetDb: number, phase: number) =>
      tuned
        ? { isRadioTuned: true, rxPower: tenths(s.rssi - offsetDb), ecio: tenths(s.rsrq - offsetDb), rscp: tenths(s.rsrp - offsetDb), rsrp: tenths(s.rsrp - offsetDb), phase }
        : { isRadioTuned: false, rxPower: 0, ecio: 0, rscp: 0, rsrp: 0, phase: 0xffffffff };
    const inTraffic = tuned && fw.sessions.size > 0;
    return {
      rxChain0Info: chain(0, 0xffffffff),
      rxChain1Info: chain(3, 18000),
      txInfo: { isInTraffic: inTraffic, txPower: inTraffic ? Math.min(230, Math.max(-400, tenths(-s.rsrp - 80))) : 0 },
    };
  });

  // The DRX cycle the network gave at attach (T = 128 frames, 1.28 s): none before registering.
  ep.handle(n.getDrx, () => ({ info: fw.registered ? NasDrx.names['cn8-t128'] : NasDrx.names.unknown }));

  // The SIM's names (EF_SPN, EF_OPL, EF_PNN) for the home network, and the network's own (NITZ) once registered.
  ep.handle(n.getOperatorName, () => {
    if (fw.simState !== 'ready') throw fail(QmiProtocolError.UimUninitialized);
    const home = fw.home;
    const name = gsm7Packed(home.name);
    const gsm = NasPlmnEncodingScheme.names.gsm;
    const op = fw.registered ? fw.operator : undefined;
    return {
      serviceProviderName: { nameDisplayCondition: NasNetworkNameDisplayCondition.names['registered-plmn-if-known-network'], name: home.name },
      operatorPlmnList: [{ mcc: home.mcc, mnc: home.mnc.padEnd(3, 'F'), lac1: 0x0000, lac2: 0xfffe, plmnNameRecordIdentifier: 1 }],
      operatorPlmnName: [{ nameEncoding: gsm, shortCountryInitials: 0, longNameSpareBits: 0, shortNameSpareBits: 0, longName: name, shortName: name }],
      ...(op ? { operatorStringName: op.name } : {}),
      ...(op
        ? {
            nitzInformation: {
              nameEncoding: NasPlmnEncodingScheme.names.ucs2le, shortCountryInitials: 0, longNameSpareBits: 0, shortNameSpareBits: 0,
              longName: [...Buffer.from(op.name, 'utf16le')], shortName: [...Buffer.from(op.name.split(' ')[0]!, 'utf16le')],
            },
          }
        : {}),
    };
  });

  // The SIM's user-controlled PLMN selector (EF_PLMNwAcT): read and written on the card.
  ep.handle(n.getPreferredNetworks, () => {
    const card = fw.card;
    if (!card || fw.simState !== 'ready') throw fail(QmiProtocolError.UimUninitialized);
    const list = card.preferredNetworks();
    return {
      preferredNetworks: list.map((e) => ({ mcc: Number(e.mcc), mnc: Number(e.mnc), radioAccessTechnology: e.accessTechnology })),
      mncPcsDigitIncludeStatus: list.map((e) => ({ mcc: Number(e.mcc), mnc: Number(e.mnc), includesPcsDigit: e.mnc.length === 3 })),
    };
  });
  ep.handle(n.setPreferredNetworks, (v) => {
    const card = fw.card;
    if (!card || fw.simState !== 'ready') throw fail(QmiProtocolError.UimUninitialized);
    const digits = (mcc: number, mnc: number) => {
      const pcs = v.mncPcsDigitIncludeStatus?.find((p) => p.mcc === mcc && p.mnc === mnc)?.includesPcsDigit;
      return { mcc: String(mcc).padStart(3, '0'), mnc: String(mnc).padStart(pcs || mnc > 99 ? 3 : 2, '0') };
    };
    const add = (v.preferredNetworks ?? []).map((e) => ({ ...digits(e.mcc, e.mnc), accessTechnology: e.radioAccessTechnology }));
    const list = v.clearPreviousPreferredNetworks ? add : [...card.preferredNetworks(), ...add];
    if (!card.setPreferredNetworks(list)) throw fail(QmiProtocolError.DeviceStorageFull);
    return {};
  });
}
