/** qmicli's NAS operations. */
import {
  nas,
  NasAttachState,
  NasDataCapability,
  NasNetworkNameSource,
  NasNetworkScanResult,
  NasNetworkSelectionPreference,
  NasNetworkStatus,
  NasNetworkType,
  NasRadioInterface,
  NasRatModePreference,
  NasRegistrationState,
  NasRoamingIndicatorStatus,
} from '../../qmi/services/nas.js';
import { action, ask, CliError, enumName, q, yesNo } from './action.js';
import { parseEnumArg } from './enum-arg.js';

const m = nas.messages;
const radio = (v: number): string => enumName(NasRadioInterface, v);
const dB1 = (tenths: number): string => (tenths / 10).toFixed(1);

/** `00101` or `001001`: MCC (not 0) and a two- or three-digit MNC, as qmicli parses a PLMN. */
export function parseMccMnc(str: string): { mcc: number; mnc: number } | undefined {
  if (!/^\d{5,6}$/.test(str) || Number(str.slice(0, 3)) === 0) return undefined;
  return { mcc: Number(str.slice(0, 3)), mnc: Number(str.slice(3)) };
}

/**
 * `--nas-set-system-selection-preference`'s argument: `gsm|umts|lte` (each both a mode bit and, in
 * order, the acquisition order), `automatic` or `manual=MCCMNC`, or both comma-separated; with
 * qmicli's error lines, all of them, for what it cannot read.
 */
function systemSelection(str: string) {
  let rat: string | undefined;
  let net: string | undefined;
  if (str.includes(',')) {
    const parts = str.split(',');
    if (parts.length !== 2) throw new CliError(`failed to parse selection pref: '${str}'`);
    [rat, net] = parts as [string, string];
  } else if (str.startsWith('automatic') || str.startsWith('manual')) net = str;
  else rat = str;
  const out: {
    modePreference?: number;
    acquisitionOrderPreference?: number[];
    networkSelectionPreference?: { mode: number; mcc: number; mnc: number };
  } = {};
  if (net !== undefined) {
    const [name, plmn] = net.includes('=') ? [net.slice(0, net.indexOf('=')), net.slice(net.indexOf('=') + 1)] : [net, undefined];
    let ids = { mcc: 0, mnc: 0 };
    const errors: string[] = [];
    if (plmn !== undefined) {
      const p = parseMccMnc(plmn);
      // qmicli 1.32 prints an empty PLMN here, whatever was given.
      if (!p) errors.push("invalid net selection MCC/MNC: ''");
      else ids = p;
    }
    const mode = parseEnumArg(NasNetworkSelectionPreference.names, name);
    if (!errors.length && mode === undefined) errors.push(`invalid net selection preference value given: '${name}'`);
    if (errors.length) throw new CliError([...errors, `failed to parse network preference options: '${net}'`].join('\nerror: '));
    out.networkSelectionPreference = { mode: mode!, ...ids };
  }
  if (rat !== undefined) {
    const errors: string[] = [];
    let mode = 0;
    const order: number[] = [];
    let ok = true;
    for (const item of rat.split('|')) {
      if (!ok) break;
      if (!item) continue;
      const bit = parseEnumArg(NasRatModePreference.names, item);
      if (bit !== undefined) mode |= bit;
      else {
        errors.push(`invalid rat mode pref value given: '${item}'`);
        ok = false;
      }
      const iface = parseEnumArg(NasRadioInterface.names, item);
      if (iface !== undefined) order.push(iface);
      else {
        errors.push(`invalid radio interface value given: '${item}'`);
        ok = false;
      }
    }
    if (mode === 0) errors.push(`invalid rat mode pref input given: '${rat}'`);
    if (order.length === 0) errors.push(`invalid rat mode pref input given: '${rat}'`);
    if (!ok || (mode === 0 && order.length === 0)) throw new CliError([...errors, `failed to parse system selection preference options: '${rat}'`].join('\nerror: '));
    if (mode) out.modePreference = mode;
    out.acquisitionOrderPreference = order;
  }
  return out;
}

export const nasActions = [
  action({
    option: { long: 'nas-get-signal-strength', arg: 'none' },
    service: nas,
    async run(ctx) {
      // qmicli asks for everything but the error rate: RSSI|ECIO|IO|SINR|RSRQ|LTE SNR|LTE RSRP.
      const r = await ask('get signal strength', ctx.client.request(m.getSignalStrength, { requestMask: 0xef }));
      let out = `${ctx.tag} Successfully got signal strength\nCurrent:\n\tNetwork ${q(radio(r.signalStrength.radioInterface))}: '${r.signalStrength.strength} dBm'\n`;
      if (r.strengthList) out += `Other:\n${r.strengthList.map((e) => `\tNetwork ${q(radio(e.radioInterface))}: '${e.strength} dBm'\n`).join('')}`;
      if (r.rssiList) out += `RSSI:\n${r.rssiList.map((e) => `\tNetwork ${q(radio(e.radioInterface))}: '${-e.value} dBm'\n`).join('')}`;
      if (r.ecioList) out += `ECIO:\n${r.ecioList.map((e) => `\tNetwork ${q(radio(e.radioInterface))}: '${(-0.5 * e.value).toFixed(1)} dBm'\n`).join('')}`;
      if (r.io !== undefined) out += `IO: '${r.io} dBm'\n`;
      if (r.rsrq) out += `RSRQ:\n\tNetwork ${q(radio(r.rsrq.radioInterface))}: '${r.rsrq.rsrq} dB'\n`;
      if (r.lteSnr !== undefined) out += `SNR:\n\tNetwork 'lte': '${dB1(r.lteSnr)} dB'\n`;
      if (r.lteRsrp !== undefined) out += `RSRP:\n\tNetwork 'lte': '${r.lteRsrp} dBm'\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-signal-info', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get signal info', ctx.client.request(m.getSignalInfo, {}));
      let out = `${ctx.tag} Successfully got signal info\n`;
      if (r.cdma) out += `CDMA:\n\tRSSI: '${r.cdma.rssi} dBm'\n\tECIO: '${(-0.5 * r.cdma.ecio).toFixed(1)} dBm'\n`;
      if (r.gsm !== undefined) out += `GSM:\n\tRSSI: '${r.gsm} dBm'\n`;
      if (r.wcdma) out += `WCDMA:\n\tRSSI: '${r.wcdma.rssi} dBm'\n\tECIO: '${(-0.5 * r.wcdma.ecio).toFixed(1)} dBm'\n`;
      if (r.lte) out += `LTE:\n\tRSSI: '${r.lte.rssi} dBm'\n\tRSRQ: '${r.lte.rsrq} dB'\n\tRSRP: '${r.lte.rsrp} dBm'\n\tSNR: '${dB1(r.lte.snr)} dB'\n`;
      if (r.nr5g) out += `5G:\n\tRSRP: '${r.nr5g.rsrp} dBm'\n\tSNR: '${dB1(r.nr5g.snr)} dB'\n`;
      if (r.nr5gRsrq !== undefined) out += `\tRSRQ: '${r.nr5gRsrq} dB'\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-serving-system', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get serving system', ctx.client.request(m.getServingSystem, {}));
      const s = r.servingSystem;
      let out =
        `${ctx.tag} Successfully got serving system:\n` +
        `\tRegistration state: ${q(enumName(NasRegistrationState, s.registrationState))}\n` +
        `\tCS: ${q(enumName(NasAttachState, s.csAttachState))}\n` +
        `\tPS: ${q(enumName(NasAttachState, s.psAttachState))}\n` +
        `\tSelected network: ${q(enumName(NasNetworkType, s.selectedNetwork))}\n` +
        `\tRadio interfaces: '${s.radioInterfaces.length}'\n` +
        s.radioInterfaces.map((ri, i) => `\t\t[${i}]: ${q(radio(ri))}\n`).join('');
      if (r.roamingIndicator !== undefined) out += `\tRoaming status: ${q(enumName(NasRoamingIndicatorStatus, r.roamingIndicator))}\n`;
      if (r.dataServiceCapability) {
        out += `\tData service capabilities: '${r.dataServiceCapability.length}'\n`;
        out += r.dataServiceCapability.map((c, i) => `\t\t[${i}]: ${q(enumName(NasDataCapability, c))}\n`).join('');
      }
      if (r.currentPlmn) out += `\tCurrent PLMN:\n\t\tMCC: '${r.currentPlmn.mcc}'\n\t\tMNC: '${r.currentPlmn.mnc}'\n\t\tDescription: ${q(r.currentPlmn.description)}\n`;
      if (r.lac3gpp !== undefined) out += `\t3GPP location area code: '${r.lac3gpp}'\n`;
      if (r.cid3gpp !== undefined) out += `\t3GPP cell ID: '${r.cid3gpp}'\n`;
      if (r.lteTac !== undefined) out += `\tLTE tracking area code: '${r.lteTac}'\n`;
      if (r.mncPcsDigitIncludeStatus) {
        const f = r.mncPcsDigitIncludeStatus;
        out += `\tFull operator code info:\n\t\tMCC: '${f.mcc}'\n\t\tMNC: '${f.mnc}'\n\t\tMNC with PCS digit: ${q(yesNo(f.includesPcsDigit))}\n`;
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-get-home-network', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('get home network', ctx.client.request(m.getHomeNetwork, {}));
      let out = `${ctx.tag} Successfully got home network:\n\tHome network:\n\t\tMCC: '${r.homeNetwork.mcc}'\n\t\tMNC: '${r.homeNetwork.mnc}'\n\t\tDescription: ${q(r.homeNetwork.description)}\n`;
      if (r.networkNameSource !== undefined) out += `\tNetwork name source: ${enumName(NasNetworkNameSource, r.networkNameSource)}\n`;
      if (r.homeSystemId) out += `\t\tSID: '${r.homeSystemId.sid}'\n\t\tNID: '${r.homeSystemId.nid}'\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-network-scan', arg: 'none' },
    service: nas,
    async run(ctx) {
      const r = await ask('scan networks', ctx.client.request(m.networkScan, {}, { timeoutMs: 300_000 }));
      let out = `${ctx.tag} Successfully scanned networks\n`;
      r.networkInformation?.forEach((e, i) => {
        const status = (NasNetworkStatus.show(e.networkStatus) as (string | number)[]).join(', ') || 'none';
        out += `Network [${i}]:\n\tMCC: '${e.mcc}'\n\tMNC: '${e.mnc}'\n\tStatus: '${status}'\n\tDescription: '${e.description}'\n`;
      });
      r.radioAccessTechnology?.forEach((e, i) => {
        out += `Network [${i}]:\n\tMCC: '${e.mcc}'\n\tMNC: '${e.mnc}'\n\tRAT: '${radio(e.radioInterface)}'\n`;
      });
      r.mncPcsDigitIncludeStatus?.forEach((e, i) => {
        out += `Network [${i}]:\n\tMCC: '${e.mcc}'\n\tMNC: '${e.mnc}'\n\tMCC with PCS digit: '${yesNo(e.includesPcsDigit)}'\n`;
      });
      if (r.networkScanResult !== undefined) out += `Network scan result: ${enumName(NasNetworkScanResult, r.networkScanResult)}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'nas-force-network-search', arg: 'none' },
    service: nas,
    async run(ctx) {
      await ask('force network search', ctx.client.request(m.forceNetworkSearch, {}));
      ctx.print(`${ctx.tag} Successfully forced network search\n`);
    },
  }),
  action({
    option: { long: 'nas-set-system-selection-preference', arg: 'required' },
    service: nas,
    async run(ctx, arg) {
      const sel = systemSelection(String(arg));
      const gwl = NasRatModePreference.names.gsm | NasRatModePreference.names.umts | NasRatModePreference.names.lte;
      // qmicli asks for a permanent change, and automatic GSM/WCDMA order when GSM, UMTS or LTE is in.
      await ask('set operating mode', ctx.client.request(m.setSystemSelectionPreference, {
        changeDuration: 1,
        ...sel,
        ...((sel.modePreference ?? 0) & gwl ? { gsmWcdmaAcquisitionOrderPreference: 0 } : {}),
      }));
      ctx.print(`${ctx.tag} System selection preference set successfully; replug your device.\n`);
    },
  }),
];
