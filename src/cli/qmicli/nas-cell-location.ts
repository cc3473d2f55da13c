/**
 * qmicli's `--nas-get-cell-location-info`: GERAN, UMTS, CDMA, LTE intra- and inter-frequency, LTE's
 * GSM and WCDMA neighbours, UMTS's LTE neighbours, LTE timing advance and the NR5G cell, each printed
 * as qmicli 1.32 prints it, C's integer conversions included (a signed field under `%hu` wraps).
 */
import { nas, NasWcdmaRrcState } from '../../qmi/services/nas.js';
import type { ResponseOf } from '../../qmi/schema.js';
import { action, ask, yesNo } from './action.js';

type CellLocation = ResponseOf<typeof nas.messages.getCellLocationInfo>;

/** A PLMN's BCD bytes as qmicli reads them: low nibble first, 0xF (filler) skipped, 0xA–0xE as `*#abc`. */
function bcdPlmn(bytes: readonly number[]): string {
  const chars = '0123456789*#abc';
  return bytes.map((b) => (chars[b & 0xf] ?? '') + (chars[b >> 4] ?? '')).join('');
}

/** C's `%hu` and `%hi` of a value promoted to int. */
const hu = (v: number): number => v & 0xffff;
const hi = (v: number): number => (v << 16) >> 16;

/**
 * C's `%.Nf` (`%lf` is six digits) as glibc prints a double: from its exact binary value, an exact
 * tie rounded to even (toFixed rounds ties up), no exponent however large, `nan`/`inf` with their sign.
 */
export function cFixed(v: number, digits = 6): string {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, v);
  const sign = bits.getUint8(0) & 0x80 ? '-' : '';
  if (Number.isNaN(v)) return `${sign}nan`;
  if (!Number.isFinite(v)) return `${sign}inf`;
  const exp = (bits.getUint16(0) >> 4) & 0x7ff;
  const mantissa = (BigInt(bits.getUint32(0) & 0xfffff) << 32n) | BigInt(bits.getUint32(4));
  // v = m * 2^e exactly; for e < 0 that is m * 5^-e / 10^-e.
  const m = exp === 0 ? mantissa : mantissa | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  const scale = e < 0 ? -e : 0;
  const exact = e < 0 ? m * 5n ** BigInt(-e) : m << BigInt(e);
  // exact / 10^scale, to be rounded to `digits` decimals.
  let n: bigint;
  if (scale <= digits) n = exact * 10n ** BigInt(digits - scale);
  else {
    const div = 10n ** BigInt(scale - digits);
    n = exact / div;
    const twice = 2n * (exact % div);
    if (twice > div || (twice === div && n % 2n === 1n)) n++;
  }
  const unit = 10n ** BigInt(digits);
  return `${sign}${n / unit}${digits > 0 ? `.${(n % unit).toString().padStart(digits, '0')}` : ''}`;
}

/** Tenths as qmicli prints them: `(gdouble) v * 0.1` with `%.1lf`. */
const tenths = (v: number): string => cFixed(v * 0.1, 1);

/** qmicli's E-UTRA band names by downlink EARFCN range (its own table, band 44 the last). */
const EARFCN_BANDS: readonly [number, number, string][] = [
  [0, 599, '1: 2100'], [600, 1199, '2: 1900 PCS'], [1200, 1949, '3: 1800+'], [1950, 2399, '4: AWS-1'], [2400, 2649, '5: 850'],
  [2650, 2749, '6: UMTS only'], [2750, 3449, '7: 2600'], [3450, 3799, '8: 900'], [3800, 4149, '9: 1800'], [4150, 4749, '10: AWS-1+'],
  [4750, 4999, '11: 1500 Lower'], [5000, 5179, '12: 700 a'], [5180, 5279, '13: 700 c'], [5280, 5379, '14: 700 PS'], [5730, 5849, '17: 700 b'],
  [5850, 5999, '18: 800 Lower'], [6000, 6149, '19: 800 Upper'], [6150, 6449, '20: 800 DD'], [6450, 6599, '21: 1500 Upper'],
  [6600, 7399, '22: 3500'], [7500, 7699, '23: 2000 S-band'], [7700, 8039, '24: 1600 L-band'], [8040, 8689, '25: 1900+'],
  [8690, 9039, '26: 850+'], [9040, 9209, '27: 800 SMR'], [9210, 9659, '28: 700 APT'], [9660, 9769, '29: 700 d'], [9770, 9869, '30: 2300 WCS'],
  [9870, 9919, '31: 450'], [9920, 10359, '32: 1500 L-band'], [36000, 36199, '33: TD 1900'], [36200, 36349, '34: TD 2000'],
  [36350, 36949, '35: TD PCS Lower'], [36950, 37549, '36: TD PCS Upper'], [37550, 37749, '37: TD PCS Center'], [37750, 38249, '38: TD 2600'],
  [38250, 38649, '39: TD 1900+'], [38650, 39649, '40: TD 2300'], [39650, 41589, '41: TD 2500'], [41590, 43589, '42: TD 3500'],
  [43590, 45589, '43: TD 3700'], [45590, 46589, '44: TD 700'],
];
export function earfcnBand(earfcn: number): string {
  const band = EARFCN_BANDS.find(([min, max]) => earfcn >= min && earfcn <= max);
  return band ? `E-UTRA band ${band[2]}` : 'unknown';
}

/** GSM RX level (TS 45.008) as the range it stands for. */
function rxLevel(level: number, indent: string): string {
  if (level === 0) return `${indent}RX Level: -110 dBm > level ('0')\n`;
  if (level === 63) return `${indent}RX Level: level > -48 dBm ('63')\n`;
  if (level > 0 && level < 63) return `${indent}RX Level: ${level - 111} dBm > level > ${level - 110} dBm ('${level}')\n`;
  // qmicli indents this one with a single tab wherever it is.
  return `\tRX Level: invalid ('${level}')\n`;
}

/** Cell id, PLMN and LAC, or all three unavailable when the cell id is 0xFFFFFFFF. */
function geranIds(c: { cellId: number; plmn: number[]; lac: number }, indent: string): string {
  if (c.cellId === 0xffffffff) return `${indent}Cell ID: 'unavailable'\n${indent}PLMN: 'unavailable'\n${indent}Location Area Code: 'unavailable'\n`;
  return `${indent}Cell ID: '${c.cellId}'\n${indent}PLMN: '${bcdPlmn(c.plmn)}'\n${indent}Location Area Code: '${c.lac}'\n`;
}

function geran(g: NonNullable<CellLocation['geranInfoV2']>): string {
  let out = `GERAN Info\n${geranIds(g, '\t')}`;
  out += `\tGERAN Absolute RF Channel Number: '${g.arfcn}'\n\tBase Station Identity Code: '${g.bsic}'\n`;
  out +=
    g.timingAdvance === 0xffffffff
      ? "\tTiming Advance: 'unavailable'\n"
      : `\tTiming Advance: '${g.timingAdvance}' bit periods ('${cFixed((g.timingAdvance * 48.0) / 13.0)}' us)\n`;
  out += rxLevel(g.rxLevel, '\t');
  g.cells.forEach((c, i) => {
    out += `\tCell [${i}]:\n${geranIds(c, '\t\t')}\t\tGERAN Absolute RF Channel Number: '${c.arfcn}'\n\t\tBase Station Identity Code: '${c.bsic}'\n`;
    out += rxLevel(c.rxLevel, '\t\t');
  });
  return out;
}

function umts(u: NonNullable<CellLocation['umtsInfoV2']>): string {
  let out = `UMTS Info\n\tCell ID: '${u.cellId === 0xffff ? 'unavailable' : u.cellId}'\n`;
  out +=
    `\tPLMN: '${bcdPlmn(u.plmn)}'\n\tLocation Area Code: '${u.lac}'\n\tUTRA Absolute RF Channel Number: '${u.uarfcn}'\n` +
    `\tPrimary Scrambling Code: '${u.primaryScramblingCode}'\n\tRSCP: '${u.rscp}' dBm\n\tECIO: '${u.ecio}' dBm\n`;
  u.cells.forEach((c, i) => {
    out +=
      `\tCell [${i}]:\n\t\tUTRA Absolute RF Channel Number: '${c.uarfcn}'\n\t\tPrimary Scrambling Code: '${c.primaryScramblingCode}'\n` +
      `\t\tRSCP: '${c.rscp}' dBm\n\t\tECIO: '${c.ecio}' dBm\n`;
  });
  u.neighboringGeran.forEach((c, i) => {
    const code = (v: number): string => (v === 0xff ? 'unavailable' : String(v));
    out +=
      `\tNeighboring GERAN Cell [${i}]:\n\t\tGERAN Absolute RF Channel Number: '${c.arfcn}'\n` +
      `\t\tNetwork Color Code: '${code(c.networkColorCode)}'\n\t\tBase Station Color Code: '${code(c.baseStationColorCode)}'\n\t\tRSSI: '${hu(c.rssi)}'\n`;
  });
  return out;
}

function cdma(c: NonNullable<CellLocation['cdmaInfo']>): string {
  // 0.25 arc seconds per unit, shown in degrees.
  const degrees = (v: number): string => cFixed((v * 0.25) / 3600.0);
  return (
    `CDMA Info\n\tSystem ID: '${c.systemId}'\n\tNetwork ID: '${c.networkId}'\n\tBase Station ID: '${c.baseStationId}'\n` +
    `\tReference PN: '${c.referencePn}'\n\tLatitude: '${degrees(c.latitude)}'º\n\tLongitude: '${degrees(c.longitude)}º'\n`
  );
}

function intraLte(l: NonNullable<CellLocation['intrafrequencyLteInfoV2']>): string {
  let out =
    `Intrafrequency LTE Info\n\tUE In Idle: '${yesNo(l.ueInIdle)}'\n\tPLMN: '${bcdPlmn(l.plmn)}'\n\tTracking Area Code: '${l.trackingAreaCode}'\n` +
    `\tGlobal Cell ID: '${l.globalCellId}'\n\tEUTRA Absolute RF Channel Number: '${l.earfcn}' (${earfcnBand(l.earfcn)})\n\tServing Cell ID: '${l.servingCellId}'\n`;
  if (l.ueInIdle) {
    out +=
      `\tCell Reselection Priority: '${l.cellReselectionPriority}'\n\tS Non Intra Search Threshold: '${l.sNonIntraSearchThreshold}'\n` +
      `\tServing Cell Low Threshold: '${l.servingCellLowThreshold}'\n\tS Intra Search Threshold: '${l.sIntraSearchThreshold}'\n`;
  }
  l.cells.forEach((c, i) => {
    out += `\tCell [${i}]:\n\t\tPhysical Cell ID: '${c.physicalCellId}'\n\t\tRSRQ: '${tenths(c.rsrq)}' dB\n\t\tRSRP: '${tenths(c.rsrp)}' dBm\n\t\tRSSI: '${tenths(c.rssi)}' dBm\n`;
    if (l.ueInIdle) out += `\t\tCell Selection RX Level: '${c.cellSelectionRxLevel}'\n`;
  });
  return out;
}

function interLte(l: NonNullable<CellLocation['interfrequencyLteInfo']>): string {
  let out = `Interfrequency LTE Info\n\tUE In Idle: '${yesNo(l.ueInIdle)}'\n`;
  l.frequencies.forEach((f, i) => {
    out +=
      `\tFrequency [${i}]:\n\t\tEUTRA Absolute RF Channel Number: '${f.earfcn}' (${earfcnBand(f.earfcn)})\n` +
      `\t\tSelection RX Level Low Threshold: '${f.cellSelectionRxLevelLowThreshold}'\n\t\tCell Selection RX Level High Threshold: '${f.cellSelectionRxLevelHighThreshold}'\n`;
    if (l.ueInIdle) out += `\t\tCell Reselection Priority: '${f.cellReselectionPriority}'\n`;
    f.cells.forEach((c, j) => {
      out +=
        `\t\tCell [${j}]:\n\t\t\tPhysical Cell ID: '${c.physicalCellId}'\n\t\t\tRSRQ: '${tenths(c.rsrq)}' dB\n\t\t\tRSRP: '${tenths(c.rsrp)}' dBm\n` +
        `\t\t\tRSSI: '${tenths(c.rssi)}' dBm\n\t\t\tCell Selection RX Level: '${c.cellSelectionRxLevel}'\n`;
    });
  });
  return out;
}

function lteGsm(l: NonNullable<CellLocation['lteInfoNeighboringGsm']>): string {
  let out = `LTE Info Neighboring GSM\n\tUE In Idle: '${yesNo(l.ueInIdle)}'\n`;
  l.frequencies.forEach((f, i) => {
    out += `\tFrequency [${i}]:\n`;
    if (l.ueInIdle) {
      out +=
        `\t\tCell Reselection Priority: '${f.cellReselectionPriority}'\n\t\tCell Reselection High Threshold: '${f.cellReselectionHighThreshold}'\n` +
        `\t\tCell Reselection Low Threshold: '${f.cellReselectionLowThreshold}'\n\t\tNCC Permitted: '0x${f.nccPermitted.toString(16).toUpperCase().padStart(2, ' ')}'\n`;
    }
    f.cells.forEach((c, j) => {
      out += `\t\tCell [${j}]:\n\t\t\tGERAN Absolute RF Channel Number: '${c.arfcn}'\n\t\t\tBand Is 1900: '${yesNo(c.bandIs1900)}'\n`;
      out += `\t\t\tBase Station Identity Code: '${c.cellIdValid ? c.bsic : 'unknown'}'\n`;
      out += `\t\t\tRSSI: '${tenths(c.rssi)}' dB\n\t\t\tCell Selection RX Level: '${c.cellSelectionRxLevel}'\n`;
    });
  });
  return out;
}

function lteWcdma(l: NonNullable<CellLocation['lteInfoNeighboringWcdma']>): string {
  let out = `LTE Info Neighboring WCDMA\n\tUE In Idle: '${yesNo(l.ueInIdle)}'\n`;
  l.frequencies.forEach((f, i) => {
    out += `\tFrequency [${i}]:\n\t\tUTRA Absolute RF Channel Number: '${f.uarfcn}'\n`;
    if (l.ueInIdle) {
      out +=
        `\t\tCell Reselection Priority: '${f.cellReselectionPriority}'\n\t\tCell Reselection High Threshold: '${hi(f.cellReselectionHighThreshold)}'\n` +
        `\t\tCell Reselection Low Threshold: '${hi(f.cellReselectionLowThreshold)}'\n`;
    }
    f.cells.forEach((c, j) => {
      out +=
        `\t\tCell [${j}]:\n\t\t\tPrimary Scrambling Code: '${c.primaryScramblingCode}'\n\t\t\tCPICH RSCP: '${tenths(c.cpichRscp)}' dBm\n` +
        `\t\t\tCPICH EcNo: '${tenths(c.cpichEcno)}' dB\n`;
      if (l.ueInIdle) out += `\t\t\tCell Selection RX Level: '${hu(c.cellSelectionRxLevel)}'\n`;
    });
  });
  return out;
}

function umtsLte(u: NonNullable<CellLocation['umtsInfoNeighboringLte']>): string {
  const states = NasWcdmaRrcState.names;
  // glibc prints a NULL string (a state libqmi has no name for) as "(null)".
  const state = Object.entries(states).find(([, v]) => v === u.rrcState)?.[0] ?? '(null)';
  let out = `UMTS Info Neighboring LTE\n\tRRC State: '${state}'\n`;
  u.frequencies.forEach((f, i) => {
    out +=
      `\tFrequency [${i}]:\n\t\tEUTRA Absolute RF Channel Number: '${f.earfcn}' (${earfcnBand(f.earfcn)})\n\t\tPhysical Cell ID: '${f.physicalCellId}'\n` +
      `\t\tRSRP: '${cFixed(f.rsrp)}' dBm\n\t\tRSRQ: '${cFixed(f.rsrq)}' dB\n`;
    // Selection levels are measured in idle states only.
    if (u.rrcState !== states['cell-fach'] && u.rrcState !== states['cell-dch']) out += `\t\tCell Selection RX Level: '${f.cellSelectionRxLevel}'\n`;
    out += `\t\tIs TDD?: '${yesNo(f.isTdd)}'\n`;
  });
  return out;
}

function nr5gCell(c: NonNullable<CellLocation['nr5gCellInformation']>): string {
  const tac = ((c.trackingAreaCode[0]! << 16) | (c.trackingAreaCode[1]! << 8) | c.trackingAreaCode[2]!) >>> 0;
  return (
    `5GNR cell information\n\tPLMN: '${bcdPlmn(c.plmn)}'\n\tTracking Area Code: '${tac}'\n\tGlobal Cell ID: '${c.globalCellId}'\n` +
    `\tPhysical Cell ID: '${c.physicalCellId}'\n\tRSRQ: '${tenths(c.rsrq)} dB'\n\tRSRP: '${tenths(c.rsrp)} dBm'\n\tSNR: '${tenths(c.snr)} dB'\n`
  );
}

/** The response as qmicli prints it, in its order; every TLV optional, so any decoded response prints. */
export function cellLocationText(tag: string, r: CellLocation): string {
  let out = `${tag} Successfully got cell location info\n`;
  if (r.geranInfoV2) out += geran(r.geranInfoV2);
  if (r.umtsInfoV2) out += umts(r.umtsInfoV2);
  if (r.cdmaInfo) out += cdma(r.cdmaInfo);
  if (r.intrafrequencyLteInfoV2) out += intraLte(r.intrafrequencyLteInfoV2);
  if (r.interfrequencyLteInfo) out += interLte(r.interfrequencyLteInfo);
  if (r.lteInfoNeighboringGsm) out += lteGsm(r.lteInfoNeighboringGsm);
  if (r.lteInfoNeighboringWcdma) out += lteWcdma(r.lteInfoNeighboringWcdma);
  if (r.umtsCellId !== undefined) out += `UMTS Cell ID: '${r.umtsCellId}'\n`;
  if (r.umtsInfoNeighboringLte) out += umtsLte(r.umtsInfoNeighboringLte);
  if (r.lteInfoTimingAdvance !== undefined) {
    out += r.lteInfoTimingAdvance === 0xffffffff ? "LTE Timing Advance: 'unavailable'\n" : `LTE Timing Advance: '${r.lteInfoTimingAdvance}' us\n`;
  }
  if (r.nr5gArfcn !== undefined) out += `5GNR ARFCN: '${r.nr5gArfcn}'\n`;
  if (r.nr5gCellInformation) out += nr5gCell(r.nr5gCellInformation);
  return out;
}

export const nasCellLocationAction = action({
  option: { long: 'nas-get-cell-location-info', arg: 'none' },
  service: nas,
  async run(ctx) {
    ctx.print(cellLocationText(ctx.tag, await ask('get cell location info', ctx.client.request(nas.messages.getCellLocationInfo, {}))));
  },
});
