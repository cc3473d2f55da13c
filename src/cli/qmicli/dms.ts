/** qmicli's DMS operations. */
import { dms, DmsDataServiceCapability, DmsOperatingMode, DmsRadioInterface, DmsSimCapability, DmsOfflineReason, DmsPowerState, DmsTimeSource, DmsUimPinId, DmsUimPinStatus, DmsUimState } from '../../qmi/services/dms.js';
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';
import type { RequestOf } from '../../qmi/schema.js';
import { action, ask, CliError, enumName, errorText, orUnknown, q, yesNo } from './action.js';
import { noopAction, resetAction } from './service-actions.js';

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

/** `PIN` or `PIN2`, as qmicli reads a DMS PIN id. */
function pinId(s: string | undefined): number {
  if (!s) throw new CliError("expected 'PIN' or 'PIN2', got: none");
  if (s === 'PIN') return DmsUimPinId.names.pin;
  if (s === 'PIN2') return DmsUimPinId.names.pin2;
  throw new CliError(`expected 'PIN' or 'PIN2', got: '${s}'`);
}

export function nonEmpty(s: string | undefined, what: string): string {
  if (!s) throw new CliError(`empty ${what} given`);
  return s;
}

/** `enable` or `disable`, as qmicli reads them. */
export function enableDisable(s: string | undefined): boolean {
  if (!s) throw new CliError("expected 'disable' or 'enable', got: none");
  if (s !== 'enable' && s !== 'disable') throw new CliError(`expected 'disable' or 'enable', got: '${s}'`);
  return s === 'enable';
}

/** A DMS PIN operation: its option, the request its arguments make, what it says on success and on failure. */
const pinAction = <D extends typeof m.uimVerifyPin | typeof m.uimUnblockPin | typeof m.uimChangePin | typeof m.uimSetPinProtection>(
  option: string,
  def: D,
  info: (args: string[]) => RequestOf<D>['info'],
  what: string,
  done: string,
) =>
  action({
    option: { long: option, arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const req = { info: info(String(arg).split(',')) } as RequestOf<D>;
      try {
        await ctx.client.request(def, req as never);
      } catch (e) {
        let text = `couldn't ${what}: ${errorText(e)}`;
        const r = e instanceof QmiProtocolErrorResponse ? (e.values as { pinRetriesStatus?: { verifyRetriesLeft: number; unblockRetriesLeft: number } }).pinRetriesStatus : undefined;
        if (r) text += `\n${ctx.tag} Retries left:\n\tVerify: ${r.verifyRetriesLeft}\n\tUnblock: ${r.unblockRetriesLeft}`;
        throw new CliError(text, { cause: e });
      }
      ctx.print(`${ctx.tag} ${done}\n`);
    },
  });

/** libqmi's `%F %T` of a count of milliseconds after the GPS epoch (qmicli reads the 1.25 ms device count as ms too). */
const gpsDate = (ms: bigint): string => new Date(Date.UTC(1980, 0, 6) + Number(ms)).toISOString().replace('T', ' ').slice(0, 19);

/** An SPC operation (restore factory defaults, validate): the code goes as it is given, six characters. */
const spcAction = (option: string, def: typeof m.restoreFactoryDefaults | typeof m.validateServiceProgrammingCode, what: string, done: string) =>
  action({
    option: { long: option, arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const code = String(arg);
      if (Buffer.byteLength(code) !== 6) throw new CliError(`couldn't create input data bundle: 'Input variable 'value_service_programming_code' must be 6 characters long'`);
      await ask(what, ctx.client.request(def, { serviceProgrammingCode: code }));
      ctx.print(`${ctx.tag} ${done}\n`);
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
  action({
    option: { long: 'dms-get-power-state', arg: 'none' },
    service: dms,
    async run(ctx) {
      const { info } = await ask('get power state', ctx.client.request(m.getPowerState, {}));
      const flags = (DmsPowerState.show(info.powerStateFlags) as (string | number)[]).join(', ');
      ctx.print(`${ctx.tag} Device power state retrieved:\n\tPower state: ${q(flags || 'none')}\n\tBattery level: '${info.batteryLevel} %'\n`);
    },
  }),
  pinAction('dms-uim-set-pin-protection', m.uimSetPinProtection, ([id, onOff, pin]) => {
    const pinIdValue = pinId(id);
    return { pinId: pinIdValue, protectionEnabled: enableDisable(onOff), pin: nonEmpty(pin, 'current PIN') };
  }, 'set PIN protection', 'PIN protection updated'),
  pinAction('dms-uim-verify-pin', m.uimVerifyPin, ([id, pin]) => ({ pinId: pinId(id), pin: nonEmpty(pin, 'current PIN') }), 'verify PIN', 'PIN verified successfully'),
  pinAction('dms-uim-unblock-pin', m.uimUnblockPin, ([id, puk, pin]) => ({ pinId: pinId(id), puk: nonEmpty(puk, 'PUK'), newPin: nonEmpty(pin, 'new PIN') }), 'unblock PIN', 'PIN unblocked successfully'),
  pinAction('dms-uim-change-pin', m.uimChangePin, ([id, old, pin]) => ({ pinId: pinId(id), oldPin: nonEmpty(old, 'old PIN'), newPin: nonEmpty(pin, 'new PIN') }), 'change PIN', 'PIN changed successfully'),
  action({
    option: { long: 'dms-uim-get-pin-status', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get PIN status', ctx.client.request(m.uimGetPinStatus, {}));
      let out = `${ctx.tag} PIN status retrieved successfully\n`;
      for (const [label, s] of [['PIN1', r.pin1Status], ['PIN2', r.pin2Status]] as const) {
        if (s) out += `${ctx.tag} ${label}:\n\tStatus: ${enumName(DmsUimPinStatus, s.status)}\n\tVerify: ${s.verifyRetriesLeft}\n\tUnblock: ${s.unblockRetriesLeft}\n`;
      }
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'dms-uim-get-iccid', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get ICCID', ctx.client.request(m.uimGetIccid, {}));
      ctx.print(`${ctx.tag} UIM ICCID retrieved:\n\tICCID: ${orUnknown(r.iccid)}\n`);
    },
  }),
  action({
    option: { long: 'dms-uim-get-imsi', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get IMSI', ctx.client.request(m.uimGetImsi, {}));
      ctx.print(`${ctx.tag} UIM IMSI retrieved:\n\tIMSI: ${orUnknown(r.imsi)}\n`);
    },
  }),
  action({
    option: { long: 'dms-uim-get-state', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get UIM state', ctx.client.request(m.uimGetState, {}));
      ctx.print(`${ctx.tag} UIM state retrieved:\n\tState: ${q(enumName(DmsUimState, r.state))}\n`);
    },
  }),
  action({
    option: { long: 'dms-get-time', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get the device time', ctx.client.request(m.getTime, {}));
      const count = (BigInt(r.deviceTime.timeCountHigh) << 32n) | BigInt(r.deviceTime.timeCountLow);
      let out = `${ctx.tag} Time retrieved:\n\tTime count: '${count} (x 1.25ms): ${gpsDate(count)}'\n\tTime source: ${q(enumName(DmsTimeSource, r.deviceTime.timeSource))}\n`;
      if (r.systemTime !== undefined) out += `\tSystem time: '${r.systemTime} (ms): ${gpsDate(r.systemTime)}'\n`;
      if (r.userTime !== undefined) out += `\tUser time: '${r.userTime} (ms): ${gpsDate(r.userTime)}'\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'dms-get-software-version', arg: 'none' },
    service: dms,
    async run(ctx) {
      // qmicli 1.32's message for this failure names the wrong operation; kept so scripts see the same text.
      const r = await ask('get boot image download mode', ctx.client.request(m.getSoftwareVersion, {}));
      ctx.print(`${ctx.tag} Software version: ${r.version}\n`);
    },
  }),
  spcAction('dms-restore-factory-defaults', m.restoreFactoryDefaults, 'restores factory defaults', 'Factory defaults restored\nDevice needs to get power-cycled for reset to take effect.'),
  spcAction('dms-validate-service-programming-code', m.validateServiceProgrammingCode, 'validate Service Programming Code', 'Service Programming Code validated'),
  resetAction(dms),
  noopAction(dms),
];
