/**
 * What each mbimcli action sends and prints, as a table: the request is built from the declarations
 * (so the bytes match libmbim's), the printers reproduce mbimcli 1.28's labels and layout.
 */
import { MbimResponseError, type MbimDevice } from '../../mbim/client.js';
import { MbimStatusError } from '../../mbim/protocol.js';
import { ContextType, contextTypeName } from '../../mbim/context-types.js';
import { isUuid } from '../../wire/uuid.js';
import type { CidDef, QueryOf, ResponseOf } from '../../mbim/service.js';
import {
  ActivationState,
  AuthProtocol,
  CellularClass,
  Compression,
  ContextIpType,
  CtrlCaps,
  DataClass,
  DeviceType,
  IpConfigurationAvailable,
  NwError,
  PacketServiceState,
  PinState,
  PinType,
  ProviderState,
  RadioSwitchState,
  ReadyInfoFlag,
  RegisterMode,
  RegisterState,
  RegistrationFlag,
  SimClass,
  SmsCaps,
  SubscriberReadyState,
  VoiceCallState,
  VoiceClass,
  AccessMediaType,
  DataClassV3,
  DataSubclass,
  FrequencyRange,
  SubscriberReadyStatusFlag,
  basicConnect,
  basicConnectMbimex,
  ipConfigurationQuery,
} from '../../mbim/services/basic-connect.js';
import { dss } from '../../mbim/services/dss.js';
import { findService, serviceName } from '../../mbim/services/index.js';
import { KeyValueError, parseKeyValues } from '../keyvalue.js';

/** A failure already worded as mbimcli words it (without the `error: ` prefix); empty when already said. */
export class CliError extends Error {}

export interface Context {
  device: MbimDevice;
  /** mbimcli's path display: the device path it was given. */
  path: string;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** mbimcli's service groups: one action per run, from one group. */
export const groupTitle = {
  'basic-connect': 'Basic Connect',
  dss: 'DSS',
  atds: 'AT&T Device Service',
  'ms-basic-connect-extensions': 'Microsoft Basic Connect Extensions Service',
  'ms-uicc-low-level-access': 'Microsoft UICC Low Level Access Service',
  'ms-voice-extensions': 'Microsoft Voice Extensions Service',
} as const;

export interface Operation {
  /** The option that selects it. */
  option: string;
  group: keyof typeof groupTitle;
  arg: 'none' | 'required' | 'optional';
  /** Parses the argument (after OPEN, as mbimcli does) and returns the runner; CliError if it is bad. */
  prepare(value: string | true, ctx: Context): (ctx: Context) => Promise<boolean>;
}

const bc = basicConnect.cids;
const bcx = basicConnectMbimex.cids;
/** mbimcli prints a missing (or empty) value as 'unknown'. */
export const v = (s: string | undefined): string => s || 'unknown';
/** libmbim's build_string_from_mask under VALIDATE_UNKNOWN: no bit set prints 'unknown'. */
export const flags = (f: { list(v: number): string[] }, x: number): string => v(f.list(x).join(', '));
/** libmbim names a UUID it does not know as the 'invalid' context type. */
export const contextNick = (uuid: string): string => contextTypeName(uuid) ?? 'invalid';
export const named = (e: { nameOf(v: number): string | undefined }, x: number): string => v(e.nameOf(x));

export const seconds = (s: number): { timeoutMs: number } => ({ timeoutMs: s * 1000 });

/**
 * A query with an empty (or fixed) body whose response is printed. Given a CID's declarations by
 * MBIMEx version, the newest the agreed version has is used.
 */
export function query<C extends CidDef>(
  option: string,
  def: C | readonly C[],
  print: (ctx: Context, r: ResponseOf<C>) => void,
  group: Operation['group'] = 'basic-connect',
  body?: QueryOf<C>,
): Operation {
  return {
    option,
    group,
    arg: 'none',
    prepare: () => async (ctx) => {
      const d = Array.isArray(def) ? ctx.device.pick(...def) : def;
      print(ctx, await ctx.device.query(d as any, body as any, seconds(10)));
      return true;
    },
  };
}

/**
 * Basic Connect's and MS Basic Connect Extensions'. MBIMEx 3.0 names its data classes from DataClassV3, and
 * its TLV strings are never NULL (an empty one prints as '', not 'unknown').
 */
export function printDeviceCaps(ctx: Context, r: ResponseOf<typeof bc.deviceCaps>, v3 = false): void {
  const dataClasses = v3 ? DataClassV3 : DataClass;
  const text = v3 ? (s: string): string => s : v;
  ctx.out(
    `[${ctx.path}] Device capabilities retrieved:\n` +
      `\t      Device type: '${named(DeviceType, r.deviceType)}'\n` +
      `\t   Cellular class: '${flags(CellularClass, r.cellularClass)}'\n` +
      `\t      Voice class: '${named(VoiceClass, r.voiceClass)}'\n` +
      `\t        SIM class: '${flags(SimClass, r.simClass)}'\n` +
      `\t       Data class: '${flags(dataClasses, r.dataClass)}'\n` +
      `\t         SMS caps: '${flags(SmsCaps, r.smsCaps)}'\n` +
      `\t        Ctrl caps: '${flags(CtrlCaps, r.controlCaps)}'\n` +
      `\t     Max sessions: '${r.maxSessions}'\n` +
      `\tCustom data class: '${text(r.customDataClass)}'\n` +
      `\t        Device ID: '${text(r.deviceId)}'\n` +
      `\t    Firmware info: '${text(r.firmwareInfo)}'\n` +
      `\t    Hardware info: '${text(r.hardwareInfo)}'\n`,
  );
}

function printSubscriber(ctx: Context, r: ResponseOf<typeof bc.subscriberReadyStatus> & Partial<ResponseOf<typeof bcx.subscriberReadyStatusV3>>): void {
  ctx.out(
    `[${ctx.path}] Subscriber ready status retrieved:\n` +
      `\t      Ready state: '${named(SubscriberReadyState, r.readyState)}'\n` +
      `\t    Subscriber ID: '${v(r.subscriberId)}'\n` +
      `\t        SIM ICCID: '${v(r.simIccId)}'\n` +
      `\t       Ready info: '${flags(ReadyInfoFlag, r.readyInfo)}'\n` +
      `\tTelephone numbers: (${r.telephoneNumbers.length}) '${r.telephoneNumbers.length ? r.telephoneNumbers.join(', ') : 'unknown'}'\n` +
      (r.flags !== undefined ? `\t            Flags: '${flags(SubscriberReadyStatusFlag, r.flags)}'\n` : ''),
  );
}

function printRadio(ctx: Context, r: ResponseOf<typeof bc.radioState>): void {
  ctx.out(
    `[${ctx.path}] Radio state retrieved:\n` +
      `\t     Hardware radio state: '${named(RadioSwitchState, r.hwRadioState)}'\n` +
      `\t     Software radio state: '${named(RadioSwitchState, r.swRadioState)}'\n`,
  );
}

export function printPin(ctx: Context, r: ResponseOf<typeof bc.pin>): void {
  let s = `[${ctx.path}] PIN info:\n\t         PIN state: '${named(PinState, r.pinState)}'\n`;
  if (r.pinType !== 0) s += `\t          PIN type: '${named(PinType, r.pinType)}'\n\tRemaining attempts: '${r.remainingAttempts}'\n`;
  ctx.out(s);
}

function printHomeProvider(ctx: Context, r: ResponseOf<typeof bc.homeProvider>): void {
  ctx.out(
    `[${ctx.path}] Home provider:\n` +
      `\t   Provider ID: '${v(r.providerId)}'\n` +
      `\t Provider name: '${v(r.providerName)}'\n` +
      `\t         State: '${flags(ProviderState, r.providerState)}'\n` +
      `\tCellular class: '${flags(CellularClass, r.cellularClass)}'\n` +
      `\t          RSSI: '${r.rssi}'\n` +
      `\t    Error rate: '${r.errorRate}'\n`,
  );
}

function printRegistration(ctx: Context, r: ResponseOf<typeof bc.registerState> & Partial<ResponseOf<typeof bcx.registerStateV2>>): void {
  ctx.out(
    `[${ctx.path}] Registration status:\n` +
      `\t         Network error: '${named(NwError, r.nwError)}'\n` +
      `\t        Register state: '${named(RegisterState, r.registerState)}'\n` +
      `\t         Register mode: '${named(RegisterMode, r.registerMode)}'\n` +
      `\tAvailable data classes: '${flags(DataClass, r.availableDataClasses)}'\n` +
      `\tCurrent cellular class: '${flags(CellularClass, r.currentCellularClass)}'\n` +
      `\t           Provider ID: '${v(r.providerId)}'\n` +
      `\t         Provider name: '${v(r.providerName)}'\n` +
      `\t          Roaming text: '${v(r.roamingText)}'\n` +
      `\t    Registration flags: '${flags(RegistrationFlag, r.registrationFlag)}'\n` +
      (r.preferredDataClasses !== undefined ? `\tPreferred data classes: '${flags(DataClass, r.preferredDataClasses)}'\n` : ''),
  );
}

/** An RSRP/SNR threshold: 0 is the modem's default, 0xFFFFFFFF none given. */
const threshold = (x: number): string => (x === 0 ? 'default' : x === 0xffffffff ? 'unspecified' : `${x}`);

export function printSignal(ctx: Context, r: ResponseOf<typeof bc.signalState> & Partial<ResponseOf<typeof bcx.signalStateV2>>): void {
  let s =
    `[${ctx.path}] Signal state:\n` +
    `\t          RSSI [0-31,99]: '${r.rssi}'\n` +
    `\t     Error rate [0-7,99]: '${r.errorRate}'\n` +
    `\tSignal strength interval: '${r.signalStrengthInterval}'\n` +
    `\t          RSSI threshold: '${r.rssiThreshold}'\n` +
    `\t    Error rate threshold: '${r.errorRateThreshold === 0xffffffff ? 'unspecified' : r.errorRateThreshold}'\n`;
  if (r.rsrpSnr) {
    s += '\n';
    if (r.rsrpSnr.length === 0) s += `[${ctx.path}] RSRP/SNR info: 'n/a'\n`;
    for (const i of r.rsrpSnr) {
      s +=
        `[${ctx.path}] RSRP/SNR info: '${DataClass.list(i.systemType).join(', ')}'\n` +
        `\t           RSRP: '${i.rsrp >= 127 ? 'unknown' : `${-157 + i.rsrp} dBm`}'\n` +
        `\t            SNR: '${i.snr >= 128 ? 'unknown' : `${(-23.5 + i.snr * 0.5).toFixed(1)} dB`}'\n` +
        `\t RSRP threshold: '${threshold(i.rsrpThreshold)}'\n` +
        `\t  SNR threshold: '${threshold(i.snrThreshold)}'\n\n`;
    }
  }
  ctx.out(s);
}

/** The Signal State declaration the agreed MBIMEx version reads. */
export const signalStateOf = (ctx: Context) => ctx.device.pick<typeof bc.signalState | typeof bcx.signalStateV2>(bc.signalState, bcx.signalStateV2);

type PacketService = ResponseOf<typeof bc.packetService> | ResponseOf<typeof bcx.packetServiceV2> | ResponseOf<typeof bcx.packetServiceV3>;

function printPacketService(ctx: Context, r: PacketService): void {
  const dataClasses = 'highestAvailableDataClassV3' in r ? flags(DataClassV3, r.highestAvailableDataClassV3) : flags(DataClass, r.highestAvailableDataClass);
  let s =
    `[${ctx.path}] Packet service status:\n` +
    `\t         Network error: '${named(NwError, r.nwError)}'\n` +
    `\t  Packet service state: '${named(PacketServiceState, r.packetServiceState)}'\n` +
    `\tAvailable data classes: '${dataClasses}'\n` +
    `\t          Uplink speed: '${r.uplinkSpeed} bps'\n` +
    `\t        Downlink speed: '${r.downlinkSpeed} bps'\n`;
  if ('frequencyRange' in r) s += `\t       Frequency range: '${flags(FrequencyRange, r.frequencyRange)}'\n`;
  if ('tai' in r) {
    // BCD digits: the MCC's three, the MNC's two (bit 15 set) or three.
    const mnc = r.tai.plmnMnc & 0x8000 ? (r.tai.plmnMnc & 0xff).toString(16).padStart(2, '0') : (r.tai.plmnMnc & 0xfff).toString(16).padStart(3, '0');
    s +=
      `\t        Data sub class: '${flags(DataSubclass, r.dataSubclass)}'\n` +
      `\t          TAI PLMN MCC: '${(r.tai.plmnMcc & 0xfff).toString(16).padStart(3, '0')}'\n` +
      `\t          TAI PLMN MNC: '${mnc}'\n` +
      `\t              TAI  TAC: '${r.tai.tac}'\n`;
  }
  ctx.out(s);
}

const packetServiceOf = (ctx: Context) =>
  ctx.device.pick<typeof bc.packetService | typeof bcx.packetServiceV2 | typeof bcx.packetServiceV3>(bc.packetService, bcx.packetServiceV2, bcx.packetServiceV3);

function printConnection(ctx: Context, r: ResponseOf<typeof bc.connect> & Partial<ResponseOf<typeof bcx.connectV3>>): void {
  ctx.out(
    `[${ctx.path}] Connection status:\n` +
      `\t      Session ID: '${r.sessionId}'\n` +
      `\tActivation state: '${named(ActivationState, r.activationState)}'\n` +
      `\tVoice call state: '${named(VoiceCallState, r.voiceCallState)}'\n` +
      `\t         IP type: '${named(ContextIpType, r.ipType)}'\n` +
      `\t    Context type: '${contextNick(r.contextType)}'\n` +
      `\t   Network error: '${named(NwError, r.nwError)}'\n` +
      (r.mediaPreference !== undefined ? `\tAccess media type: '${named(AccessMediaType, r.mediaPreference)}'\n\t    Access string: '${r.accessString}'\n` : ''),
  );
}

function printIpConfiguration(ctx: Context, r: ResponseOf<typeof bc.ipConfiguration>): void {
  const family = (
    label: string,
    available: number,
    addrs: readonly { onLinkPrefixLength: number; address: string }[],
    gateway: string | undefined,
    dns: readonly string[],
    mtu: number,
    any: string,
  ): string => {
    let s = `\n[${ctx.path}] ${label} configuration available: '${flags(IpConfigurationAvailable, available)}'\n`;
    if (available & 1) addrs.forEach((a, i) => (s += `     IP [${i}]: '${a.address}/${a.onLinkPrefixLength}'\n`));
    if (available & 2) s += `    Gateway: '${gateway ?? any}'\n`;
    if (available & 4) dns.forEach((d, i) => (d === any ? undefined : (s += `    DNS [${i}]: '${d}'\n`)));
    if (available & 8) s += `        MTU: '${mtu}'\n`;
    return s;
  };
  ctx.out(
    family('IPv4', r.ipv4ConfigurationAvailable, r.ipv4Address, r.ipv4Gateway, r.ipv4DnsServer, r.ipv4Mtu, '0.0.0.0') +
      family('IPv6', r.ipv6ConfigurationAvailable, r.ipv6Address, r.ipv6Gateway, r.ipv6DnsServer, r.ipv6Mtu, '::'),
  );
}

/** The IP configuration query connect and DSS connect chain, with its own error wording. */
async function queryIpConfiguration(ctx: Context, sessionId: number): Promise<boolean> {
  let r;
  try {
    r = await ctx.device.query(bc.ipConfiguration, ipConfigurationQuery(sessionId), seconds(60));
  } catch (e) {
    ctx.err(`error: ${e instanceof MbimResponseError ? "couldn't parse" : "couldn't get"} IP configuration response message: ${failureText(e)}\n`);
    return false;
  }
  printIpConfiguration(ctx, r);
  return true;
}
/** How mbimcli words a failed command: the status name alone, else the parse or transport error. */
export function failureText(e: unknown): string {
  if (e instanceof MbimStatusError) return e.statusName;
  if (e instanceof MbimResponseError) return e.cause.message.replace(/^\w+ at offset \d+ \([^)]*\): /, '');
  return (e as Error).message;
}

export function sessionId(text: string, allowEmpty: boolean): number {
  if (text === '') {
    if (allowEmpty) return 0;
    throw new CliError('missing session ID (must be 0 - 255)');
  }
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new CliError(`couldn't parse session ID '${text}' (must be 0 - 255)`);
  return n;
}

export const optionalSession = (value: string | true): number => {
  try {
    return sessionId(value === true ? '0' : value, true);
  } catch (e) {
    throw new CliError(`couldn't parse session ID: ${(e as Error).message}`);
  }
};

/** libmbim nicks match exactly: `pap` is an auth protocol, `PAP` is not. */
export const byNick = (names: Record<string, number | string>, text: string): number | string | undefined =>
  Object.prototype.hasOwnProperty.call(names, text) ? names[text] : undefined;

interface ConnectArgs {
  sessionId: number;
  accessString: string;
  userName: string;
  password: string;
  compression: number;
  authProtocol: number;
  ipType: number;
  contextType: string;
  /** MBIMEx 3.0's media preference (sent only then). */
  mediaPreference: number;
}

/** mbimcli's enum readers: some say why before the caller gives up. */
export function readNick<T extends number | string>(names: Record<string, T>, text: string, what: string | undefined, err: (line: string) => void): T | undefined {
  const hit = byNick(names, text) as T | undefined;
  if (hit === undefined && what) err(`error: invalid ${what} value given: '${text}'\n`);
  return hit;
}

/**
 * `--connect`: key=value (session-id, access-string/apn, ip-type, auth, username, password,
 * compression, context-type) or the old positional form. Warnings and mbimcli's preliminary error
 * lines go to `err` as they arise; the final complaint is thrown.
 */
export function parseConnect(text: string, err: (line: string) => void): ConnectArgs {
  const a: ConnectArgs = { sessionId: 0, accessString: '', userName: '', password: '', compression: 0, authProtocol: 0, ipType: 0, contextType: ContextType.internet, mediaPreference: 0 };
  if (text.includes('=')) {
    let pairs: [string, string][];
    try {
      pairs = parseKeyValues(text);
    } catch (e) {
      if (e instanceof KeyValueError) throw new CliError(`couldn't parse input string: ${e.message}`);
      throw e;
    }
    for (const [key, value] of pairs) {
      const k = key.toLowerCase();
      const bad = (what: string): never => {
        throw new CliError(`couldn't parse input string: unknown ${what}: '${value}'`);
      };
      if (k !== 'apn' && k !== 'access-string' && value === '') throw new CliError(`couldn't parse input string: key '${key}' required a value`);
      if (k === 'session-id') {
        try {
          a.sessionId = sessionId(value, false);
        } catch (e) {
          throw new CliError(`couldn't parse input string: ${(e as Error).message}`);
        }
      } else if (k === 'access-string') a.accessString = value;
      else if (k === 'apn') {
        err("warning: key 'apn' is deprecated, use 'access-string' instead\n");
        a.accessString = value;
      } else if (k === 'username') a.userName = value;
      else if (k === 'password') a.password = value;
      else if (k === 'auth') a.authProtocol = readNick(AuthProtocol.names, value, 'auth protocol', err) ?? bad('auth');
      else if (k === 'ip-type') a.ipType = readNick(ContextIpType.names, value, 'context ip type', err) ?? bad('ip-type');
      else if (k === 'compression') a.compression = readNick(Compression.names, value, undefined, err) ?? bad('compression');
      else if (k === 'context-type') a.contextType = readNick(ContextType, value, 'context type', err) ?? bad('context-type');
      else if (k === 'media-type') a.mediaPreference = readNick(AccessMediaType.names, value, 'access media type', err) ?? bad('media-type');
      else throw new CliError(`couldn't parse input string: unrecognized option '${key}'`);
    }
  } else {
    err('warning: positional input arguments format is deprecated, use key-value format instead\n');
    const split = text.split(',');
    if (split.length > 4) throw new CliError("couldn't parse input string, too many arguments");
    a.accessString = split[0] ?? '';
    if (split[1] !== undefined) {
      const auth = readNick(AuthProtocol.names, split[1], 'auth protocol', err);
      if (auth === undefined) throw new CliError(`couldn't parse input string, unknown auth protocol '${split[1]}'`);
      a.authProtocol = auth;
      if (split[2] !== undefined) {
        a.userName = split[2];
        a.password = split[3] ?? '';
      }
    }
  }
  if (a.authProtocol === 0) {
    if (a.userName || a.password) throw new CliError('username or password requires an auth protocol');
  } else if (!a.userName) throw new CliError('auth protocol requires a username');
  return a;
}

function parseDss(text: string): { uuid: string; sessionId: number } {
  const split = text.split(',');
  if (split.length > 2) throw new CliError("couldn't parse input string, too many arguments");
  if (!isUuid(split[0] ?? '')) throw new CliError("couldn't parse UUID, should be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
  const s = split[1];
  if (s === undefined || !/^\d+$/.test(s) || Number(s) > 0xffffffff) throw new CliError("couldn't parse Session ID, should be a number");
  return { uuid: split[0]!.toLowerCase(), sessionId: Number(s) };
}

function printDeviceServices(ctx: Context, r: ResponseOf<typeof bc.deviceServices>): void {
  let s = `[${ctx.path}] Device services retrieved:\n\tMax DSS sessions: '${r.maxDssSessions}'\n`;
  if (r.deviceServices.length === 0) s += '\t        Services: None\n';
  else {
    s += `\t        Services: (${r.deviceServices.length})\n`;
    for (const e of r.deviceServices) {
      const svc = findService(e.deviceServiceId);
      const name = serviceName(e.deviceServiceId);
      const cids = e.cids
        .map((c, j) => {
          if (!name) return `${c}`;
          const cidName = svc && Object.values(svc.cids).find((d) => d.id === c)?.name;
          return `${j === 0 ? '' : '\t\t                   '}${cidName ? kebab(cidName) : 'unknown'} (${c})`;
        })
        .join(name ? ',\n' : ', ');
      s +=
        `\n\t\t          Service: '${name ?? 'unknown'}'\n` +
        `\t\t             UUID: [${e.deviceServiceId}]:\n` +
        `\t\t      DSS payload: ${e.dssPayload}\n` +
        `\t\tMax DSS instances: ${e.maxDssInstances}\n` +
        `\t\t             CIDs: ${cids}\n`;
    }
  }
  ctx.out(s);
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const basicConnectOperations: readonly Operation[] = [
  query('query-device-caps', bc.deviceCaps, printDeviceCaps),
  query('query-subscriber-ready-status', [bc.subscriberReadyStatus, bcx.subscriberReadyStatusV3], printSubscriber),
  query('query-radio-state', bc.radioState, printRadio),
  {
    option: 'set-radio-state',
    group: 'basic-connect',
    arg: 'required',
    prepare(value) {
      const state = byNick(RadioSwitchState.names, String(value)) as number | undefined;
      if (state === undefined) throw new CliError(`invalid radio state: '${value}'`);
      return async (ctx) => {
        printRadio(ctx, await ctx.device.set(bc.radioState, { radioState: state }, seconds(10)));
        return true;
      };
    },
  },
  query('query-device-services', bc.deviceServices, printDeviceServices),
  query('query-pin-state', bc.pin, printPin),
  query('query-home-provider', bc.homeProvider, printHomeProvider),
  query('query-registration-state', [bc.registerState, bcx.registerStateV2], printRegistration),
  {
    option: 'register-automatic',
    group: 'basic-connect',
    arg: 'none',
    prepare: () => async (ctx) => {
      const r = await ctx.device.set(ctx.device.pick<typeof bc.registerState | typeof bcx.registerStateV2>(bc.registerState, bcx.registerStateV2), { providerId: '', registerAction: 0, dataClass: 0 }, seconds(120));
      ctx.out(`[${ctx.path}] Successfully launched automatic registration\n\n`);
      printRegistration(ctx, r);
      return true;
    },
  },
  query('query-signal-state', [bc.signalState, bcx.signalStateV2], printSignal),
  query('query-packet-service-state', [bc.packetService, bcx.packetServiceV2, bcx.packetServiceV3], printPacketService),
  ...(['attach', 'detach'] as const).map(
    (action, i): Operation => ({
      option: `${action}-packet-service`,
      group: 'basic-connect',
      arg: 'none',
      prepare: () => async (ctx) => {
        const r = await ctx.device.set(packetServiceOf(ctx), { packetServiceAction: i }, seconds(120));
        ctx.out(`[${ctx.path}] Successfully ${action}ed ${action === 'attach' ? 'to' : 'from'} packet service\n\n`);
        printPacketService(ctx, r);
        return true;
      },
    }),
  ),
  {
    option: 'query-connection-state',
    group: 'basic-connect',
    arg: 'optional',
    prepare(value) {
      const session = optionalSession(value);
      return async (ctx) => {
        const r = ctx.device.mbimexAtLeast(3)
          ? await ctx.device.query(bcx.connectV3, { sessionId: session }, seconds(10))
          : await ctx.device.query(bc.connect, { sessionId: session, activationState: 0, voiceCallState: 0, ipType: 0, contextType: ContextType.internet, nwError: 0 }, seconds(10));
        printConnection(ctx, r);
        return true;
      };
    },
  },
  {
    option: 'connect',
    group: 'basic-connect',
    arg: 'required',
    prepare(value, { err }) {
      const a = parseConnect(String(value), err);
      return async (ctx) => {
        const r = ctx.device.mbimexAtLeast(3)
          ? await ctx.device.set(bcx.connectV3, { activationCommand: 1, ...a, unnamedIes: new Uint8Array(0) }, seconds(120))
          : await ctx.device.set(bc.connect, { activationCommand: 1, ...a }, seconds(120));
        ctx.out(`[${ctx.path}] Successfully connected\n\n`);
        printConnection(ctx, r);
        return queryIpConfiguration(ctx, r.sessionId);
      };
    },
  },
  {
    option: 'query-ip-configuration',
    group: 'basic-connect',
    arg: 'optional',
    prepare(value) {
      const session = optionalSession(value);
      return (ctx) => queryIpConfiguration(ctx, session);
    },
  },
  {
    option: 'disconnect',
    group: 'basic-connect',
    arg: 'optional',
    prepare(value) {
      const session = optionalSession(value);
      return async (ctx) => {
        const off = { sessionId: session, activationCommand: 0, accessString: '', userName: '', password: '', compression: 0, authProtocol: 0, ipType: 0, contextType: ContextType.internet };
        const r = ctx.device.mbimexAtLeast(3)
          ? await ctx.device.set(bcx.connectV3, { ...off, mediaPreference: 0, unnamedIes: new Uint8Array(0) }, seconds(60))
          : await ctx.device.set(bc.connect, off, seconds(60));
        ctx.out(`[${ctx.path}] Successfully disconnected\n\n`);
        printConnection(ctx, r);
        return true;
      };
    },
  },
  query('query-packet-statistics', bc.packetStatistics, (ctx, r: ResponseOf<typeof bc.packetStatistics>) =>
    ctx.out(
      `[${ctx.path}] Packet statistics:\n` +
        `\t   Octets (in): '${r.inOctets}'\n` +
        `\t  Packets (in): '${r.inPackets}'\n` +
        `\t Discards (in): '${r.inDiscards}'\n` +
        `\t   Errors (in): '${r.inErrors}'\n` +
        `\t  Octets (out): '${r.outOctets}'\n` +
        `\t Packets (out): '${r.outPackets}'\n` +
        `\tDiscards (out): '${r.outDiscards}'\n` +
        `\t  Errors (out): '${r.outErrors}'\n`,
    ),
  ),
  ...(['connect', 'disconnect'] as const).map(
    (verb): Operation => ({
      option: `dss-${verb}`,
      group: 'dss',
      arg: 'required',
      prepare(value) {
        const { uuid, sessionId: session } = parseDss(String(value));
        return async (ctx) => {
          await ctx.device.set(dss.cids.connect, { deviceServiceId: uuid, dssSessionId: session, dssLinkState: verb === 'connect' ? 1 : 0 }, seconds(10));
          ctx.out(`[${ctx.path}] Successfully ${verb}ed\n`);
          return verb === 'connect' ? queryIpConfiguration(ctx, session) : true;
        };
      },
    }),
  ),
];
