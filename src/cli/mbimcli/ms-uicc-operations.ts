/**
 * mbimcli 1.28's MS UICC low-level access actions on the card's applications and logical channels:
 * the application list, the ATR, open/close channel and APDUs. Arguments are mbimcli's key=value
 * strings with its wording; byte arrays print as colon-separated uppercase hex.
 */
import type { ResponseOf } from '../../mbim/service.js';
import { msUiccLowLevelAccess, UiccApplicationType, UiccClassByteType, UiccSecureMessaging } from '../../mbim/services/ms-uicc-low-level-access.js';
import { KeyValueError, parseKeyValues } from '../keyvalue.js';
import { readUint } from './basic-connect-radio.js';
import { CliError, query, readNick, seconds, type Context, type Operation } from './operations.js';

const u = msUiccLowLevelAccess.cids;
const group = 'ms-uicc-low-level-access' as const;

/** mbim_common_str_hex with ':'; an empty buffer is a NULL string, printed as glibc's "(null)". */
const colonHex = (b: Uint8Array): string => (b.length ? Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':') : '(null)');

/** mbimcli_read_buffer_from_string: an even number of hex digits. */
function hexBuffer(text: string): Uint8Array {
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

const uint = (value: string, field: string): number => {
  const n = readUint(value);
  if (n === undefined) throw new KeyValueError(`Failed to parse ${field} field as an integer`);
  return n;
};

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

/** A set whose key=value argument is parsed first (after OPEN, as mbimcli does). */
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
];
