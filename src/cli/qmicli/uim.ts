/** qmicli's UIM operations. */
import { parseKeyValues } from '../keyvalue.js';
import {
  uim,
  UimCardApplicationPersonalizationState,
  UimCardApplicationState,
  UimCardApplicationType,
  UimCardError,
  UimCardProtocol,
  UimCardState,
  UimFileType,
  UimPhysicalCardState,
  UimPinId,
  UimPinState,
  UimSecurityAttribute,
  UimSecurityAttributeLogic,
  UimSessionType,
  UimSlotState,
} from '../../qmi/services/uim.js';
import { QmiProtocolErrorResponse } from '../../qmi/errors.js';
import type { ResponseOf } from '../../qmi/schema.js';
import { action, ask, CliError, enumName, errorText, q, yesNo } from './action.js';
import { parseEnumArg } from './enum-arg.js';

const m = uim.messages;
const CARD_SLOT_1 = { sessionType: UimSessionType.names['card-slot-1'], applicationIdentifier: [] };
const PRIMARY_GW = { sessionType: UimSessionType.names['primary-gw-provisioning'], applicationIdentifier: [] };

/** qmicli's hex dump: `AA:BB:…`, lines of at most `max` characters (whole bytes), each after `prefix`. */
export function rawPrintable(data: readonly number[], max: number, prefix: string): string {
  const width = max - (max % 3);
  let out = '';
  let k = 0;
  data.forEach((b, i) => {
    if (k === 0 || k % width === 0) out += prefix;
    out += b.toString(16).toUpperCase().padStart(2, '0');
    k += 2;
    if (i !== data.length - 1) {
      out += ':';
      k++;
    }
    if (k % width === 0 || i === data.length - 1) out += '\n';
  });
  return out;
}

const PIN_IDS = { PIN1: UimPinId.names.pin1, PIN2: UimPinId.names.pin2, UPIN: UimPinId.names.upin };
/** `PIN1`, `PIN2` or `UPIN`, as qmicli reads a PIN id. */
function pinId(s: string | undefined): number {
  return parseEnumArg(PIN_IDS, s ?? '', `expected 'PIN1', 'PIN2' or 'UPIN', got: ${s ? `'${s}'` : 'none'}`);
}

function nonEmpty(s: string | undefined, what: string): string {
  if (!s) throw new CliError(`empty ${what} given`);
  return s;
}

/** A PIN operation's failure: qmicli's message, then the retries the modem sent with it. */
async function pinRequest<T>(what: string, tag: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    let text = `couldn't ${what}: ${errorText(e)}`;
    const r = e instanceof QmiProtocolErrorResponse ? (e.values as { retriesRemaining?: { verifyRetriesLeft: number; unblockRetriesLeft: number } }).retriesRemaining : undefined;
    if (r) text += `\n${tag} Retries left:\n\tVerify: ${r.verifyRetriesLeft}\n\tUnblock: ${r.unblockRetriesLeft}`;
    throw new CliError(text, { cause: e });
  }
}

/** `0x3F00,0x7FFF,0x6F07`: the path as 16-bit ids (little-endian bytes) and the file id last. */
export function filePath(arg: string, separator: string): { fileId: number; filePath: number[] } {
  const parts = arg.split(separator);
  const ids = parts.map((p) => {
    // strtoul(…, 16): leading hex digits after an optional 0x; none is 0.
    const m = /^\s*[+]?(?:0[xX])?([0-9a-fA-F]*)/.exec(p);
    return m && m[1] ? Number.parseInt(m[1].slice(-8), 16) & 0xffff : 0;
  });
  const fileId = ids[ids.length - 1]!;
  if (fileId === 0) throw new CliError(`invalid file path given: '${arg}'`);
  return { fileId, filePath: ids.slice(0, -1).flatMap((id) => [id & 0xff, id >> 8]) };
}

const cardResultText = (r: { sw1: number; sw2: number }): string =>
  `Card result:\n\tSW1: '0x${r.sw1.toString(16).padStart(2, '0')}'\n\tSW2: '0x${r.sw2.toString(16).padStart(2, '0')}'\n`;

/** A file read: on failure the error, and the card's status words on stdout where it sent them. */
async function fileRequest<T>(what: string, print: (s: string) => void, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const cr = e instanceof QmiProtocolErrorResponse ? (e.values as { cardResult?: { sw1: number; sw2: number } }).cardResult : undefined;
    if (cr) print(cardResultText(cr));
    throw new CliError(`couldn't ${what}: ${errorText(e)}`, { cause: e });
  }
}

const readOutput = (tag: string, r: { cardResult?: { sw1: number; sw2: number }; readResult?: number[] }): string =>
  `${tag} Successfully read information from the UIM:\n${r.cardResult ? cardResultText(r.cardResult) : ''}${r.readResult ? `Read result:\n${rawPrintable(r.readResult, 80, '\t')}\n` : ''}`;

/** A slot number as qmicli reads one (digits, at most 255). */
function slotArg(arg: string | true): number {
  const s = arg === true ? '' : arg;
  if (!/^\d+$/.test(s) || Number(s) > 255) throw new CliError('invalid slot number');
  return Number(s);
}

/** Digits from BCD nibbles: qmicli's decoder turns a nibble above 9 into NUL, which ends the string. */
function bcdDigits(nibbles: number[]): string {
  const end = nibbles.findIndex((n) => n > 9);
  return (end < 0 ? nibbles : nibbles.slice(0, end)).join('');
}

async function slotStatus<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new CliError(`could not get slots status: ${errorText(e)}`, { cause: e });
  }
}

const mask = (codec: { show(v: number): unknown }, v: number): string => {
  const names = codec.show(v) as (string | number)[];
  return names.length ? names.join(', ') : 'none';
};

/** A provisioning session index: slot in the high byte, application in the low byte; 0xFFFF = none. */
const session = (label: string, index: number): string =>
  index === 0xffff ? `\t${label}session doesn't exist\n` : `\t${label}slot '${((index >> 8) & 0xff) + 1}', application '${(index & 0xff) + 1}'\n`;

const hexColon = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');

type SlotStatus = ResponseOf<typeof m.getSlotStatus>;

/** Each physical slot as qmicli prints them, for Get Slot Status and the Slot Status indication alike. */
export function slotStatusText(slots: NonNullable<SlotStatus['physicalSlotStatus']>, info: SlotStatus['physicalSlotInformation'], eids: SlotStatus['slotEid']): string {
  let out = '';
  if (info && info.length !== slots.length) {
    out += 'Malformed extended information data';
    info = undefined;
  }
  if (eids && eids.length !== slots.length) {
    out += 'Malformed slot EID data';
    eids = undefined;
  }
  slots.forEach((s, i) => {
    out += `  Physical slot ${i + 1}:\n     Card status: ${enumName(UimPhysicalCardState, s.physicalCardStatus)}\n     Slot status: ${enumName(UimSlotState, s.physicalSlotStatus)}\n`;
    if (s.physicalSlotStatus === UimSlotState.names.active) out += `    Logical slot: ${s.logicalSlot}\n`;
    if (s.physicalCardStatus !== UimPhysicalCardState.names.present) return;
    const iccid = bcdDigits(s.iccid.flatMap((b) => [b & 0xf, b >> 4]));
    out += `           ICCID: ${iccid || 'unknown'}\n`;
    const x = info?.[i];
    if (!x) return;
    out += `        Protocol: ${enumName(UimCardProtocol, x.cardProtocol)}\n        Num apps: ${x.validApplications}\n        Is eUICC: ${x.isEuicc ? 'yes' : 'no'}\n`;
    if (!x.isEuicc || !eids) return;
    const eid = eids[i]!.eid.length === 16 ? bcdDigits(eids[i]!.eid.flatMap((b) => [b >> 4, b & 0xf])) : '';
    out += `             EID: ${eid || 'unknown'}\n`;
  });
  return out;
}

export const uimActions = [
  action({
    option: { long: 'uim-get-card-status', arg: 'none' },
    service: uim,
    async run(ctx) {
      const r = await ask('get card status', ctx.client.request(uim.messages.getCardStatus, {}));
      let out = `${ctx.tag} Successfully got card status\n`;
      const cs = r.cardStatus;
      if (cs) {
        out += 'Provisioning applications:\n';
        out += session('Primary GW:   ', cs.indexGwPrimary);
        out += session('Primary 1X:   ', cs.index1xPrimary);
        out += session('Secondary GW: ', cs.indexGwSecondary);
        out += session('Secondary 1X: ', cs.index1xSecondary);
        cs.cards.forEach((card, i) => {
          out += `Slot [${i + 1}]:\n`;
          if (card.cardState !== UimCardState.names.error) out += `\tCard state: ${q(enumName(UimCardState, card.cardState))}\n`;
          else out += `\tCard state: '${enumName(UimCardState, card.cardState)}: ${enumName(UimCardError, card.errorCode)} (${card.errorCode})'\n`;
          out += `\tUPIN state: ${q(enumName(UimPinState, card.upinState))}\n\t\tUPIN retries: '${card.upinRetries}'\n\t\tUPUK retries: '${card.upukRetries}'\n`;
          card.applications.forEach((app, j) => {
            out += `\tApplication [${j + 1}]:\n`;
            out += `\t\tApplication type:  '${enumName(UimCardApplicationType, app.type)} (${app.type})'\n`;
            out += `\t\tApplication state: ${q(enumName(UimCardApplicationState, app.state))}\n`;
            out += `\t\tApplication ID:\n\t\t\t${hexColon(app.applicationIdentifierValue)}\n`;
            out += `\t\tPersonalization state: ${q(enumName(UimCardApplicationPersonalizationState, app.personalizationState))}\n`;
            out += `\t\tUPIN replaces PIN1: ${q(yesNo(app.upinReplacesPin1))}\n`;
            out += `\t\tPIN1 state: ${q(enumName(UimPinState, app.pin1State))}\n\t\t\tPIN1 retries: '${app.pin1Retries}'\n\t\t\tPUK1 retries: '${app.puk1Retries}'\n`;
            out += `\t\tPIN2 state: ${q(enumName(UimPinState, app.pin2State))}\n\t\t\tPIN2 retries: '${app.pin2Retries}'\n\t\t\tPUK2 retries: '${app.puk2Retries}'\n`;
          });
        });
      }
      ctx.print(out);
    },
  }),
  ...(
    [
      ['uim-set-pin-protection', 'set PIN protection', 'PIN protection updated'],
      ['uim-verify-pin', 'verify PIN', 'PIN verified successfully'],
      ['uim-unblock-pin', 'unblock PIN', 'PIN unblocked successfully'],
      ['uim-change-pin', 'change PIN', 'PIN changed successfully'],
    ] as const
  ).map(([long, what, done]) =>
    action({
      option: { long, arg: 'required' },
      service: uim,
      async run(ctx, arg) {
        const [a, b, c] = String(arg).split(',');
        const id = pinId(a);
        let p: Promise<unknown>;
        if (long === 'uim-set-pin-protection') {
          if (!b) throw new CliError("expected 'disable' or 'enable', got: none");
          if (b !== 'enable' && b !== 'disable') throw new CliError(`expected 'disable' or 'enable', got: '${b}'`);
          p = ctx.client.request(m.setPinProtection, { session: CARD_SLOT_1, info: { pinId: id, pinEnabled: b === 'enable', pinValue: nonEmpty(c, 'current PIN') } });
        } else if (long === 'uim-verify-pin') {
          p = ctx.client.request(m.verifyPin, { session: CARD_SLOT_1, info: { pinId: id, pinValue: nonEmpty(b, 'current PIN') } });
        } else if (long === 'uim-unblock-pin') {
          const puk = nonEmpty(b, 'PUK');
          p = ctx.client.request(m.unblockPin, { session: CARD_SLOT_1, info: { pinId: id, pukValue: puk, newPinValue: nonEmpty(c, 'new PIN') } });
        } else {
          const old = nonEmpty(b, 'old PIN');
          p = ctx.client.request(m.changePin, { session: CARD_SLOT_1, info: { pinId: id, oldPinValue: old, newPinValue: nonEmpty(c, 'new PIN') } });
        }
        await pinRequest(what, ctx.tag, p);
        ctx.print(`${ctx.tag} ${done}\n`);
      },
    }),
  ),
  action({
    option: { long: 'uim-read-transparent', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      const file = filePath(String(arg), ',');
      const r = await fileRequest('read transparent file from the UIM', ctx.print, ctx.client.request(m.readTransparent, { session: PRIMARY_GW, file, readInformation: { offset: 0, length: 0 } }));
      ctx.print(readOutput(ctx.tag, r));
    },
  }),
  action({
    option: { long: 'uim-read-record', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      const str = String(arg);
      const props = { file: undefined as string | undefined, recordNumber: 0, recordLength: 0 };
      try {
        for (const [key, value] of parseKeyValues(str)) {
          if (!value) throw new Error(`key '${key}' requires a value`);
          const k = key.toLowerCase();
          if (k === 'file') props.file = value;
          else if (k === 'record-number' || k === 'record-length') {
            if (!/^\d+$/.test(value) || Number(value) > 0xffff) throw new Error(`failed reading key '${k}' as 16bit value`);
            props[k === 'record-number' ? 'recordNumber' : 'recordLength'] = Number(value);
          } else throw new Error(`Unrecognized option '${key}'`);
        }
      } catch (e) {
        throw new CliError(`could not parse input string '${str}': ${(e as Error).message}`);
      }
      const file = filePath(props.file ?? '', '-');
      const r = await fileRequest('read record file from the UIM', ctx.print, ctx.client.request(m.readRecord, { session: PRIMARY_GW, file, record: { recordNumber: props.recordNumber, recordLength: props.recordLength } }));
      ctx.print(readOutput(ctx.tag, r));
    },
  }),
  action({
    option: { long: 'uim-get-file-attributes', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      const file = filePath(String(arg), ',');
      // qmicli 1.32 passes no file name to its printer, so glib prints "(null)" where the name goes
      // and the device where the file goes.
      const device = ctx.tag.slice(1, -1);
      const r = await fileRequest("get '(null)' file attributes from the UIM", ctx.print, ctx.client.request(m.getFileAttributes, { session: PRIMARY_GW, file }));
      let out = `[(null)] Successfully got file '${device}' attributes from the UIM:\n`;
      if (r.cardResult) out += cardResultText(r.cardResult);
      const a = r.fileAttributes;
      if (a) {
        const sec = (label: string, logic: number, attrs: number): string => `\t${label} security attributes: (${enumName(UimSecurityAttributeLogic, logic)}) ${mask(UimSecurityAttribute, attrs)}\n`;
        out += `File attributes:\n\tFile size: ${a.fileSize}\n\tFile ID: ${a.fileId}\n\tFile type: ${enumName(UimFileType, a.fileType)}\n\tRecord size: ${a.recordSize}\n\tRecord count: ${a.recordCount}\n`;
        out += sec('Read', a.readSecurityAttributesLogic, a.readSecurityAttributes);
        out += sec('Write', a.writeSecurityAttributesLogic, a.writeSecurityAttributes);
        out += sec('Increase', a.increaseSecurityAttributesLogic, a.increaseSecurityAttributes);
        out += sec('Deactivate', a.deactivateSecurityAttributesLogic, a.deactivateSecurityAttributes);
        out += sec('Activate', a.activateSecurityAttributesLogic, a.activateSecurityAttributes);
        out += `\tRaw: ${rawPrintable(a.raw, 80, '\t')}\n`;
      }
      ctx.print(out);
    },
  }),
  ...([['on', m.powerOnSim], ['off', m.powerOffSim]] as const).map(([how, def]) =>
    action({
      option: { long: `uim-sim-power-${how}`, arg: 'required' },
      service: uim,
      async run(ctx, arg) {
        const slot = slotArg(arg);
        try {
          await ctx.client.request(def, { slot });
        } catch (e) {
          throw new CliError(`could not power ${how} SIM: ${errorText(e)}`, { cause: e });
        }
        ctx.print(`${ctx.tag} Successfully performed SIM power ${how}\n`);
      },
    }),
  ),
  action({
    option: { long: 'uim-get-slot-status', arg: 'none' },
    service: uim,
    async run(ctx) {
      const r = await slotStatus(ctx.client.request(m.getSlotStatus, {}));
      const slots = r.physicalSlotStatus;
      if (!slots) throw new CliError("could not parse slots status response: Field 'Physical Slot Status' was not found in the message");
      ctx.print(`${ctx.tag} Successfully got slots status\n${ctx.tag} ${slots.length} physical slots found:\n${slotStatusText(slots, r.physicalSlotInformation, r.slotEid)}`);
    },
  }),
  action({
    option: { long: 'uim-switch-slot', arg: 'required' },
    service: uim,
    async run(ctx, arg) {
      const physicalSlot = slotArg(arg);
      if (physicalSlot < 1) throw new CliError('invalid slot number');
      const status = await slotStatus(ctx.client.request(m.getSlotStatus, {}));
      const slots = status.physicalSlotStatus;
      if (!slots) throw new CliError("could not parse slots status response: Field 'Physical Slot Status' was not found in the message");
      if (physicalSlot > slots.length) throw new CliError(`physical slot ${physicalSlot} is unavailable`);
      const logicalSlot = slots.find((s) => s.physicalSlotStatus === UimSlotState.names.active)?.logicalSlot ?? 0;
      if (logicalSlot === 0) throw new CliError('no active logical slot');
      try {
        await ctx.client.request(m.switchSlot, { logicalSlot, physicalSlot });
      } catch (e) {
        throw new CliError(`couldn't switch slots: ${errorText(e)}`, { cause: e });
      }
      ctx.print(`${ctx.tag} Successfully switched slots\n`);
    },
  }),
];
