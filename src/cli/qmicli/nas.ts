/** qmicli's NAS operations. */
import { nas, NasAttachState, NasDataCapability, NasNetworkType, NasRadioInterface, NasRegistrationState, NasRoamingIndicatorStatus, NasNetworkNameSource } from '../../qmi/services/nas.js';
import { action, ask, enumName, q, yesNo } from './action.js';

const m = nas.messages;
const radio = (v: number): string => enumName(NasRadioInterface, v);
const dB1 = (tenths: number): string => (tenths / 10).toFixed(1);

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
];
