/**
 * qmicli's DMS operations on the device's settings and fixed facts: band capabilities, supported
 * messages, factory SKU, MAC address, the user lock and user data, the CDMA items (PRL, ERI, service
 * activation), the boot image download mode, FCC authentication, the firmware id, and the
 * personalization (CK) facilities.
 */
import { parseEnumArg } from './enum-arg.js';
import { dms, DmsActivationState, DmsBandCapability, DmsBootImageDownloadMode, DmsMacType, DmsUimFacility, DmsUimFacilityState } from '../../qmi/services/dms.js';
import { LEGACY_LTE_BANDS } from '../../qmi/bands.js';
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';
import { action, ask, CliError, enumName, errorText, q, yesNo } from './action.js';
import { enableDisable, nonEmpty } from './dms.js';
import { maskString } from './nas-info.js';
import { supportedMessagesAction } from './service-actions.js';
import { rawPrintable } from './uim.js';

const m = dms.messages;

const LTE_BANDS = Object.fromEntries(LEGACY_LTE_BANDS.map((b) => [String(b), 1n << BigInt(b - 1)]));

/** libqmi's check of a fixed-size string input, with its message. */
export function fixedSize(value: string, n: number, variable: string): string {
  if (Buffer.byteLength(value) !== n) throw new CliError(`couldn't create input data bundle: 'Input variable '${variable}' must be ${n} characters long'`);
  return value;
}

/** libqmi's check of a string input with a maximum size. */
function maxSize(value: string, n: number, variable: string): string {
  if (Buffer.byteLength(value) > n) throw new CliError(`couldn't create input data bundle: 'Input variable '${variable}' must be less than ${n} characters long'`);
  return value;
}

/** An enum value by its libqmi nick, with qmicli's `invalid … value given` message. */
function nick(codec: { names: Record<string, number> }, s: string, what: string): number {
  return parseEnumArg(codec.names, s, `invalid ${what} value given: '${s}'`);
}

/** C's strtoul for a SID: leading digits (none is 0); a negative or too large number does not fit. */
function sidArg(s: string): number {
  const m = /^\s*([+-]?)(\d*)/.exec(s)!;
  const n = Number(m[2] || '0');
  if ((m[1] === '-' && n !== 0) || n > 0xffff) throw new CliError(`invalid SID given '${s}'`);
  return n;
}

/** A request without arguments that prints one line on success. */
const simple = (option: string, def: typeof m.setFccAuthentication | typeof m.setFirmwareId, what: string, done: string) =>
  action({
    option: { long: option, arg: 'none' },
    service: dms,
    async run(ctx) {
      await ask(what, ctx.client.request(def, {}));
      ctx.print(`${ctx.tag} ${done}\n`);
    },
  });

/** A byte area (user data, ERI file, MAC address) as qmicli dumps it. */
const dump = (tag: string, title: string, data: Uint8Array): string =>
  `${tag} ${title}:\n\tSize: '${data.length}' bytes\n\tContents:\n${rawPrintable([...data], 80, '\t\t')}`;

/** Reading a byte area the modem keeps (its only TLV) and dumping it. */
const readArea = (option: string, def: typeof m.readUserData | typeof m.readEriFile, what: string, title: string) =>
  action({
    option: { long: option, arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = (await ask(what, ctx.client.request(def, {}))) as { userData?: Uint8Array; eriFile?: Uint8Array };
      ctx.print(dump(ctx.tag, title, (r.userData ?? r.eriFile)!));
    },
  });

/** A CK operation's failure, with the retries left when the modem gives them. */
async function ckRequest(run: () => Promise<unknown>, what: string, tag: string, retries: (e: QmiProtocolErrorResponse) => string | undefined): Promise<void> {
  try {
    await run();
  } catch (e) {
    const extra = e instanceof QmiProtocolErrorResponse ? retries(e) : undefined;
    throw new CliError(`couldn't ${what}: ${errorText(e)}${extra === undefined ? '' : `\n${tag} Retries left:\n${extra}`}`, { cause: e });
  }
}

export const dmsSettingsActions = [
  action({
    option: { long: 'dms-get-band-capabilities', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get band capabilities', ctx.client.request(m.getBandCapabilities, {}));
      let out = `${ctx.tag} Device band capabilities retrieved:\n\tBands: ${q(maskString(DmsBandCapability, r.bandCapability))}\n`;
      if (r.lteBandCapability !== undefined) out += `\tLTE bands: ${q(maskString(LTE_BANDS, r.lteBandCapability))}\n`;
      if (r.extendedLteBandCapability) out += `\tLTE bands (extended): ${q(r.extendedLteBandCapability.join(', '))}\n`;
      if (r.nr5gBandCapability) out += `\tNR5G bands: ${q(r.nr5gBandCapability.join(', '))}\n`;
      ctx.print(out);
    },
  }),
  supportedMessagesAction(dms),
  action({
    option: { long: 'dms-get-factory-sku', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get factory SKU', ctx.client.request(m.getFactorySku, {}));
      ctx.print(`${ctx.tag} Device factory SKU retrieved:\n\tSKU: ${q(r.sku)}\n`);
    },
  }),
  action({
    option: { long: 'dms-get-mac-address', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const device = nick(DmsMacType, String(arg), 'mac address type');
      const r = await ask('get mac address', ctx.client.request(m.getMacAddress, { device }));
      ctx.print(dump(ctx.tag, 'MAC address read', Uint8Array.from(r.macAddress ?? [])));
    },
  }),
  action({
    option: { long: 'dms-get-user-lock-state', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get the state of the user lock', ctx.client.request(m.getUserLockState, {}));
      ctx.print(`${ctx.tag} User lock state retrieved:\n\tEnabled: ${q(yesNo(r.enabled))}\n`);
    },
  }),
  action({
    option: { long: 'dms-set-user-lock-state', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const [onOff, code] = String(arg).split(',');
      const enabled = enableDisable(onOff);
      const lockCode = fixedSize(nonEmpty(code, 'current lock code'), 4, 'value_info_lock_code');
      await ask('set state of the user lock', ctx.client.request(m.setUserLockState, { info: { enabled, lockCode } }));
      ctx.print(`${ctx.tag} User lock state updated\n`);
    },
  }),
  action({
    option: { long: 'dms-set-user-lock-code', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const [oldArg, newArg] = String(arg).split(',');
      const oldCode = nonEmpty(oldArg, 'old lock code');
      const newCode = nonEmpty(newArg, 'new lock code');
      const info = { oldCode: fixedSize(oldCode, 4, 'value_info_old_code'), newCode: fixedSize(newCode, 4, 'value_info_new_code') };
      await ask('change user lock code', ctx.client.request(m.setUserLockCode, { info }));
      ctx.print(`${ctx.tag} User lock code changed\n`);
    },
  }),
  readArea('dms-read-user-data', m.readUserData, 'read user data', 'User data read'),
  action({
    option: { long: 'dms-write-user-data', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      await ask('write user data', ctx.client.request(m.writeUserData, { userData: Buffer.from(String(arg)) }));
      // qmicli 1.32 ends this line without a newline.
      ctx.print(`${ctx.tag} User data written`);
    },
  }),
  readArea('dms-read-eri-file', m.readEriFile, 'read eri file', 'ERI file read'),
  action({
    option: { long: 'dms-get-prl-version', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get the PRL version', ctx.client.request(m.getPrlVersion, {}));
      let out = `${ctx.tag} PRL version retrieved:\n\tPRL version: '${r.version}'\n`;
      if (r.prlOnlyPreference !== undefined) out += `\tPRL only preference: ${q(yesNo(r.prlOnlyPreference))}\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'dms-get-activation-state', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get the state of the service activation', ctx.client.request(m.getActivationState, {}));
      ctx.print(`${ctx.tag} Activation state retrieved:\n\tState: ${q(enumName(DmsActivationState, r.info))}\n`);
    },
  }),
  // Both activations print nothing on success, as qmicli does.
  action({
    option: { long: 'dms-activate-automatic', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      await ask('request automatic service activation', ctx.client.request(m.activateAutomatic, { activationCode: String(arg) }));
    },
  }),
  action({
    option: { long: 'dms-activate-manual', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const parts = String(arg).split(',');
      if (parts.length !== 4) throw new CliError('incorrect number of arguments given');
      const [spc, sid, mdn, min] = parts as [string, string, string, string];
      const systemIdentificationNumber = sidArg(sid);
      const info = {
        serviceProgrammingCode: fixedSize(spc, 6, 'value_info_service_programming_code'),
        systemIdentificationNumber,
        mobileDirectoryNumber: maxSize(mdn, 15, 'value_info_mobile_directory_number'),
        mobileIdentificationNumber: maxSize(min, 15, 'value_info_mobile_identification_number'),
      };
      await ask('request manual service activation', ctx.client.request(m.activateManual, { info }));
    },
  }),
  action({
    option: { long: 'dms-get-boot-image-download-mode', arg: 'none' },
    service: dms,
    async run(ctx) {
      const r = await ask('get boot image download mode', ctx.client.request(m.getBootImageDownloadMode, {}));
      ctx.print(`${ctx.tag} Boot image download mode: ${r.mode === undefined ? 'normal' : enumName(DmsBootImageDownloadMode, r.mode)}\n`);
    },
  }),
  action({
    option: { long: 'dms-set-boot-image-download-mode', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const mode = nick(DmsBootImageDownloadMode, String(arg), 'boot image download mode');
      await ask('set boot image download mode', ctx.client.request(m.setBootImageDownloadMode, { mode }));
      ctx.print(`${ctx.tag} Boot image download mode successfully set\n`);
    },
  }),
  simple('dms-set-fcc-authentication', m.setFccAuthentication, 'set FCC authentication', 'Successfully set FCC authentication'),
  simple('dms-set-firmware-id', m.setFirmwareId, 'set firmware id', 'Firmware id set'),
  action({
    option: { long: 'dms-uim-get-ck-status', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const facility = nick(DmsUimFacility, String(arg), 'facility');
      const r = await ask('get UIM CK status', ctx.client.request(m.uimGetCkStatus, { facility }));
      const s = r.ckStatus;
      let out = `${ctx.tag} UIM facility state retrieved:\n\tState: ${q(enumName(DmsUimFacilityState, s.facilityState))}\n`;
      out += `${ctx.tag} Retries left:\n\tVerify: ${s.verifyRetriesLeft}\n\tUnblock: ${s.unblockRetriesLeft}\n`;
      if (r.operationBlockingFacility) out += `${ctx.tag} Facility is blocking operation\n`;
      ctx.print(out);
    },
  }),
  action({
    option: { long: 'dms-uim-set-ck-protection', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const [f, onOff, key] = String(arg).split(',');
      const facility = nick(DmsUimFacility, f ?? '', 'facility');
      const enable = enableDisable(onOff);
      const controlKey = nonEmpty(key, 'control key');
      if (enable) throw new CliError("only 'disable' action is allowed");
      const req = { facility: { facility, facilityState: DmsUimFacilityState.names.deactivated, key: controlKey } };
      await ckRequest(() => ctx.client.request(m.uimSetCkProtection, req), 'set UIM CK protection', ctx.tag, (e) => {
        const left = (e.values as { verifyRetriesLeft?: number }).verifyRetriesLeft;
        return left === undefined ? undefined : `\tVerify: ${left}`;
      });
      ctx.print(`${ctx.tag} UIM CK protection set\n`);
    },
  }),
  action({
    option: { long: 'dms-uim-unblock-ck', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const [f, key] = String(arg).split(',');
      const facility = nick(DmsUimFacility, f ?? '', 'facility');
      const req = { facility: { facility, key: nonEmpty(key, 'control key') } };
      await ckRequest(() => ctx.client.request(m.uimUnblockCk, req), 'unblock CK', ctx.tag, (e) => {
        const left = (e.values as { unblockRetriesLeft?: number }).unblockRetriesLeft;
        return left === undefined ? undefined : `\tUnblock: ${left}`;
      });
      ctx.print(`${ctx.tag} UIM CK unblocked\n`);
    },
  }),
];
