/**
 * mbimcli 1.28's MS UICC low-level access actions: the application list, the ATR, open/close channel,
 * APDUs, file status, read binary and read record, reset and terminal capability. Arguments are
 * mbimcli's key=value strings with its wording; byte arrays print as colon-separated uppercase hex.
 */
import type { ResponseOf } from '../../mbim/service.js';
import { PinType } from '../../mbim/services/basic-connect.js';
import {
  msUiccLowLevelAccess, UiccApplicationType, UiccClassByteType, UiccFileAccessibility, UiccFileStructure, UiccFileType, UiccPassThroughAction,
  UiccPassThroughStatus, UiccSecureMessaging,
} from '../../mbim/services/ms-uicc-low-level-access.js';
import { KeyValueError, parseKeyValues } from '../keyvalue.js';
import { readUint } from './basic-connect-radio.js';
import { CliError, query, readNick, seconds, type Context, type Operation } from './operations.js';

const u = msUiccLowLevelAccess.cids;
const group = 'ms-uicc-low-level-access' as const;

/** mbim_common_str_hex with ':'; an empty buffer is a NULL string, printed as glibc's "(null)". */
export const colonHex = (b: Uint8Array): string => (b.length ? Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':') : '(null)');

/** mbimcli_read_buffer_from_string: an even number of hex digits. */
export function hexBuffer(text: string): Uint8Array {
  if (text.length === 0) throw new KeyValueError('Hex conversion failed: empty string');
  if (text.length % 2) throw new KeyValueError('Hex conversion failed: invalid input length');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < text.length; i += 2) {
    const pair = text.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new KeyValueError(`Hex byte conversion from '${pair}' failed`);
    out[i / 2] = parseInt(pair, 16);
  }
  return out;
}

const uint = (value: string, field?: string): number => {
  const n = readUint(value);
  if (n === undefined) throw new KeyValueError(`Failed to parse ${field ? `${field} ` : ''}field as an integer`);
  return n;
};

/** A get_string() result printed with %s: a NULL prints as glibc's "(null)". */
const raw = (e: { nameOf(v: number): string | undefined }, x: number): string => e.nameOf(x) ?? '(null)';

/** An enum value by its nick (mbimcli's read_*_from_string helpers print their own line first). */
const nick = (names: Record<string, number>, value: string, what: string, field: string, err: Context['err']): number => {
  const n = readNick(names, value, what, err);
  if (n === undefined) throw new KeyValueError(`Failed to parse ${field} field`);
  return n;
};

/** mbimcli_parse_key_value_string with a handler per key; any error as "couldn't parse input arguments". */
function parseArgs(text: string, handle: Record<string, (value: string) => void>): void {
  try {
    for (const [key, value] of parseKeyValues(text)) {
      const h = handle[key.toLowerCase()];
      if (!h) throw new KeyValueError(`unrecognized option '${key}'`);
      h(value);
    }
  } catch (e) {
    if (e instanceof KeyValueError) throw new CliError(`couldn't parse input arguments: ${e.message}`);
    throw e;
  }
}

function printApplications(ctx: Context, r: ResponseOf<typeof u.applicationList>): void {
  let s = `[${ctx.path}] UICC applications: (${r.applications.length})\n`;
  r.applications.forEach((a, i) => {
    s +=
      `Application ${i}:${i === r.activeApplicationIndex ? ' (active)' : ''}\n` +
      `\tApplication type:        ${UiccApplicationType.nameOf(a.applicationType) ?? '(null)'}\n` +
      `\tApplication ID:          ${colonHex(a.applicationId)}\n` +
      `\tApplication name:        ${a.applicationName || '(null)'}\n` +
      `\tPIN key reference count: ${a.pinKeyReferenceCount}\n` +
      `\tPIN key references:      ${colonHex(a.pinKeyReferences)}\n`;
  });
  ctx.out(s);
}

/** An action whose key=value argument is parsed first (after OPEN, as mbimcli does). */
function setWith<T>(option: string, parse: (text: string, err: Context['err']) => T, run: (ctx: Context, args: T) => Promise<void>): Operation {
  return {
    option,
    group,
    arg: 'required',
    prepare(value, { err }) {
      const args = parse(String(value), err);
      return async (ctx) => {
        await run(ctx, args);
        return true;
      };
    },
  };
}

/** A file by application and path, both required (the file actions' common keys), and the rest each action has. */
interface FileArgs {
  applicationId: Uint8Array;
  filePath: Uint8Array;
  readOffset: number;
  readSize: number;
  recordNumber: number;
  localPin: string;
  data: Uint8Array;
}
function parseFile(text: string, keys: readonly ('read-offset' | 'read-size' | 'record-number' | 'local-pin' | 'data')[]): FileArgs {
  const a: FileArgs = { applicationId: new Uint8Array(0), filePath: new Uint8Array(0), readOffset: 0, readSize: 0, recordNumber: 0, localPin: '', data: new Uint8Array(0) };
  const all: Record<string, (v: string) => void> = {
    'application-id': (v) => (a.applicationId = hexBuffer(v)),
    'file-path': (v) => (a.filePath = hexBuffer(v)),
    'read-offset': (v) => (a.readOffset = uint(v)),
    'read-size': (v) => (a.readSize = uint(v)),
    'record-number': (v) => (a.recordNumber = uint(v)),
    'local-pin': (v) => (a.localPin = v),
    data: (v) => (a.data = hexBuffer(v)),
  };
  parseArgs(text, Object.fromEntries(['application-id', 'file-path', ...keys].map((k) => [k, all[k]!])));
  if (a.applicationId.length === 0) throw new CliError("couldn't parse input arguments: Option 'application-id' is missing");
  if (a.filePath.length === 0) throw new CliError("couldn't parse input arguments: Option 'file-path' is missing");
  return a;
}

const fileData = (what: string) => (ctx: Context, r: { statusWord1: number; statusWord2: number; data: Uint8Array }): void =>
  ctx.out(`[${ctx.path}] UICC file ${what}:\n\tStatus word 1: ${r.statusWord1}\n\tStatus word 2: ${r.statusWord2}\n\t         Data: ${colonHex(r.data)}\n`);

function printFileStatus(ctx: Context, r: ResponseOf<typeof u.fileStatus>): void {
  ctx.out(
    `[${ctx.path}] UICC file status retrieved:\n` +
      `\t    Status word 1: ${r.statusWord1}\n` +
      `\t    Status word 2: ${r.statusWord2}\n` +
      `\t    Accessibility: ${raw(UiccFileAccessibility, r.fileAccessibility)}\n` +
      `\t             Type: ${raw(UiccFileType, r.fileType)}\n` +
      `\t        Structure: ${raw(UiccFileStructure, r.fileStructure)}\n` +
      `\t       Item count: ${r.fileItemCount}\n` +
      `\t        Item size: ${r.fileItemSize}\n` +
      `\tAccess conditions:\n` +
      `\t                 Read: ${raw(PinType, r.accessConditionRead)}\n` +
      `\t               Update: ${raw(PinType, r.accessConditionUpdate)}\n` +
      `\t             Activate: ${raw(PinType, r.accessConditionActivate)}\n` +
      `\t           Deactivate: ${raw(PinType, r.accessConditionDeactivate)}\n`,
  );
}

const printReset = (ctx: Context, r: ResponseOf<typeof u.reset>): void => ctx.out(`Succesfully retrieved reset info:\n\tpass through action: ${raw(UiccPassThroughStatus, r.passThroughStatus)}\n`);

function printTerminalCapability(ctx: Context, r: ResponseOf<typeof u.terminalCapability>): void {
  ctx.out(
    `Terminal capability: (${r.terminalCapability.length})\n` +
      r.terminalCapability
        .map((t, i) => `\t terminal capability count: ${i}\n\t terminal capability size : ${t.terminalCapabilityData.length}\n\t terminal capability      : ${t.terminalCapabilityData.length ? colonHex(t.terminalCapabilityData) : 'unknown'}\n`)
        .join(''),
  );
}

/** `terminal-capability=HEX` once per object; each must be hex (mbimcli's two error wordings: while parsing, and for the last one). */
function parseTerminalCapability(text: string): { terminalCapabilityData: Uint8Array }[] {
  const values: string[] = [];
  try {
    for (const [key, value] of parseKeyValues(text)) {
      if (key.toLowerCase() !== 'terminal-capability') throw new KeyValueError(`unrecognized option '${key}'`);
      if (values.length) hexBuffer(values[values.length - 1]!);
      values.push(value);
    }
  } catch (e) {
    if (e instanceof KeyValueError) throw new CliError(`couldn't parse input string: ${e.message}`);
    throw e;
  }
  try {
    if (values.length) hexBuffer(values[values.length - 1]!);
  } catch (e) {
    if (e instanceof KeyValueError) throw new CliError(`failed to add last terminal item: ${e.message}`);
    throw e;
  }
  return values.map((v) => ({ terminalCapabilityData: hexBuffer(v) }));
}

export const msUiccOperations: readonly Operation[] = [
  query('ms-query-uicc-application-list', u.applicationList, printApplications, group),
  query('ms-query-uicc-atr', u.atr, (ctx, r) => ctx.out(`Succesfully retrieved ATR info:\n\tresponse: ${colonHex(r.atr)}\n`), group),
  setWith(
    'ms-set-uicc-open-channel',
    (text) => {
      const a: { appId: Uint8Array; selectP2Arg: number; channelGroup: number } = { appId: new Uint8Array(0), selectP2Arg: 0, channelGroup: 0 };
      parseArgs(text, {
        'application-id': (v) => (a.appId = hexBuffer(v)),
        selectp2arg: (v) => (a.selectP2Arg = uint(v, 'selectp2arg')),
        'channel-group': (v) => (a.channelGroup = uint(v, 'channel-group')),
      });
      if (a.appId.length === 0) throw new CliError("couldn't parse input arguments: Option 'application-id' is missing");
      return a;
    },
    async (ctx, a) => {
      const r = await ctx.device.set(u.openChannel, a, seconds(30));
      ctx.out(`Succesfully retrieved open channel info:\n\t  status: ${r.status}\n\t channel: ${r.channel}\n\tresponse: ${colonHex(r.response)}\n`);
    },
  ),
  setWith(
    'ms-set-uicc-close-channel',
    (text) => {
      const a = { channel: 0, channelGroup: 0 };
      parseArgs(text, { channel: (v) => (a.channel = uint(v, 'channel')), 'channel-group': (v) => (a.channelGroup = uint(v, 'channel-group')) });
      return a;
    },
    async (ctx, a) => {
      const r = await ctx.device.set(u.closeChannel, a, seconds(30));
      ctx.out(`Succesfully retrieved close channel info:\n\tstatus: ${r.status}\n`);
    },
  ),
  setWith(
    'ms-set-uicc-apdu',
    (text, err) => {
      const a: { channel: number; secureMessaging: number; classByteType: number; command: Uint8Array } = { channel: 0, secureMessaging: 0, classByteType: 0, command: new Uint8Array(0) };
      parseArgs(text, {
        command: (v) => (a.command = hexBuffer(v)),
        'secure-message': (v) => (a.secureMessaging = nick(UiccSecureMessaging.names, v, 'uicc secure messaging', 'secure-message', err)),
        channel: (v) => (a.channel = uint(v, 'channel')),
        'classbyte-type': (v) => (a.classByteType = nick(UiccClassByteType.names, v, 'uicc class byte type', 'classbyte-type', err)),
      });
      if (a.command.length === 0) throw new CliError("couldn't parse input arguments: Option 'command' is missing");
      return a;
    },
    async (ctx, a) => {
      const r = await ctx.device.set(u.apdu, a, seconds(30));
      ctx.out(`Succesfully retrieved UICC APDU response:\n\t  status: ${r.status}\n\tresponse: ${colonHex(r.response)}\n`);
    },
  ),
  setWith(
    'ms-query-uicc-file-status',
    (text) => parseFile(text, []),
    async (ctx, a) => printFileStatus(ctx, await ctx.device.query(u.fileStatus, { version: 1, ...a }, seconds(10))),
  ),
  setWith(
    'ms-query-uicc-read-binary',
    (text) => parseFile(text, ['read-offset', 'read-size', 'local-pin', 'data']),
    async (ctx, a) => fileData('binary read')(ctx, await ctx.device.query(u.readBinary, { version: 1, ...a }, seconds(10))),
  ),
  setWith(
    'ms-query-uicc-read-record',
    (text) => parseFile(text, ['record-number', 'local-pin', 'data']),
    async (ctx, a) => fileData('record read')(ctx, await ctx.device.query(u.readRecord, { version: 1, ...a }, seconds(10))),
  ),
  setWith(
    'ms-set-uicc-reset',
    (text, err) => {
      const action = readNick(UiccPassThroughAction.names, text, 'uicc pass through action', err);
      if (action === undefined) throw new CliError('');
      return action;
    },
    async (ctx, passThroughAction) => printReset(ctx, await ctx.device.set(u.reset, { passThroughAction }, seconds(30))),
  ),
  {
    option: 'ms-query-uicc-reset',
    group,
    arg: 'none',
    prepare: () => async (ctx) => {
      printReset(ctx, await ctx.device.query(u.reset, {}, seconds(30)));
      return true;
    },
  },
  setWith(
    'ms-set-uicc-terminal-capability',
    (text) => parseTerminalCapability(text),
    async (ctx, terminalCapability) => {
      await ctx.device.set(u.terminalCapability, { terminalCapability }, seconds(30));
      ctx.out('Succesfully set terminal capability info\n');
    },
  ),
  query('ms-query-uicc-terminal-capability', u.terminalCapability, printTerminalCapability, group),
];
