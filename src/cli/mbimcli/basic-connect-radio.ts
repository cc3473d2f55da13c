/**
 * mbimcli 1.28's Basic Connect actions for the SIM and the radio: PIN operations and the PIN list,
 * preferred and visible providers, signal reporting, the network idle hint, emergency mode,
 * provisioned contexts and IP packet filters. Requests come from the declarations; the printers
 * follow mbimcli's labels. One difference on purpose: passwords print as `********`.
 */
import { ContextType } from '../../mbim/context-types.js';
import type { ResponseOf } from '../../mbim/service.js';
import {
  AuthProtocol, CellularClass, Compression, EmergencyModeState, NetworkIdleHintState, PinFormat, PinMode, PinOperation, PinType, ProviderState,
  NwError, basicConnect, basicConnectMbimex,
} from '../../mbim/services/basic-connect.js';
import { KeyValueError, parseKeyValues } from '../keyvalue.js';
import { CliError, contextNick, flags, named, optionalSession, printPin, printSignal, query, readNick, seconds, sessionId, signalStateOf, v, type Context, type Operation } from './operations.js';
import { colonHex, hexBuffer } from './ms-uicc-operations.js';

const bc = basicConnect.cids;
/** How a secret prints: never its value. */
export const MASKED = '********';

/** mbimcli_read_uint_from_string: digits only, up to 2^32-1. */
export const readUint = (s: string): number | undefined => (/^\d+$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : undefined);

/** g_strsplit: an empty string has no parts. */
export const splitArgs = (s: string): string[] => (s === '' ? [] : s.split(','));

/** `key=value,…` with mbimcli's wording when the syntax or a key is wrong. */
export function keyValues(text: string, handle: (key: string, value: string) => void): void {
  let pairs: [string, string][];
  try {
    pairs = parseKeyValues(text);
    for (const [key, value] of pairs) handle(key.toLowerCase(), value);
  } catch (e) {
    if (e instanceof KeyValueError || e instanceof CliError) throw new CliError(`couldn't parse input string: ${e.message}`);
    throw e;
  }
}

/** A value for a key, or mbimcli's complaint. */
export function uintFor(value: string, what: string): number {
  const n = readUint(value);
  if (n === undefined) throw new CliError(`Couldn't parse ${what} as integer : '${value}'`);
  return n;
}

// ---- PIN

interface PinArgs {
  pinType: number;
  pin: string;
  newPin: string;
}

/**
 * mbimcli's set_pin_input_parse: "[type,]PIN" or "PIN,new PIN" or "[type,]PUK,new PIN". A PIN type
 * must be a PIN for PIN operations and a PUK for --enter-puk.
 */
function parsePin(text: string, withNewPin: boolean, typed: boolean, pinType: number, err: Context['err']): PinArgs {
  const split = splitArgs(text);
  const min = withNewPin ? 2 : 1;
  const max = min + (typed ? 1 : 0);
  if (split.length > max) throw new CliError("couldn't parse input string, too many arguments");
  if (split.length < min) throw new CliError("couldn't parse input string, missing arguments");
  let n = 0;
  if (typed && split.length === max) {
    const name = split[n++]!;
    const t = readNick(PinType.names, name, 'pin type', err);
    if (t === undefined) throw new CliError(`couldn't parse input pin-type: ${name}`);
    const puk = PinType.names.puk1;
    if (t === PinType.names.unknown || (pinType === PinType.names.pin1 && t >= puk) || (pinType === puk && t < puk)) {
      throw new CliError("couldn't parse input string, invalid PIN type");
    }
    pinType = t;
  }
  return { pinType, pin: split[n++]!, newPin: withNewPin ? split[n]! : '' };
}

function pinOperation(option: string, operation: number, withNewPin: boolean, typed: boolean, pinType: number): Operation {
  return {
    option,
    group: 'basic-connect',
    arg: 'required',
    prepare(value, { err }) {
      const a = parsePin(String(value), withNewPin, typed, pinType, err);
      return async (ctx) => {
        // The PIN goes to the device only; traces mask it (redact.ts).
        const r = await ctx.device.set(bc.pin, { ...a, pinOperation: operation }, seconds(10));
        ctx.out(`[${ctx.path}] PIN operation successful\n\n`);
        printPin(ctx, r);
        return true;
      };
    },
  };
}

function printPinList(ctx: Context, r: ResponseOf<typeof bc.pinList>): void {
  const desc = (name: string, d: ResponseOf<typeof bc.pinList>['pin1']): string =>
    `\t${name}:\n` +
    `\t\t      Mode: '${named(PinMode, d.pinMode)}'\n` +
    `\t\t    Format: '${named(PinFormat, d.pinFormat)}'\n` +
    // %d of a guint32
    `\t\tMin length: '${d.pinLengthMin | 0}'\n` +
    `\t\tMax length: '${d.pinLengthMax | 0}'\n\n`;
  ctx.out(
    `[${ctx.path}] PIN list:\n\n` +
      desc('PIN1', r.pin1) + desc('PIN2', r.pin2) + desc('Device SIM PIN', r.deviceSimPin) + desc('Device first SIM PIN', r.deviceFirstSimPin) +
      desc('Network PIN', r.networkPin) + desc('Network subset PIN', r.networkSubsetPin) + desc('Service provider PIN', r.serviceProviderPin) +
      desc('Corporate PIN', r.corporatePin) + desc('Subsidy lock', r.subsidyLock) + desc('Custom', r.custom),
  );
}

// ---- Providers

function printProviders(which: 'preferred' | 'visible') {
  return (ctx: Context, r: ResponseOf<typeof bc.visibleProviders>): void => {
    const n = r.providers.length;
    let s = n === 0 ? `[${ctx.path}] No ${which} providers given\n` : `[${ctx.path}] ${which === 'visible' ? 'Visible' : 'Preferred'} providers (${n}):\n`;
    r.providers.forEach((p, i) => {
      s +=
        `\tProvider [${i}]:\n` +
        `\t\t    Provider ID: '${v(p.providerId)}'\n` +
        `\t\t  Provider name: '${v(p.providerName)}'\n` +
        `\t\t          State: '${flags(ProviderState, p.providerState)}'\n` +
        `\t\t Cellular class: '${flags(CellularClass, p.cellularClass)}'\n` +
        `\t\t           RSSI: '${p.rssi}'\n` +
        `\t\t     Error rate: '${p.errorRate}'\n`;
    });
    ctx.out(s);
  };
}

// ---- Provisioned contexts

type ProvisionedContext = ResponseOf<typeof bc.provisionedContexts>['provisionedContexts'][number];

/**
 * A provisioned-context list as mbimcli prints it: Basic Connect's, or with `more` lines after each
 * context's type (MS Basic Connect Extensions' v2: IP type, state, roaming, media, source).
 */
export function printContextList<C extends ProvisionedContext>(ctx: Context, contexts: readonly C[], more: (c: C) => string = () => ''): void {
  let s = `[${ctx.path}] Provisioned contexts (${contexts.length}):\n`;
  for (const c of contexts) {
    s +=
      `\tContext ID ${c.contextId}:\n` +
      `\t   Context type: '${contextNick(c.contextType)}'\n` +
      more(c) +
      `\t  Access string: '${v(c.accessString)}'\n` +
      `\t       Username: '${v(c.userName)}'\n` +
      `\t       Password: '${c.password ? MASKED : 'unknown'}'\n` +
      `\t    Compression: '${named(Compression, c.compression)}'\n` +
      `\t  Auth protocol: '${named(AuthProtocol, c.authProtocol)}'\n`;
  }
  ctx.out(s);
}

const printProvisionedContexts = (ctx: Context, r: ResponseOf<typeof bc.provisionedContexts>): void => printContextList(ctx, r.provisionedContexts);

/** An all-zero UUID: libmbim's MBIM_CONTEXT_TYPE_INVALID when no context-type is given. */
export const INVALID_CONTEXT = '00000000-0000-0000-0000-000000000000';

function parseProvisionedContext(text: string, err: Context['err']) {
  const a = { contextId: 0, contextType: INVALID_CONTEXT, accessString: '', userName: '', password: '', compression: 0, authProtocol: 0, providerId: '' };
  keyValues(text, (key, value) => {
    const bad = (what: string): never => {
      throw new CliError(`unknown ${what}: '${value}'`);
    };
    if (key === 'context-id') a.contextId = uintFor(value, 'context-id');
    else if (key === 'context-type') a.contextType = readNick<string>(ContextType, value, 'context type', err) ?? bad('context-type');
    else if (key === 'auth') a.authProtocol = readNick(AuthProtocol.names, value, 'auth protocol', err) ?? bad('auth');
    else if (key === 'compression') a.compression = readNick(Compression.names, value, 'compression', err) ?? bad('compression');
    else if (key === 'username') a.userName = value;
    else if (key === 'password') a.password = value;
    else if (key === 'access-string') a.accessString = value;
    else if (key === 'provider-id') a.providerId = value;
    else throw new CliError(`unrecognized option '${key}'`);
  });
  return a;
}

function parseSignalState(text: string) {
  const a = { signalStrengthInterval: 0, rssiThreshold: 0, errorRateThreshold: 0 };
  keyValues(text, (key, value) => {
    if (key === 'signal-strength-interval') a.signalStrengthInterval = uintFor(value, 'signal-strength');
    else if (key === 'rssi-threshold') a.rssiThreshold = uintFor(value, 'rssi');
    else if (key === 'error-rate-threshold') a.errorRateThreshold = uintFor(value, 'error-rate');
    else throw new CliError(`unrecognized option '${key}'`);
  });
  return a;
}

// ---- IP packet filters

/** mbim_common_str_hex with ' ': uppercase pairs; nothing to show is 'unknown'. */
export const hexBytes = (b: Uint8Array): string => (b.length ? Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ') : 'unknown');

type PacketFilters = ResponseOf<typeof bc.ipPacketFilters> | ResponseOf<typeof basicConnectMbimex.cids.ipPacketFiltersV3>;

function printPacketFilters(ctx: Context, r: PacketFilters): void {
  let s = `[${ctx.path}] IP packet filters: (${r.packetFilters.length})\n`;
  r.packetFilters.forEach((f, i) => {
    s += `Filter ${i}:\n\tFilter size   : ${f.packetFilter.length}\n\tPacket filter : ${hexBytes(f.packetFilter)}\n\tPacket mask   : ${hexBytes(f.packetMask)}\n`;
    if ('filterId' in f) s += `\tFilter ID     : ${f.filterId}\n`;
  });
  ctx.out(s);
}

const packetFiltersOf = (ctx: Context) => ctx.device.pick<typeof bc.ipPacketFilters | typeof basicConnectMbimex.cids.ipPacketFiltersV3>(bc.ipPacketFilters, basicConnectMbimex.cids.ipPacketFiltersV3);

interface Filter {
  packetFilter: Uint8Array;
  packetMask: Uint8Array;
  filterId: number;
}

/**
 * `--set-ip-packet-filters`: session-id, then packet-filter/packet-mask pairs (and filter-id under
 * MBIMEx 3.0, refused before it); a key seen again closes the filter being built, as mbimcli reads them.
 */
function parsePacketFilters(text: string, v3: boolean): { sessionId: number; packetFilters: Filter[] } {
  const out = { sessionId: 0, packetFilters: [] as Filter[] };
  let pending: { filter?: string; mask?: string; id?: string } = {};
  const add = (): void => {
    if (pending.filter === undefined) throw new KeyValueError("Option 'packet-filter' is missing");
    if (pending.mask === undefined) throw new KeyValueError("Option 'packet-mask' is missing");
    if (!v3 && pending.id !== undefined) throw new KeyValueError("Option 'filter-id' is specific to MBIMEx v3.0");
    if (v3 && pending.id === undefined) throw new KeyValueError("Option 'filter-id' is missing");
    const packetFilter = hexBuffer(pending.filter);
    const packetMask = hexBuffer(pending.mask);
    if (packetFilter.length !== packetMask.length) throw new KeyValueError("Option 'packet-filter' and 'packet-mask' must have same size");
    let filterId = 0;
    if (v3) {
      const id = readUint(pending.id!);
      if (id === undefined) throw new KeyValueError("Failed to parse 'filter-id' field as an integer");
      filterId = id;
    }
    out.packetFilters.push({ packetFilter, packetMask, filterId });
    pending = {};
  };
  const slot = { 'packet-filter': 'filter', 'packet-mask': 'mask', 'filter-id': 'id' } as const;
  try {
    for (const [key, value] of parseKeyValues(text)) {
      const k = key.toLowerCase();
      if (k === 'session-id') out.sessionId = sessionId(value, false);
      else if (k in slot) {
        const at = slot[k as keyof typeof slot];
        if (pending[at] !== undefined) add();
        pending[at] = value;
      } else throw new KeyValueError(`unrecognized option '${key}'`);
    }
  } catch (e) {
    if (e instanceof KeyValueError || e instanceof CliError) throw new CliError(`couldn't parse input string: ${e.message}`);
    throw e;
  }
  if (pending.filter !== undefined || pending.mask !== undefined) {
    try {
      add();
    } catch (e) {
      if (e instanceof KeyValueError) throw new CliError(`failed to add last packet filter item: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** A set whose argument is one enum nick, printed back with `print`. */
function setState<N extends Record<string, number>>(option: string, def: typeof bc.networkIdleHint | typeof bc.emergencyMode, names: N, what: string, print: (ctx: Context, r: { state: number }) => void): Operation {
  return {
    option,
    group: 'basic-connect',
    arg: 'required',
    prepare(value, { err }) {
      const state = readNick(names, String(value), what, err);
      // readNick has said why.
      if (state === undefined) throw new CliError();
      return async (ctx) => {
        print(ctx, await ctx.device.set(def, { state }, seconds(10)));
        return true;
      };
    },
  };
}

const printIdleHint = (ctx: Context, r: { state: number }): void => ctx.out(`[${ctx.path}] Network idle hint state: '${named(NetworkIdleHintState, r.state)}'\n`);
const printEmergency = (ctx: Context, r: { state: number }): void => ctx.out(`[${ctx.path}] Emergency mode: '${named(EmergencyModeState, r.state)}'\n`);

export const basicConnectRadioOperations: readonly Operation[] = [
  pinOperation('enter-pin', PinOperation.names.enter, false, true, PinType.names.pin1),
  pinOperation('change-pin', PinOperation.names.change, true, false, PinType.names.pin1),
  pinOperation('enable-pin', PinOperation.names.enable, false, false, PinType.names.pin1),
  pinOperation('disable-pin', PinOperation.names.disable, false, true, PinType.names.pin1),
  pinOperation('enter-puk', PinOperation.names.enter, true, true, PinType.names.puk1),
  query('query-pin-list', bc.pinList, printPinList),
  query('query-preferred-providers', bc.preferredProviders, printProviders('preferred')),
  {
    option: 'query-visible-providers',
    group: 'basic-connect',
    arg: 'none',
    // A full scan: mbimcli allows it two minutes.
    prepare: () => async (ctx) => {
      printProviders('visible')(ctx, await ctx.device.query(bc.visibleProviders, { action: 0 }, seconds(120)));
      return true;
    },
  },
  {
    option: 'set-signal-state',
    group: 'basic-connect',
    arg: 'required',
    prepare(value) {
      const a = parseSignalState(String(value));
      return async (ctx) => {
        printSignal(ctx, await ctx.device.set(signalStateOf(ctx), a, seconds(60)));
        return true;
      };
    },
  },
  setState('set-network-idle-hint', bc.networkIdleHint, NetworkIdleHintState.names, 'network idle hint state', printIdleHint),
  query('query-network-idle-hint', bc.networkIdleHint, printIdleHint),
  setState('set-emergency-mode', bc.emergencyMode, EmergencyModeState.names, 'emergency mode state', printEmergency),
  query('query-emergency-mode', bc.emergencyMode, printEmergency),
  query('query-provisioned-contexts', bc.provisionedContexts, printProvisionedContexts),
  {
    option: 'set-provisioned-contexts',
    group: 'basic-connect',
    arg: 'required',
    prepare(value, { err }) {
      const a = parseProvisionedContext(String(value), err);
      return async (ctx) => {
        printProvisionedContexts(ctx, await ctx.device.set(bc.provisionedContexts, a, seconds(60)));
        return true;
      };
    },
  },
  {
    option: 'query-ip-packet-filters',
    group: 'basic-connect',
    arg: 'optional',
    prepare(value) {
      const sessionId = optionalSession(value);
      return async (ctx) => {
        printPacketFilters(ctx, await ctx.device.query(packetFiltersOf(ctx), { sessionId, packetFilters: [] }, seconds(10)));
        return true;
      };
    },
  },
  {
    option: 'set-ip-packet-filters',
    group: 'basic-connect',
    arg: 'required',
    // Read after OPEN: the filter id belongs to MBIMEx 3.0 only.
    prepare: (value, ctx) => {
      const a = parsePacketFilters(String(value), ctx.device.mbimexAtLeast(3));
      return async (ctx) => {
        printPacketFilters(ctx, await ctx.device.set(packetFiltersOf(ctx), a, seconds(10)));
        return true;
      };
    },
  },
  {
    option: 'set-service-activation',
    group: 'basic-connect',
    arg: 'required',
    prepare(value) {
      let buffer: Uint8Array;
      try {
        buffer = hexBuffer(String(value));
      } catch (e) {
        if (e instanceof KeyValueError) throw new CliError(`couldn't parse the input: ${e.message}`);
        throw e;
      }
      return async (ctx) => {
        const r = await ctx.device.set(bc.serviceActivation, { buffer }, seconds(10));
        ctx.out(`[${ctx.path}] Service activation response received successfully:\n\t         Network error: '${named(NwError, r.nwError)}'\n\t                  Data: '${colonHex(r.buffer)}'\n`);
        return true;
      };
    },
  },
];
