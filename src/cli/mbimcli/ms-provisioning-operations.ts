/**
 * mbimcli 1.28's MS Basic Connect Extensions actions on what the modem keeps: provisioned contexts v2
 * (query and set) and, from MBIMEx 3.0, registration parameters (query and set), the modem
 * configuration and the wake reason. mbimcli sends the MBIMEx 3.0 messages whatever version was
 * agreed, and so do we. Printers follow mbimcli's labels; passwords print as `********`.
 */
import { ContextType } from '../../mbim/context-types.js';
import { decodeBuffer } from '../../mbim/schema.js';
import type { ResponseOf } from '../../mbim/service.js';
import { AuthProtocol, Compression, ContextIpType, basicConnect } from '../../mbim/services/basic-connect.js';
import {
  ContextMediaType, ContextOperation, ContextRoamingControl, ContextSource, ContextState, DefaultPduActivationHint, DrxCycle, LadnInfo, MicoMode,
  ModemConfigurationStatus, WakeCommand, WakePacket, WakeTlv, WakeTlvType, WakeType, msBasicConnectExtensions,
} from '../../mbim/services/ms-basic-connect-extensions.js';
import { INVALID_CONTEXT, keyValues, printContextList } from './basic-connect-radio.js';
import { raw } from './ms-operations.js';
import { colonHex } from './ms-uicc-operations.js';
import { CliError, named, query, readNick, seconds, type Context, type Operation } from './operations.js';

const ext = msBasicConnectExtensions.cids;
const ms = 'ms-basic-connect-extensions' as const;
/** libmbim's MbimContextType nicks: `invalid` is the all-zero UUID. */
const CONTEXT_TYPES: Record<string, string> = { invalid: INVALID_CONTEXT, ...ContextType };

// ---- Provisioned contexts v2

function printProvisionedContexts(ctx: Context, r: ResponseOf<typeof ext.provisionedContexts>): void {
  printContextList(
    ctx,
    r.provisionedContexts,
    (c) =>
      `\t        IP type: '${named(ContextIpType, c.ipType)}'\n` +
      `\t          State: '${named(ContextState, c.state)}'\n` +
      `\tRoaming control: '${named(ContextRoamingControl, c.roaming)}'\n` +
      `\t     Media type: '${named(ContextMediaType, c.mediaType)}'\n` +
      `\t         Source: '${named(ContextSource, c.source)}'\n`,
  );
}

/** mbimcli's defaults: delete, an invalid context type, home only, cellular only, admin. */
function parseProvisionedContext(text: string, err: Context['err']) {
  const a: Record<'operation' | 'ipType' | 'state' | 'roaming' | 'mediaType' | 'source' | 'compression' | 'authProtocol', number> & Record<'contextType' | 'accessString' | 'userName' | 'password', string> = {
    operation: ContextOperation.names.delete, contextType: INVALID_CONTEXT, ipType: 0, state: 0, roaming: 0, mediaType: 0, source: 0,
    accessString: '', userName: '', password: '', compression: 0, authProtocol: 0,
  };
  const enums = {
    operation: [ContextOperation.names, 'context operation'],
    'ip-type': [ContextIpType.names, 'context ip type'],
    state: [ContextState.names, 'context state'],
    'roaming-control': [ContextRoamingControl.names, 'context roaming control'],
    'media-type': [ContextMediaType.names, 'context media type'],
    source: [ContextSource.names, 'context source'],
    auth: [AuthProtocol.names, 'auth protocol'],
    compression: [Compression.names, 'compression'],
  } as const;
  const field = { operation: 'operation', 'ip-type': 'ipType', state: 'state', 'roaming-control': 'roaming', 'media-type': 'mediaType', source: 'source', auth: 'authProtocol', compression: 'compression' } as const;
  keyValues(text, (key, value) => {
    const bad = (): never => {
      throw new CliError(`unknown ${key}: '${value}'`);
    };
    if (key in enums) {
      const [names, what] = enums[key as keyof typeof enums];
      a[field[key as keyof typeof field]] = readNick<number>(names, value, what, err) ?? bad();
    } else if (key === 'context-type') a.contextType = readNick(CONTEXT_TYPES, value, 'context type', err) ?? bad();
    else if (key === 'username') a.userName = value;
    else if (key === 'password') a.password = value;
    else if (key === 'access-string') a.accessString = value;
    else throw new CliError(`unrecognized option '${key}'`);
  });
  return a;
}

// ---- Registration parameters

function printRegistrationParameters(ctx: Context, r: ResponseOf<typeof ext.registrationParameters>): void {
  ctx.out(
    `[${ctx.path}] Successfully received registration parameters information\n` +
      `\t             MICO mode: ${raw(MicoMode, r.micoMode)}\n` +
      `\t             DRX cycle: ${raw(DrxCycle, r.drxCycle)}\n` +
      `\t      LADN information: ${raw(LadnInfo, r.ladnInfo)}\n` +
      `\tDefault PDU activation: ${raw(DefaultPduActivationHint, r.defaultPduActivationHint)}\n` +
      `\t Re-register if needed: ${r.reRegisterIfNeeded ? 'yes' : 'no'}\n`,
  );
}

/** mbimcli_read_boolean_from_string. */
const readBoolean = (s: string): boolean | undefined => (/^(true|yes)$/i.test(s) || s === '1' ? true : /^(false|no)$/i.test(s) || s === '0' ? false : undefined);

/** All five keys are required; mbimcli names each missing one (the last with its own typo). */
function parseRegistrationParameters(text: string, err: Context['err']) {
  const enums = {
    'mico-mode': ['micoMode', MicoMode.names, 'mico mode'],
    'drx-cycle': ['drxCycle', DrxCycle.names, 'drx cycle'],
    'ladn-info': ['ladnInfo', LadnInfo.names, 'ladn info'],
    'default-pdu-activation-hint': ['defaultPduActivationHint', DefaultPduActivationHint.names, 'default pdu activation hint'],
  } as const;
  const got: Partial<Record<'micoMode' | 'drxCycle' | 'ladnInfo' | 'defaultPduActivationHint' | 'reRegisterIfNeeded', number>> = {};
  keyValues(text, (key, value) => {
    const bad = (): never => {
      throw new CliError(`unknown ${key}: '${value}'`);
    };
    if (key in enums) {
      const [name, names, what] = enums[key as keyof typeof enums];
      got[name] = readNick<number>(names, value, what, err) ?? bad();
    } else if (key === 're-register-if-needed') got.reRegisterIfNeeded = Number(readBoolean(value) ?? bad());
    else throw new CliError(`unrecognized option '${key}'`);
  });
  const missing = [
    ['mico-mode', got.micoMode], ['drx-cycle', got.drxCycle], ['ladn-info', got.ladnInfo], ['default-pdu-activation-hint', got.defaultPduActivationHint],
    ['re-register-is-needed', got.reRegisterIfNeeded],
  ].filter(([, x]) => x === undefined);
  if (missing.length) throw new CliError(['missing required keys', ...missing.map(([k]) => `key '${k}' is missing`)].join('\nerror: '));
  const { micoMode = 0, drxCycle = 0, ladnInfo = 0, defaultPduActivationHint = 0, reRegisterIfNeeded = 0 } = got;
  return { micoMode, drxCycle, ladnInfo, defaultPduActivationHint, reRegisterIfNeeded, unnamedIes: new Uint8Array(0) };
}

// ---- Modem configuration and wake reason

/** An empty TLV string is an empty string to libmbim, not a NULL: it prints as ''. */
function printModemConfiguration(ctx: Context, r: ResponseOf<typeof ext.modemConfiguration>): void {
  ctx.out(`[${ctx.path}] Modem configuration retrieved: \n\tStatus: '${named(ModemConfigurationStatus, r.configurationStatus)}'\n\t  Name: '${r.configurationName}'\n`);
}

/** The TLV's data as the wake type says it is: a command (CID) or a packet; errors as mbimcli words them. */
function printWakeReason(ctx: Context, r: ResponseOf<typeof ext.wakeReason>): boolean {
  ctx.out(`[${ctx.path}] Successfully queried wake reason\n\t Wake type: '${raw(WakeType, r.wakeType)}'\n\tSession ID: '${r.sessionId}'\n`);
  const command = r.wakeType === WakeType.names['cid-response'] || r.wakeType === WakeType.names['cid-indication'];
  if (!command && r.wakeType !== WakeType.names.packet) {
    ctx.err(`error: unknown wake type: 0x${r.wakeType.toString(16).padStart(8, '0')}\n`);
    return false;
  }
  const what = command ? 'wake command' : 'wake packet';
  const tlv = decodeBuffer(WakeTlv, r.wakeTlv);
  const fail = (why: string): false => {
    ctx.err(`error: couldn't parse ${what} TLV: ${why}\n`);
    return false;
  };
  if (!tlv.ok) return fail(tlv.error.message);
  if (tlv.value.tlvType !== (command ? WakeTlvType.command : WakeTlvType.packet)) return fail(`TLV is not a ${what}`);
  if (command) {
    const c = decodeBuffer(WakeCommand, tlv.value.data);
    if (!c.ok) return fail(c.error.message);
    const { service, cid, payload } = c.value;
    // The one payload libmbim knows: Connect's activation command.
    const activation = payload.length === 4 ? new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true) : -1;
    const known = service === basicConnect.uuid && cid === basicConnect.cids.connect.id && (activation === 0 || activation === 1);
    ctx.out(`\t   Service: '${service}'\n\t       CID: '0x${cid.toString(16).padStart(8, '0')}'\n\t   Payload: '${known ? (activation ? 'activate' : 'deactivate') : colonHex(payload)}'\n`);
    return true;
  }
  const p = decodeBuffer(WakePacket, tlv.value.data);
  if (!p.ok) return fail(p.error.message);
  ctx.out(`\t    Filter ID: '${p.value.filterId}'\n\tOriginal size: '${p.value.originalPacketSize}'\n\t   Saved size: '${p.value.packet.length}'\n\t       Packet: '${colonHex(p.value.packet)}'\n`);
  return true;
}

export const msProvisioningOperations: readonly Operation[] = [
  query('ms-query-provisioned-contexts', ext.provisionedContexts, printProvisionedContexts, ms),
  {
    option: 'ms-set-provisioned-contexts',
    group: ms,
    arg: 'required',
    prepare(value, { err }) {
      const a = parseProvisionedContext(String(value), err);
      return async (ctx) => {
        printProvisionedContexts(ctx, await ctx.device.set(ext.provisionedContexts, a, seconds(60)));
        return true;
      };
    },
  },
  query('ms-query-registration-parameters', ext.registrationParameters, printRegistrationParameters, ms),
  {
    option: 'ms-set-registration-parameters',
    group: ms,
    arg: 'required',
    prepare(value, { err }) {
      const a = parseRegistrationParameters(String(value), err);
      return async (ctx) => {
        printRegistrationParameters(ctx, await ctx.device.set(ext.registrationParameters, a, seconds(10)));
        return true;
      };
    },
  },
  query('ms-query-modem-configuration', ext.modemConfiguration, printModemConfiguration, ms),
  {
    option: 'ms-query-wake-reason',
    group: ms,
    arg: 'none',
    prepare: () => async (ctx) => printWakeReason(ctx, await ctx.device.query(ext.wakeReason, undefined, seconds(10))),
  },
];
