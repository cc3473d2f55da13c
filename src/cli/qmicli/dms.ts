/** qmicli's DMS operations. */
import { dms, DmsDataServiceCapability, DmsOperatingMode, DmsRadioInterface, DmsSimCapability, DmsOfflineReason } from '../../qmi/services/dms.js';
import { action, ask, CliError, enumName, orUnknown, q, yesNo } from './action.js';

const m = dms.messages;

/** A simple "get one string" operation and its two-line report. */
const getString = (option: string, def: typeof m.getManufacturer | typeof m.getModel | typeof m.getRevision | typeof m.getMsisdn | typeof m.getHardwareRevision, what: string, title: string, label: string) =>
  action({
    option: { long: option, arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = (await ask(`get ${what}`, ctx.client.request(def, {}))) as Record<string, string>;
      ctx.print(`${ctx.tag} ${title} retrieved:\n\t${label}: ${q(Object.values(r)[0])}\n`);
    },
  });

export const dmsActions = [
  action({
    option: { long: 'dms-get-ids', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get IDs', ctx.client.request(m.getIds, {}));
      let out = `${ctx.tag} Device IDs retrieved:\n\t    ESN: ${orUnknown(r.esn)}\n\t   IMEI: ${orUnknown(r.imei)}\n\t   MEID: ${orUnknown(r.meid)}\n`;
      if (r.imeiSoftwareVersion !== undefined) out += `\tIMEI SV: ${q(r.imeiSoftwareVersion)}\n`;
      ctx.print(out);
    },
  }),
  getString('dms-get-manufacturer', m.getManufacturer, 'manufacturer', 'Device manufacturer', 'Manufacturer'),
  getString('dms-get-model', m.getModel, 'model', 'Device model', 'Model'),
  getString('dms-get-revision', m.getRevision, 'revision', 'Device revision', 'Revision'),
  getString('dms-get-msisdn', m.getMsisdn, 'MSISDN', 'Device MSISDN', 'MSISDN'),
  getString('dms-get-hardware-revision', m.getHardwareRevision, 'hardware revision', 'Hardware revision', 'Revision'),
  action({
    option: { long: 'dms-get-capabilities', arg: 'none' },
    service: dms,
    async run(ctx) {
      const { info } = await ask('get capabilities', ctx.client.request(m.getCapabilities, {}));
      const networks = info.radioInterfaces.map((r) => enumName(DmsRadioInterface, r)).join(', ');
      ctx.print(
        `${ctx.tag} Device capabilities retrieved:\n` +
          `\tMax TX channel rate: ${q(info.maxTxChannelRate)}\n` +
          `\tMax RX channel rate: ${q(info.maxRxChannelRate)}\n` +
          `\t       Data Service: ${q(enumName(DmsDataServiceCapability, info.dataServiceCapability))}\n` +
          `\t                SIM: ${q(enumName(DmsSimCapability, info.simCapability))}\n` +
          `\t           Networks: ${q(networks)}\n`,
      );
    },
  }),
  action({
    option: { long: 'dms-get-operating-mode', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get operating mode', ctx.client.request(m.getOperatingMode, {}));
      let out = `${ctx.tag} Operating mode retrieved:\n\tMode: ${q(enumName(DmsOperatingMode, r.mode))}\n`;
      if (r.mode === DmsOperatingMode.names.offline && r.offlineReason !== undefined) {
        const reasons = (DmsOfflineReason.show(r.offlineReason) as (string | number)[]).join(', ');
        out += `\tReason: ${q(reasons)}\n`;
      }
      if (r.hardwareRestrictedMode !== undefined) out += `\tHW restricted: ${q(yesNo(r.hardwareRestrictedMode))}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'dms-set-operating-mode', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const mode = (DmsOperatingMode.names as Record<string, number>)[String(arg)];
      if (mode === undefined) throw new CliError(`invalid operating mode value given: '${String(arg)}'`);
      await ask('set operating mode', ctx.client.request(m.setOperatingMode, { mode }));
      ctx.print(`${ctx.tag} Operating mode set successfully\n`);
    },
  }),
];
