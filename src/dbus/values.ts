/**
 * wwankit's model in ModemManager's terms: states, registration, signal, bearer settings and IP
 * configuration as the 1.20 API spells them. Pure functions; the service wires them to objects.
 */
import dbus from 'dbus-next';
import type { BearerView, ModemInfo } from '../daemon/api.js';
import type { EpsBearerSettings, Nr5gRegistration } from '../modem/radio-driver.js';
import { ConfigError, type AuthType, type BearerRequest, type IpType, type Ipv4Config, type Ipv6Config, type Multiplex, type Registration, type SignalQuality } from '../modem/types.js';
import {
  BearerAllowedAuth,
  BearerIpFamily,
  BearerIpMethod,
  BearerMultiplexSupport,
  Modem3gppDrxCycle,
  Modem3gppMicoMode,
  Modem3gppRegistrationState,
  ModemAccessTechnology,
  ModemLock,
  ModemState as MmState,
  ModemStateFailedReason,
} from './mm-enums.js';

const V = (signature: string, value: unknown): dbus.Variant => new dbus.Variant(signature, value);

export function modemState(state: ModemInfo['state'], bearers: Iterable<Pick<BearerView, 'status'>>): number {
  // The manager updates its state just after a bearer event: read the bearers so no step goes back.
  if (state === 'registered') {
    const statuses = [...bearers].map((b) => b.status);
    if (statuses.includes('connected')) return MmState.connected;
    if (statuses.includes('connecting')) return MmState.connecting;
  }
  return { probing: MmState.initializing, locked: MmState.locked, failed: MmState.failed, searching: MmState.searching, registered: MmState.registered, connected: MmState.connected }[state];
}

export function failedReason(info: Pick<ModemInfo, 'sim'> | undefined, state: ModemInfo['state']): number {
  if (state !== 'failed') return ModemStateFailedReason.none;
  return info?.sim?.status === 'absent' ? ModemStateFailedReason.simMissing : info?.sim?.status === 'error' ? ModemStateFailedReason.simError : ModemStateFailedReason.unknown;
}

export function unlockRequired(info: Pick<ModemInfo, 'sim'> | undefined): number {
  if (!info?.sim) return ModemLock.unknown;
  return info.sim.status === 'pin-required' ? ModemLock.simPin : info.sim.status === 'puk-required' ? ModemLock.simPuk : ModemLock.none;
}

export function registrationState(r: Registration | undefined): number {
  return r ? Modem3gppRegistrationState[r.state] : Modem3gppRegistrationState.unknown;
}

export function accessTechnologies(r: Registration | undefined): number {
  if (!r || (r.state !== 'home' && r.state !== 'roaming')) return ModemAccessTechnology.unknown;
  return { '5gnr': ModemAccessTechnology.nr5g, lte: ModemAccessTechnology.lte, umts: ModemAccessTechnology.umts, gsm: ModemAccessTechnology.gsm }[r.tech ?? ''] ?? ModemAccessTechnology.unknown;
}

/** Percent as ModemManager derives it from RSSI (-113 dBm → 0, -51 dBm → 100), or from RSRP when only that is known. */
export function signalQuality(s: SignalQuality | undefined): [number, boolean] {
  if (s?.rssi !== undefined) return [clampPercent(((s.rssi + 113) * 100) / 62), true];
  if (s?.rsrp !== undefined) return [clampPercent(((s.rsrp + 140) * 100) / 96), true];
  return [0, false];
}

const clampPercent = (x: number): number => Math.max(0, Math.min(100, Math.round(x)));

/** A Modem.Signal dictionary (Lte, Nr5g): values in dB/dBm as doubles; empty when nothing was measured. */
function signalDict(s: { rssi?: number; rsrq?: number; rsrp?: number; snr?: number; ecio?: number } | undefined, keys: readonly ('rssi' | 'rsrq' | 'rsrp' | 'snr' | 'ecio')[]): Record<string, dbus.Variant> {
  const out: Record<string, dbus.Variant> = {};
  for (const k of keys) if (s?.[k] !== undefined) out[k] = V('d', s[k]);
  return out;
}

/** Modem.Signal's per-technology dictionaries (CDMA and EV-DO aside). */
export type SignalDicts = Record<'Gsm' | 'Umts' | 'Lte' | 'Nr5g', Record<string, dbus.Variant>>;

/**
 * The measurements under the technology the modem is on, as ModemManager files them: GSM's RSSI, UMTS's
 * RSSI and Ec/Io, LTE's four (also on 5G NSA, whose LTE anchor they are; an unknown technology counts as
 * LTE), and NR's own.
 */
export function signalDicts(s: SignalQuality | undefined, tech: string | undefined): SignalDicts {
  const on = (t: string): boolean => (t === 'lte' ? tech !== 'gsm' && tech !== 'umts' : tech === t);
  return {
    Gsm: on('gsm') ? signalDict(s, ['rssi']) : {},
    Umts: on('umts') ? signalDict(s, ['rssi', 'ecio']) : {},
    Lte: on('lte') ? signalDict(s, ['rssi', 'rsrq', 'rsrp', 'snr']) : {},
    Nr5g: signalDict(s?.nr5g, ['rsrp', 'rsrq', 'snr']),
  };
}

export function ipConfig(c: Ipv4Config | Ipv6Config | undefined): Record<string, dbus.Variant> {
  // libmm-glib wants a method even in an empty configuration.
  if (!c) return { method: V('u', BearerIpMethod.unknown) };
  return {
    method: V('u', BearerIpMethod.static),
    address: V('s', c.address),
    prefix: V('u', c.prefix),
    ...(c.gateway ? { gateway: V('s', c.gateway) } : {}),
    ...Object.fromEntries(c.dns.slice(0, 3).map((d, i) => [`dns${i + 1}`, V('s', d)])),
    ...(c.mtu ? { mtu: V('u', c.mtu) } : {}),
  };
}

const IP_TYPES: Record<number, IpType> = { [BearerIpFamily.ipv4]: 'ipv4', [BearerIpFamily.ipv6]: 'ipv6', [BearerIpFamily.ipv4v6]: 'ipv4v6' };
const MULTIPLEX: Record<number, Multiplex> = { [BearerMultiplexSupport.none]: 'none', [BearerMultiplexSupport.requested]: 'requested', [BearerMultiplexSupport.required]: 'required' };

const AUTH_BITS: Record<AuthType, number> = { none: BearerAllowedAuth.none, pap: BearerAllowedAuth.pap, chap: BearerAllowedAuth.chap, both: BearerAllowedAuth.pap | BearerAllowedAuth.chap };
const ipFamily = (t: IpType): number => Number(Object.entries(IP_TYPES).find(([, x]) => x === t)![0]);

/** The bearer settings (Bearer.Properties) as ModemManager shows them: never the password. */
export function bearerProperties(r: BearerRequest): Record<string, dbus.Variant> {
  const multiplex = Object.entries(MULTIPLEX).find(([, m]) => m === r.multiplex)![0];
  return {
    apn: V('s', r.apns[0]),
    'ip-type': V('u', ipFamily(r.ipType)),
    'allowed-auth': V('u', AUTH_BITS[r.auth ?? 'none']),
    ...(r.user ? { user: V('s', r.user) } : {}),
    multiplex: V('u', Number(multiplex)),
  };
}

/** Initial EPS bearer settings (InitialEpsBearerSettings, the attach bearer's Properties): what the modem says, never the password. */
export function epsProperties(s: EpsBearerSettings): Record<string, dbus.Variant> {
  return {
    apn: V('s', s.apn),
    ...(s.ipType ? { 'ip-type': V('u', ipFamily(s.ipType)) } : {}),
    ...(s.auth ? { 'allowed-auth': V('u', AUTH_BITS[s.auth]) } : {}),
    ...(s.user ? { user: V('s', s.user) } : {}),
  };
}

/** SetInitialEpsBearerSettings' dictionary: the keys that apply to an attach (ModemManager compares these), or InvalidArgs. */
export function parseEpsSettings(props: Record<string, dbus.Variant>): EpsBearerSettings {
  const known: Record<string, string> = { apn: 's', 'ip-type': 'u', 'allowed-auth': 'u', user: 's', password: 's', 'profile-id': 'i' };
  for (const [key, v] of Object.entries(props)) {
    if (!known[key]) throw new ConfigError(`unsupported initial EPS bearer settings: ${key} (wwankit takes ${Object.keys(known).join(', ')})`);
    if (v.signature !== known[key]) throw new ConfigError(`property '${key}' must have signature '${known[key]}', got '${v.signature}'`);
  }
  // libmm-glib always sends a profile id; -1 means none (the modem's attach profile is used).
  if (((props['profile-id']?.value as number | undefined) ?? -1) !== -1) throw new ConfigError('the initial EPS bearer uses the modem\'s attach profile; leave profile-id unset');
  const value = <T>(key: string): T | undefined => props[key]?.value as T | undefined;
  const family = value<number>('ip-type');
  const ipType = family === undefined || family === BearerIpFamily.none || family === BearerIpFamily.any ? undefined : IP_TYPES[family];
  if (family !== undefined && family !== BearerIpFamily.none && family !== BearerIpFamily.any && !ipType) throw new ConfigError('ip-type is ipv4, ipv6 or ipv4v6');
  const bits = value<number>('allowed-auth');
  const auth = bits === undefined || bits === BearerAllowedAuth.unknown ? undefined : (Object.entries(AUTH_BITS) as [AuthType, number][]).find(([, b]) => b === bits)?.[0];
  if (bits !== undefined && bits !== BearerAllowedAuth.unknown && !auth) throw new ConfigError('allowed-auth is none, pap, chap or pap|chap');
  const user = value<string>('user');
  const password = value<string>('password');
  return { apn: value<string>('apn') ?? '', ...(ipType ? { ipType } : {}), ...(auth ? { auth } : {}), ...(user ? { user } : {}), ...(password ? { password } : {}) };
}

/** Nr5gRegistrationSettings as ModemManager's dictionary has it: an unknown value is left out. */
export function nr5gProperties(s: Nr5gRegistration): Record<string, dbus.Variant> {
  return {
    ...(s.micoMode !== 'unknown' ? { 'mico-mode': V('u', Modem3gppMicoMode.indexOf(s.micoMode)) } : {}),
    ...(s.drxCycle !== 'unknown' ? { 'drx-cycle': V('u', Modem3gppDrxCycle.indexOf(s.drxCycle)) } : {}),
  };
}

/** SetNr5gRegistrationSettings' dictionary: ModemManager's two keys (a key left out is unknown), or InvalidArgs. */
export function parseNr5gSettings(props: Record<string, dbus.Variant>): Nr5gRegistration {
  for (const [key, v] of Object.entries(props)) {
    if (key !== 'mico-mode' && key !== 'drx-cycle') throw new ConfigError(`Invalid settings dictionary, unexpected key '${key}'`);
    if (v.signature !== 'u') throw new ConfigError(`property '${key}' must have signature 'u', got '${v.signature}'`);
  }
  const pick = <T extends string>(key: string, names: readonly T[]): T => {
    const n = (props[key]?.value as number | undefined) ?? 0;
    const name = names[n];
    if (name === undefined) throw new ConfigError(`${key} ${n} is none of ${names.map((x, i) => `${i} (${x})`).join(', ')}`);
    return name;
  };
  return { micoMode: pick('mico-mode', Modem3gppMicoMode), drxCycle: pick('drx-cycle', Modem3gppDrxCycle) };
}

/** Settings from CreateBearer / Simple.Connect: the keys ModemManager defines, or InvalidArgs. */
export interface ConnectSettings {
  request: BearerRequest;
  pin?: string;
}

export function parseConnectSettings(props: Record<string, dbus.Variant>): ConnectSettings {
  const get = <T>(key: string, signature: string): T | undefined => {
    const v = props[key];
    if (v === undefined) return undefined;
    if (v.signature !== signature) throw new ConfigError(`property '${key}' must have signature '${signature}', got '${v.signature}'`);
    return v.value as T;
  };
  const known = ['apn', 'ip-type', 'allowed-auth', 'user', 'password', 'multiplex', 'pin', 'operator-id', 'allow-roaming', 'roaming-allowance', 'apn-type', 'profile-id'];
  const unknown = Object.keys(props).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ConfigError(`unsupported connection properties: ${unknown.join(', ')} (wwankit takes ${known.join(', ')})`);
  if ((get<string>('operator-id', 's') ?? '') !== '') throw new ConfigError('wwankit registers automatically; operator-id must be empty');
  get<boolean>('allow-roaming', 'b');
  // libmm-glib always sends a profile id; -1 means none.
  if ((get<number>('profile-id', 'i') ?? -1) !== -1) throw new ConfigError('wwankit does not use stored profiles; leave profile-id unset');
  const apn = get<string>('apn', 's');
  if (!apn) throw new ConfigError("give an 'apn'");
  const ipFamily = get<number>('ip-type', 'u');
  const ipType = ipFamily === undefined ? 'ipv4v6' : IP_TYPES[ipFamily];
  if (!ipType) throw new ConfigError('ip-type is ipv4, ipv6 or ipv4v6');
  const authBits = get<number>('allowed-auth', 'u') ?? BearerAllowedAuth.unknown;
  const pap = (authBits & BearerAllowedAuth.pap) !== 0;
  const chap = (authBits & BearerAllowedAuth.chap) !== 0;
  const auth: AuthType = pap && chap ? 'both' : pap ? 'pap' : chap ? 'chap' : 'none';
  const mux = get<number>('multiplex', 'u');
  const multiplex = mux === undefined || mux === BearerMultiplexSupport.unknown ? 'requested' : MULTIPLEX[mux];
  if (!multiplex) throw new ConfigError('multiplex is none, requested or required');
  const user = get<string>('user', 's');
  const password = get<string>('password', 's');
  const pin = get<string>('pin', 's');
  return {
    request: { apns: [apn], ipType, auth, multiplex, ...(user ? { user } : {}), ...(password ? { password } : {}) },
    ...(pin ? { pin } : {}),
  };
}
