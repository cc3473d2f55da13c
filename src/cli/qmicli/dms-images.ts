/**
 * qmicli's DMS firmware image operations: the stored images (listed with each one's details),
 * selecting a stored modem/PRI pair or deleting an image by its index in the list, and the firmware
 * preference (read, or set from versions and a carrier).
 */
import { dms, DmsFirmwareImageType } from '../../qmi/services/dms.js';
import type { RequestOf } from '../../qmi/schema.js';
import type { ActionContext } from './action.js';
import { action, ask, atoi, CliError, enumName, q } from './action.js';
import { parseKeyValues } from '../keyvalue.js';
import { rawPrintable } from './uim.js';

const m = dms.messages;
const T = DmsFirmwareImageType.names;
const typeName = (t: number): string => enumName(DmsFirmwareImageType, t);

type Ctx = ActionContext<typeof dms>;
interface ImageId {
  type: number;
  uniqueId: number[];
  buildId: string;
}

/** A unique id as qmicli shows it: the text when it is ASCII followed only by NULs, else hex. */
export function uniqueIdPrintable(id: readonly number[]): string {
  const end = id.indexOf(0) < 0 ? id.length : id.indexOf(0);
  const ascii = id.every((b) => b < 0x80) && id.slice(end).every((b) => b === 0);
  if (ascii && end > 0) return String.fromCharCode(...id.slice(0, end));
  return rawPrintable(id, 80, '').replace(/\n$/, '');
}

/** `modem#` or `pri#`, as qmicli reads a firmware index (its two messages when it cannot). */
function firmwareIndex(item: string, whole: string): { type: number; index: number } {
  const type = item.startsWith('modem') ? T.modem : item.startsWith('pri') ? T.pri : undefined;
  const bad = `Couldn't parse input string as firmware index info: '${whole}'`;
  if (type === undefined) throw new CliError(`error: invalid firmware image type value given: '${item}'\n${bad}`, { bare: true });
  const digits = item.slice(type === T.modem ? 5 : 3);
  if (!/^\d+$/.test(digits) || Number(digits) > 0xffffffff) throw new CliError(bad, { bare: true });
  return { type, index: Number(digits) };
}

/** The images `modem#,pri#` names, looked up in the stored list (at most one of each type). */
async function storedImages(ctx: Ctx, arg: string): Promise<{ modem?: ImageId; pri?: ImageId }> {
  const wanted = new Map<number, number>();
  const items = arg === '' ? [] : arg.split(',');
  items.forEach((item, i) => {
    if (i >= 3) throw new CliError(`A maximum of 2 images should be given: '${arg}'`, { bare: true });
    const { type, index } = firmwareIndex(item, arg);
    if (wanted.has(type)) throw new CliError(`Cannot handle two '${typeName(type)}' type firmware indices: '${arg}'`, { bare: true });
    wanted.set(type, index);
  });
  const { list } = await ask('list stored images', ctx.client.request(m.listStoredImages, {}));
  const out: { modem?: ImageId; pri?: ImageId } = {};
  for (const image of list) {
    const index = wanted.get(image.type);
    if (index === undefined) continue;
    const sub = image.sublist[index];
    if (!sub) throw new CliError(`couldn't find '${typeName(image.type)}' image at index '${index}'`);
    out[image.type === T.modem ? 'modem' : 'pri'] = { type: image.type, uniqueId: sub.uniqueId, buildId: sub.buildId };
  }
  return out;
}

async function setPreference(ctx: Ctx, req: RequestOf<typeof m.setFirmwarePreference>): Promise<void> {
  const r = await ask('select stored image', ctx.client.request(m.setFirmwarePreference, req));
  let out =
    `${ctx.tag} Firmware preference successfully selected\n\n` +
    '\tYou may want to power-cycle the modem now, or just set it offline and reset it:\n' +
    '\t\t$> sudo qmicli ... --dms-set-operating-mode=offline\n' +
    '\t\t$> sudo qmicli ... --dms-set-operating-mode=reset\n\n';
  const pending = r.imageDownloadList ?? [];
  if (pending.length > 0) {
    out += `\tAfter reset, the modem will wait in QDL mode for new firmware.\n\tImages to download: ${q(pending.map(typeName).join(', '))}\n\n`;
  } else {
    out +=
      '\tNo new images are required to be downloaded.\n\n' +
      '\tYou should check that the modem|pri image pair is valid by checking the current operating mode:\n' +
      '\t\t$> sudo qmicli .... --dms-get-operating-mode\n' +
      "\tIf the Mode is reported as 'online', you're good to go.\n" +
      "\tIf the Mode is reported as 'offline' with a 'pri-version-incompatible' reason, you chose an incorrect pair\n\n";
  }
  ctx.print(out);
}

/** The id as 16 bytes: the text, NUL-padded or cut. */
const idBytes = (s: string): number[] => Array.from({ length: 16 }, (_, i) => Buffer.from(s)[i] ?? 0);

/** `--dms-set-firmware-preference`'s argument: key=value pairs, or the older three comma-separated values. */
function preferenceArgs(arg: string): { firmwareVersion: string; configVersion: string; carrier: string; storageIndex?: number; override?: boolean } {
  if (!arg.includes('=')) {
    const parts = arg.split(',');
    if (parts.length !== 3) throw new CliError("Invalid format string, expected 3 elements: 'firmware-version', 'config-version' and 'carrier'");
    return { firmwareVersion: parts[0]!, configVersion: parts[1]!, carrier: parts[2]! };
  }
  const p: { firmwareVersion?: string; configVersion?: string; carrier?: string; storageIndex?: number; override?: boolean } = {};
  const bad = (text: string, before = ''): CliError => new CliError(`${before}error: Couldn't parse input string: ${text}`, { bare: true });
  let pairs: [string, string][];
  try {
    pairs = parseKeyValues(arg);
  } catch (e) {
    throw bad((e as Error).message);
  }
  for (const [key, value] of pairs) {
    if (!value) throw bad(`key '${key}' required a value`);
    const k = key.toLowerCase();
    if (k === 'firmware-version' && p.firmwareVersion === undefined) p.firmwareVersion = value;
    else if (k === 'config-version' && p.configVersion === undefined) p.configVersion = value;
    else if (k === 'carrier' && p.carrier === undefined) p.carrier = value;
    else if (k === 'override-download' && p.override === undefined) {
      const v = value.toLowerCase();
      if (v === 'yes' || v === 'true') p.override = true;
      else if (v === 'no' || v === 'false') p.override = false;
      else throw bad(`unknown override-download '${value}'`, `error: expected 'true', 'false', 'yes' or 'no', got: ${value}\n`);
    } else if (k === 'modem-storage-index' && p.storageIndex === undefined) {
      const n = atoi(value);
      if (n < 0 || n > 0xff) throw bad(`invalid modem-storage-index '${value}'`);
      p.storageIndex = n;
    } else throw bad(`unrecognized or duplicate option '${key}'`);
  }
  if (p.firmwareVersion === undefined || p.configVersion === undefined || p.carrier === undefined) {
    throw new CliError("Missing mandatory parameters: 'firmware-version', 'config-version' and 'carrier' are mandatory");
  }
  return { ...p, firmwareVersion: p.firmwareVersion, configVersion: p.configVersion, carrier: p.carrier };
}

export const dmsImageActions = [
  action({
    option: { long: 'dms-list-stored-images', arg: 'none' },
    service: dms,
    async run(ctx) {
      const { list } = await ask('list stored images', ctx.client.request(m.listStoredImages, {}));
      ctx.print(`${ctx.tag} Device list of stored images retrieved:\n\n`);
      for (const [i, image] of list.entries()) {
        for (const [j, sub] of image.sublist.entries()) {
          if (j === 0) ctx.print(`\t[${i}] Type:    ${q(typeName(image.type))}\n\t    Maximum: '${image.maximumImages}'\n\n`);
          // Each image's details come from its own request; a failure leaves them out.
          const info = await ctx.client.request(m.getStoredImageInfo, { imageDetails: { type: image.type, uniqueId: sub.uniqueId, buildId: sub.buildId } }).catch(() => undefined);
          let out = j === image.indexOfRunningImage ? '\t\t>>>>>>>>>> [CURRENT] <<<<<<<<<<\n' : '';
          out += `\t\t[${typeName(image.type)}${j}]\n\t\tUnique ID:     ${q(uniqueIdPrintable(sub.uniqueId))}\n\t\tBuild ID:      ${q(sub.buildId)}\n`;
          if (sub.storageIndex !== 255) out += `\t\tStorage index: '${sub.storageIndex}'\n`;
          if (sub.failureCount !== 255) out += `\t\tFailure count: '${sub.failureCount}'\n`;
          if (info?.bootVersion) out += `\t\tBoot version:  '${info.bootVersion.majorVersion}.${info.bootVersion.minorVersion}'\n`;
          if (info?.priVersion) out += `\t\tPRI version:   '${info.priVersion.priVersion}'\n\t\tPRI info:      ${q(info.priVersion.priInfo)}\n`;
          if (info?.oemLockId !== undefined) out += `\t\tOEM lock ID:   '${info.oemLockId}'\n`;
          ctx.print(`${out}\n`);
        }
      }
    },
  }),
  action({
    option: { long: 'dms-select-stored-image', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const { modem, pri } = await storedImages(ctx, String(arg));
      if (!modem || !pri) throw new CliError("must specify a pair of 'modem' and 'pri' images to select");
      await setPreference(ctx, { list: [modem, pri] });
    },
  }),
  action({
    option: { long: 'dms-delete-stored-image', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const { modem, pri } = await storedImages(ctx, String(arg));
      if (modem && pri) throw new CliError('cannot specify multiple images to delete');
      const image = modem ?? pri;
      if (!image) throw new CliError("didn't specify correctly an image to delete");
      await ask('delete stored image', ctx.client.request(m.deleteStoredImage, { imageDetails: image }));
      ctx.print(`${ctx.tag} Stored image successfully deleted\n`);
    },
  }),
  action({
    option: { long: 'dms-get-firmware-preference', arg: 'none' },
    service: dms,
    async run(ctx) {
      const { list } = await ask('get firmware preference', ctx.client.request(m.getFirmwarePreference, {}));
      // qmicli 1.32 prints this report without the device tag.
      let out = 'firmware preference successfully retrieved:\n';
      for (const [i, image] of list.entries()) {
        out += `[image ${i}]\n\tImage type: ${q(typeName(image.type))}\n\tUnique ID:  ${q(uniqueIdPrintable(image.uniqueId))}\n\tBuild ID:   ${q(image.buildId)}\n`;
      }
      ctx.print(list.length > 0 ? out : `${out}no images specified\n`);
    },
  }),
  action({
    option: { long: 'dms-set-firmware-preference', arg: 'required' },
    service: dms,
    async run(ctx, arg) {
      const p = preferenceArgs(String(arg));
      // The modem image by its build id (any PRI: the `?_?` wildcard), the PRI by its config version.
      const list = [
        { type: T.modem, uniqueId: idBytes('?_?'), buildId: `${p.firmwareVersion}_?` },
        { type: T.pri, uniqueId: idBytes(p.configVersion), buildId: `${p.firmwareVersion}_${p.carrier}` },
      ];
      await setPreference(ctx, {
        list,
        ...(p.storageIndex !== undefined ? { modemStorageIndex: p.storageIndex } : {}),
        ...(p.override !== undefined ? { downloadOverride: p.override } : {}),
      });
    },
  }),
];
