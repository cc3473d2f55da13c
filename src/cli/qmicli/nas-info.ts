/**
 * qmicli's NAS queries beyond registration and signal: preferences, preferred networks, names, RF
 * bands, carrier aggregation, TX/RX chains, DRX, supported messages, and the service reset.
 */
import {
  nas,
  NAS_LTE_BAND_PREFERENCE_BANDS,
  NasActiveBand,
  NasBandPreference,
  NasDlBandwidth,
  NasDrx,
  NasGsmWcdmaAcquisitionOrderPreference,
  NasNetworkDescriptionEncoding,
  NasNetworkNameDisplayCondition,
  NasNetworkSelectionPreference,
  NasPlmnAccessTechnologyIdentifier,
  NasPlmnEncodingScheme,
  NasPlmnNameCountryInitials,
  NasPreferenceDuration,
  NasRadioInterface,
  NasRadioTechnologyPreference,
  NasRatModePreference,
  NasScellState,
} from '../../qmi/services/nas.js';
import type { ResponseOf } from '../../qmi/schema.js';
import { gsm7Text, unpackSeptets } from '../../sms/gsm7.js';
import { action, ask, CliError, enumName, q, yesNo } from './action.js';
import { noopAction, resetAction, supportedMessagesAction } from './service-actions.js';
import { parseMccMnc } from './nas.js';
import { nasSystemInfoAction } from './nas-system-info.js';
import { nasCellLocationAction } from './nas-cell-location.js';

const m = nas.messages;
const radio = (v: number): string => enumName(NasRadioInterface, v);
const band = (v: number): string => enumName(NasActiveBand, v);
const bandwidth = (v: number): string => enumName(NasDlBandwidth, v);

/**
 * A mask as libqmi's `build_string_from_mask` words it: the name of a value equal to the whole mask,
 * else the single-bit values set, in declaration order; `none` where nothing is named.
 */
export function maskString(names: Readonly<Record<string, number | bigint>>, mask: number | bigint): string {
  const v = BigInt(mask);
  const out: string[] = [];
  for (const [name, raw] of Object.entries(names)) {
    const bit = BigInt(raw);
    if (v === bit) return name;
    if ((v & bit) !== 0n && (bit & (bit - 1n)) === 0n) out.push(name);
  }
  return out.join(', ') || 'none';
}

const LTE_BAND_PREFERENCE = Object.fromEntries(NAS_LTE_BAND_PREFERENCE_BANDS.map((b) => [String(b), 1n << BigInt(b - 1)]));

/** Band numbers of 64-bit words (band n is bit (n-1) % 64 of word (n-1) / 64), as qmicli lists them. */
function bandList(words: readonly bigint[]): string {
  const out: number[] = [];
  words.forEach((w, i) => {
    for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) out.push(i * 64 + b + 1);
  });
  return out.join(', ');
}

/** GSM 7-bit packed text as libqmi reads it: as many septets as the bytes hold, trailing '@' padding dropped. */
function gsm7(bytes: readonly number[]): string {
  const septets = unpackSeptets(Uint8Array.from(bytes), Math.floor((bytes.length * 8) / 7));
  let end = septets.length;
  while (end > 0 && septets[end - 1] === 0) end--;
  return gsm7Text(septets.slice(0, end));
}

const ucs2le = (bytes: readonly number[]): string => Buffer.from(bytes.slice(0, bytes.length & ~1)).toString('utf16le');

/** A PLMN name of Get Operator Name or NITZ (GSM 7-bit or UCS-2); none in another encoding. */
const plmnName = (encoding: number, bytes: readonly number[]): string | undefined =>
  encoding === NasPlmnEncodingScheme.names.gsm ? gsm7(bytes) : encoding === NasPlmnEncodingScheme.names.ucs2le ? ucs2le(bytes) : undefined;

/** A name of Get PLMN Name in its network description encoding; invalid UTF-8 prints empty. */
function describedName(encoding: number, bytes: readonly number[]): string {
  const E = NasNetworkDescriptionEncoding.names;
  if (encoding === E.unspecified || encoding === E.ascii7) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      return '';
    }
  }
  return encoding === E.gsm ? gsm7(bytes) : encoding === E.unicode ? ucs2le(bytes) : '';
}

function selectionPreference(r: ResponseOf<typeof m.getSystemSelectionPreference>, tag: string): string {
  let out = `${tag} Successfully got system selection preference\n`;
  if (r.modePreference !== undefined) out += `\tMode preference: ${q(maskString(NasRatModePreference.names, r.modePreference))}\n`;
  if (r.bandPreference !== undefined) out += `\tBand preference: ${q(maskString(NasBandPreference, r.bandPreference))}\n`;
  if (r.lteBandPreference !== undefined) out += `\tLTE band preference: ${q(maskString(LTE_BAND_PREFERENCE, r.lteBandPreference))}\n`;
  if (r.extendedLteBandPreference) out += `\tLTE band preference (extended): '${bandList(r.extendedLteBandPreference)}'\n`;
  if (r.nr5gSaBandPreference) out += `\tNR5G SA band preference: '${bandList(r.nr5gSaBandPreference)}'\n`;
  if (r.nr5gNsaBandPreference) out += `\tNR5G NSA band preference: '${bandList(r.nr5gNsaBandPreference)}'\n`;
  if (r.networkSelectionPreference !== undefined) out += `\tNetwork selection preference: ${q(enumName(NasNetworkSelectionPreference, r.networkSelectionPreference))}\n`;
  if (r.gsmWcdmaAcquisitionOrderPreference !== undefined) {
    out += `\tGSM/WCDMA acquisition order preference: ${q(enumName(NasGsmWcdmaAcquisitionOrderPreference, r.gsmWcdmaAcquisitionOrderPreference))}\n`;
  }
  if (r.acquisitionOrderPreference) out += `\tAcquisition order preference: '${r.acquisitionOrderPreference.map(radio).join(', ')}'\n`;
  return out;
}

/** `MCCMNC,access-tech[,MCCMNC,access-tech…]`, with qmicli's errors; access technologies are `|`-separated names. */
function preferredNetworks(str: string) {
  const parts = str === '' ? [] : str.split(',');
  const networks: { mcc: number; mnc: number; radioAccessTechnology: number }[] = [];
  const pcs: { mcc: number; mnc: number; includesPcsDigit: boolean }[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const plmn = parseMccMnc(parts[i]!);
    if (!plmn) throw new CliError(`invalid net selection MCC/MNC: '${parts[i]}'`);
    if (i + 1 >= parts.length) throw new CliError(`access technology missing for MCCMNC: '${parts[i]}'`);
    let tech = 0;
    for (const item of parts[i + 1]!.split('|').map((s) => s.trim())) {
      if (!item) continue;
      if (!Object.hasOwn(NasPlmnAccessTechnologyIdentifier.names, item)) throw new CliError(`unknown PLMN access technology value given: '${item}'`);
      tech |= (NasPlmnAccessTechnologyIdentifier.names as Record<string, number>)[item]!;
    }
    networks.push({ mcc: plmn.mcc, mnc: plmn.mnc, radioAccessTechnology: tech });
    pcs.push({ mcc: plmn.mcc, mnc: plmn.mnc, includesPcsDigit: parts[i]!.length === 6 });
  }
  return { preferredNetworks: networks, mncPcsDigitIncludeStatus: pcs, clearPreviousPreferredNetworks: true };
}

type RxChain = NonNullable<ResponseOf<typeof m.getTxRxInfo>['rxChain0Info']>;

/** One receive chain; which measurements qmicli shows depends on the radio asked about. */
function rxChain(n: number, c: RxChain, iface: number): string {
  const R = NasRadioInterface.names;
  const tenths = (v: number): string => (v / 10).toFixed(1);
  let out = `RX Chain ${n}:\n\tRadio tuned: '${yesNo(c.isRadioTuned)}'\n\tPower: '${tenths(c.rxPower)} dBm'\n`;
  const lteOrNr = iface === R.lte || iface === R['5gnr'];
  if ([R['cdma-1x'], R['cdma-1xevdo'], R.gsm, R.umts, R.lte, R['5gnr']].includes(iface as never)) out += `\tECIO: '${tenths(c.ecio)} dB'\n`;
  if (iface === R.umts) out += `\tRSCP: '${tenths(c.rscp)} dBm'\n`;
  if (lteOrNr) out += `\tRSRP: '${tenths(c.rsrp)} dBm'\n`;
  if (lteOrNr) out += c.phase === 0xffffffff ? "\tPhase: 'unknown'\n" : `\tPhase: '${(c.phase / 100).toFixed(2)} degrees'\n`;
  return out;
}

export const nasInfoActions = [
  action({
    option: { long: 'nas-get-tx-rx-info', arg: 'required' },
    service: nas,
    async run(ctx, arg) {
      if (!Object.hasOwn(NasRadioInterface.names, String(arg))) throw new CliError(`invalid radio interface value given: '${String(arg)}'`);
      const iface = (NasRadioInterface.names as Record<string, number>)[String(arg)]!;
      const r = await ask('get TX/RX info', ctx.client.request(m.getTxRxInfo, { radioInterface: iface }));
      let out = `${ctx.tag} Successfully got TX/RX info\n`;
      [r.rxChain0Info, r.rxChain1Info, r.rxChain2Info, r.rxChain3Info].forEach((c, i) => {
        if (c) out += rxChain(i, c, iface);
      });
      if (r.txInfo) out += `TX:\n${r.txInfo.isInTraffic ? `\tIn traffic: 'yes'\n\tPower: '${(r.txInfo.txPower / 10).toFixed(1)} dBm'\n` : "\tIn traffic: 'no'\n"}`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-technology-preference', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get technology preference', ctx.client.request(m.getTechnologyPreference, {}));
      let out = `${ctx.tag} Successfully got technology preference\n`;
      out += `\tActive: ${q(maskString(NasRadioTechnologyPreference.names, r.active.preference))}, duration: ${q(enumName(NasPreferenceDuration, r.active.duration))}\n`;
      if (r.persistent !== undefined) out += `\tPersistent: ${q(maskString(NasRadioTechnologyPreference.names, r.persistent))}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-system-selection-preference', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get system_selection preference', ctx.client.request(m.getSystemSelectionPreference, {}));
      ctx.print(selectionPreference(r, ctx.tag));
    },
  }),
  action({
    option: { long: 'nas-get-preferred-networks', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get preferred networks', ctx.client.request(m.getPreferredNetworks, {}));
      let out = `${ctx.tag} Successfully got preferred networks:\n`;
      if (r.preferredNetworks) {
        out += `Preferred PLMN list:\n${r.preferredNetworks.length ? '' : '\t<empty>\n'}`;
        r.preferredNetworks.forEach((e, i) => {
          out += `[${i}]:\n\tMCC: '${e.mcc}'\n\tMNC: '${e.mnc}'\n\tAccess Technology: ${q(maskString(NasPlmnAccessTechnologyIdentifier.names, e.radioAccessTechnology))}\n`;
        });
      }
      if (r.mncPcsDigitIncludeStatus) {
        out += `PCS digit status:\n${r.mncPcsDigitIncludeStatus.length ? '' : '\t<empty>\n'}`;
        r.mncPcsDigitIncludeStatus.forEach((e, i) => {
          out += `[${i}]:\n\tMCC: '${e.mcc}'\n\tMNC: '${e.mnc}'\n\tMCC with PCS digit: '${yesNo(e.includesPcsDigit)}'\n`;
        });
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-set-preferred-networks', arg: 'required' },
    service: nas,
    async run(ctx, arg) {
      await ask('set preferred networks', ctx.client.request(m.setPreferredNetworks, preferredNetworks(String(arg))));
      ctx.print(`${ctx.tag} Preferred networks set successfully.\n`);
    },
  }),
  action({
    option: { long: 'nas-get-operator-name', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get operator name data', ctx.client.request(m.getOperatorName, {}));
      let out = `${ctx.tag} Successfully got operator name data\n`;
      if (r.serviceProviderName) {
        const dc = maskString(NasNetworkNameDisplayCondition.names, r.serviceProviderName.nameDisplayCondition);
        out += `Service Provider Name\n\tDisplay Condition: ${q(dc)}\n\tName             : ${q(r.serviceProviderName.name)}\n`;
      }
      if (r.operatorStringName !== undefined) out += `Operator Name: ${q(r.operatorStringName)}\n`;
      if (r.operatorPlmnList) {
        out += 'PLMN List:\n';
        for (const e of r.operatorPlmnList) {
          // A two-digit MNC is padded with F; qmicli cuts it and pads the line with a space instead.
          const mnc = /^..[Ff]/.test(e.mnc) ? e.mnc.slice(0, 2) : e.mnc;
          out += `\tMCC/MNC: '${e.mcc}-${mnc}'${mnc.length === 2 ? ' ' : ''} LAC Range: ${e.lac1}->${e.lac2}\tPNN Record: ${e.plmnNameRecordIdentifier}\n`;
        }
      }
      if (r.operatorPlmnName) {
        out += 'PLMN Names:\n';
        r.operatorPlmnName.forEach((e, i) => {
          const short = plmnName(e.nameEncoding, e.shortName);
          out += `\t${i}: '${plmnName(e.nameEncoding, e.longName) ?? ''}'${short === undefined ? '' : ` ('${short}')`}`;
          out += `\t\tCountry: ${q(enumName(NasPlmnNameCountryInitials, e.shortCountryInitials))}\n`;
        });
      }
      if (r.nitzInformation) {
        const n = r.nitzInformation;
        out += `NITZ information:\n\tLong Name:  '${plmnName(n.nameEncoding, n.longName) ?? ''}'\n\tShort Name: '${plmnName(n.nameEncoding, n.shortName) ?? ''}'\n`;
        out += `\tCountry:    ${q(enumName(NasPlmnNameCountryInitials, n.shortCountryInitials))}\n`;
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-plmn-name', arg: 'required' },
    service: nas,
    async run(ctx, arg) {
      const plmn = parseMccMnc(String(arg));
      // qmicli 1.32 says so twice, then fails to build the request without the PLMN.
      const bad = `invalid net selection MCC/MNC: '${String(arg)}'`;
      if (!plmn) throw new CliError(`${bad}\nerror: ${bad}\nerror: operation failed: Couldn't create request message: Message 'Get PLMN Name' has mandatory TLVs`);
      const r = await ask('get operator name data', ctx.client.request(m.getPlmnName, { plmn }));
      let out = `${ctx.tag} Successfully got plmn name data\n`;
      const e = r.eonsPlmnName3gpp;
      if (e) {
        out +=
          `3GPP EONS PLMN Name:\n\tLong Name:  '${describedName(e.longNameEncoding, e.longName)}'\n` +
          `\tShort Name: '${describedName(e.shortNameEncoding, e.shortName)}'\n` +
          `\tService Name: '${describedName(e.serviceProviderNameEncoding, e.serviceProviderName)}'\n` +
          `\tCountry:    ${q(enumName(NasPlmnNameCountryInitials, e.shortNameCountryInitials))}\n`;
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-lte-cphy-ca-info', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get carrier aggregation info', ctx.client.request(m.getLteCphyCaInfo, {}));
      let out = `${ctx.tag} Successfully got carrier aggregation info\n`;
      if (r.dlBandwidth !== undefined) out += `DL Bandwidth: ${q(bandwidth(r.dlBandwidth))}\n`;
      const cell = (c: { physicalCellId: number; rxChannel: number; dlBandwidth: number; lteBand: number }): string =>
        `\tPhysical Cell ID: '${c.physicalCellId}'\n\tRX Channel: '${c.rxChannel}'\n\tDL Bandwidth: ${q(bandwidth(c.dlBandwidth))}\n\tLTE Band: ${q(band(c.lteBand))}\n`;
      if (r.phyCaAggPcellInfo) out += `Primary Cell Info\n${cell(r.phyCaAggPcellInfo)}`;
      if (r.phyCaAggSecondaryCells) {
        if (r.phyCaAggSecondaryCells.length === 0) out += 'No Secondary Cells\n';
        r.phyCaAggSecondaryCells.forEach((c, i) => {
          out += `Secondary Cell ${i + 1} Info\n${cell(c)}\tState: ${q(enumName(NasScellState, c.state))}\n\tCell index: '${c.cellIndex}'\n`;
        });
      } else {
        if (r.phyCaAggScellInfo) out += `Secondary Cell Info\n${cell(r.phyCaAggScellInfo)}\tState: ${q(enumName(NasScellState, r.phyCaAggScellInfo.state))}\n`;
        if (r.scellIndex !== undefined) out += `Secondary Cell index: '${r.scellIndex}'\n`;
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-rf-band-info', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get rf band info', ctx.client.request(m.getRfBandInformation, {}));
      let out = `${ctx.tag} Successfully got RF band info\nBand Information:\n`;
      const entry = (e: { radioInterface: number; activeBandClass: number; activeChannel: number }): string =>
        `\tRadio Interface:   ${q(radio(e.radioInterface))}\n\tActive Band Class: ${q(band(e.activeBandClass))}\n\tActive Channel:    '${e.activeChannel}'\n`;
      out += r.list.map(entry).join('');
      if (r.extendedList) out += `Band Information (Extended):\n${r.extendedList.map(entry).join('')}`;
      if (r.bandwidthList) {
        out += `Bandwidth:\n${r.bandwidthList.map((e) => `\tRadio Interface:   ${q(radio(e.radioInterface))}\n\tBandwidth:         ${q(bandwidth(e.bandwidth))}\n`).join('')}`;
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-drx', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get DRX', ctx.client.request(m.getDrx, {}));
      if (r.info === undefined) throw new CliError('DRX info not provided');
      ctx.print(`${ctx.tag} Successfully got DRX: ${enumName(NasDrx, r.info)}\n`);
    },
  }),
  nasSystemInfoAction,
  nasCellLocationAction,
  supportedMessagesAction(nas),
  resetAction(nas),
  noopAction(nas),
];
