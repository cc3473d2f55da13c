/**
 * The daemon's configuration file (TOML, /etc/wwankit/wwankit.toml or --config): per modem, matched by
 * IMEI or ICCID or any, the bearers to keep up (APNs tried in order, IP type, auth, multiplexing), the
 * PIN file and autoconnect. Every error names the file and the line, and secrets are read from files
 * named here, never written in it.
 */
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { checkApn, ConfigError, type AuthType, type BearerRequest, type IpType, type Multiplex } from '../modem/types.js';

/** Where the daemon looks when no --config is given. */
export const DEFAULT_CONFIG = '/etc/wwankit/wwankit.toml';

/** One bearer to keep up; `key` is the same string exactly when the profile is the same. */
export interface BearerProfile {
  request: BearerRequest;
  key: string;
}

/** What the configuration says about the modems it matches. */
export interface ModemConfig {
  /** Matches only the modem with this IMEI (or SIM with this ICCID); neither matches any modem. */
  imei?: string;
  iccid?: string;
  /** PIN1, read from `pin-file` (never logged). */
  pin?: string;
  autoconnect: boolean;
  bearers: BearerProfile[];
}

/** A checked configuration file. */
export interface WwanConfig {
  path: string;
  modems: ModemConfig[];
}

/** A configuration file that cannot be used: its path and, where known, the line. */
export class ConfigFileError extends ConfigError {
  constructor(
    readonly path: string,
    readonly line: number | undefined,
    what: string,
  ) {
    super(`${path}${line !== undefined ? `:${line}` : ''}: ${what}`);
  }
}

const MODEM_KEYS = ['imei', 'iccid', 'pin-file', 'autoconnect', 'bearer'];
const BEARER_KEYS = ['apns', 'ip-type', 'auth', 'user', 'password-file', 'multiplex', 'link-id'];
const IP_TYPES: IpType[] = ['ipv4', 'ipv6', 'ipv4v6'];
const AUTHS: AuthType[] = ['none', 'pap', 'chap', 'both'];
const MULTIPLEX: Multiplex[] = ['none', 'requested', 'required'];

/** Reads and checks a configuration file; throws ConfigFileError naming the line. */
export function loadConfig(path: string): WwanConfig {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(path, undefined, `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseConfig(source, path);
}

/** Checks configuration text (`path` only names it in errors and resolves nothing). */
export function parseConfig(source: string, path: string): WwanConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(source) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigFileError(path, e.line, e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''));
    throw e;
  }
  const fail = (at: Location, what: string): never => {
    throw new ConfigFileError(path, lineOf(source, at), what);
  };
  for (const k of Object.keys(doc)) if (k !== 'modem') fail({ key: k }, `unknown setting "${k}" (the file holds [[modem]] tables)`);
  const modems = doc.modem ?? [];
  if (!Array.isArray(modems)) return fail({ key: 'modem' }, 'modem must be [[modem]] tables');
  return {
    path,
    modems: modems.map((m: Record<string, unknown>, mi): ModemConfig => {
      const at = (key?: string): Location => ({ modem: mi, ...(key !== undefined ? { key } : {}) });
      for (const k of Object.keys(m)) if (!MODEM_KEYS.includes(k)) fail(at(k), `unknown modem setting "${k}"; known: ${MODEM_KEYS.join(', ')}`);
      const text = (key: string, pattern: RegExp, what: string): string | undefined => {
        const v = m[key];
        if (v === undefined) return undefined;
        if (typeof v !== 'string' || !pattern.test(v)) return fail(at(key), `${key} must be ${what}`);
        return v;
      };
      const imei = text('imei', /^\d{14,16}$/, '14 to 16 digits');
      const iccid = text('iccid', /^\d{18,22}F?$/, '18 to 22 digits');
      const pinFile = text('pin-file', /^\//, 'an absolute path');
      const pin = pinFile === undefined ? undefined : readSecret(pinFile, () => fail(at('pin-file'), `cannot read the PIN file ${pinFile}`));
      if (pin !== undefined && !/^\d{4,8}$/.test(pin)) fail(at('pin-file'), `the PIN file ${pinFile} must hold 4 to 8 digits`);
      const autoconnect = m.autoconnect ?? true;
      if (typeof autoconnect !== 'boolean') fail(at('autoconnect'), 'autoconnect must be true or false');
      const bearers = m.bearer ?? [];
      if (!Array.isArray(bearers)) fail(at('bearer'), 'bearer must be [[modem.bearer]] tables');
      return {
        ...(imei !== undefined ? { imei } : {}),
        ...(iccid !== undefined ? { iccid } : {}),
        ...(pin !== undefined ? { pin } : {}),
        autoconnect: autoconnect as boolean,
        bearers: (bearers as Record<string, unknown>[]).map((b, bi) => bearerProfile(b, (key) => ({ modem: mi, bearer: bi, ...(key !== undefined ? { key } : {}) }), fail)),
      };
    }),
  };
}

function bearerProfile(b: Record<string, unknown>, at: (key?: string) => Location, fail: (at: Location, what: string) => never): BearerProfile {
  for (const k of Object.keys(b)) if (!BEARER_KEYS.includes(k)) fail(at(k), `unknown bearer setting "${k}"; known: ${BEARER_KEYS.join(', ')}`);
  const apns = typeof b.apns === 'string' ? [b.apns] : b.apns;
  if (!Array.isArray(apns) || apns.length === 0 || !apns.every((a) => typeof a === 'string')) return fail(at(b.apns === undefined ? undefined : 'apns'), 'apns must name one or more APNs, tried in order');
  for (const apn of apns as string[]) {
    try {
      checkApn(apn);
    } catch (e) {
      fail(at('apns'), (e as Error).message);
    }
  }
  const choice = <T extends string>(key: string, options: T[], fallback: T): T => {
    const v = b[key] ?? fallback;
    return options.includes(v as T) ? (v as T) : fail(at(key), `${key} is one of ${options.join(', ')}`);
  };
  const user = b.user;
  if (user !== undefined && typeof user !== 'string') fail(at('user'), 'user must be a string');
  const passwordFile = b['password-file'];
  if (passwordFile !== undefined && (typeof passwordFile !== 'string' || !passwordFile.startsWith('/'))) fail(at('password-file'), 'password-file must be an absolute path');
  const password = passwordFile === undefined ? undefined : readSecret(passwordFile as string, () => fail(at('password-file'), `cannot read the password file ${String(passwordFile)}`));
  const linkId = b['link-id'];
  if (linkId !== undefined && (typeof linkId !== 'number' || !Number.isInteger(linkId) || linkId < 0 || linkId > 255)) fail(at('link-id'), 'link-id is a whole number from 0 to 255');
  const request: BearerRequest = {
    apns: apns as string[],
    ipType: choice('ip-type', IP_TYPES, 'ipv4'),
    auth: choice('auth', AUTHS, 'none'),
    multiplex: choice('multiplex', MULTIPLEX, 'requested'),
    ...(user !== undefined ? { user: user as string } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(linkId !== undefined ? { linkId: Number(linkId) } : {}),
  };
  return { request, key: JSON.stringify(request) };
}

function readSecret(path: string, failed: () => never): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch {
    return failed();
  }
}

/** The modem configuration that applies to a modem: the first naming its IMEI or ICCID, else the first for any. */
export function configFor(config: WwanConfig, ids: { imei?: string; iccid?: string }): ModemConfig | undefined {
  const named = config.modems.find((m) => (m.imei !== undefined && m.imei === ids.imei) || (m.iccid !== undefined && m.iccid === ids.iccid?.replace(/F$/i, '')));
  return named ?? config.modems.find((m) => m.imei === undefined && m.iccid === undefined);
}

/** A setting in the file: the n-th [[modem]], its m-th [[modem.bearer]], a key. */
interface Location {
  modem?: number;
  bearer?: number;
  key?: string;
}

/**
 * The line of a setting, found by walking the tables in order (the TOML parser gives values, not
 * positions); a missing key points at its table's header.
 */
function lineOf(source: string, at: Location): number | undefined {
  let modem = -1;
  let bearer = -1;
  let header: number | undefined;
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (/^\[\[\s*modem\s*\]\]/.test(line)) [modem, bearer] = [modem + 1, -1];
    else if (/^\[\[\s*modem\.bearer\s*\]\]/.test(line)) bearer++;
    const here = (at.modem ?? -1) === modem && (at.bearer ?? -1) === bearer;
    if (here && line.startsWith('[') && header === undefined) header = i + 1;
    if (here && at.key !== undefined && new RegExp(`^"?${at.key.replace(/[.-]/g, '\\$&')}"?\\s*=`).test(line)) return i + 1;
  }
  return header;
}
