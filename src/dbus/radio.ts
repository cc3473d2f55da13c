/**
 * The daemon's radio and SIM answers (src/modem/radio-driver.ts's shapes) in ModemManager 1.20's terms:
 * mode bitmasks, MMModemBand numbers, GetCellInfo and Scan dictionaries, UnlockRetries, and the
 * D-Bus errors ModemManager gives for refused codes and registrations. Pure functions.
 */
import dbus from 'dbus-next';
import type { CellInfo, LockRetries, ModeSet, PersonalizationFacility, PersonalizationResult, PreferredNetwork, RadioBand, RadioModes, ScannedNetwork } from '../modem/radio-driver.js';
import { QmiProtocolError, type QmiProtocolErrorName } from '../qmi/errors.js';
import type { AccessTech } from '../modem/radio-driver.js';
import { CellType, MmError, Modem3gppFacility, Modem3gppNetworkAvailability, ModemAccessTechnology, ModemLock, ModemMode, qmiProtocolErrorName } from './mm-enums.js';
import { mmError } from './interfaces.js';

const V = (signature: string, value: unknown): dbus.Variant => new dbus.Variant(signature, value);

const MODE_BIT: Record<AccessTech, number> = { gsm: ModemMode.mode2g, umts: ModemMode.mode3g, lte: ModemMode.mode4g, nr5g: ModemMode.mode5g };
const TECHS = Object.keys(MODE_BIT) as AccessTech[];

/** A mode set as ModemManager's (allowed, preferred) pair of MMModemMode masks. */
export function modeMask(m: ModeSet): [number, number] {
  return [m.allowed.reduce((a, t) => a | MODE_BIT[t], 0), m.preferred ? MODE_BIT[m.preferred] : ModemMode.none];
}

/** ModemManager's pair back into a mode set; undefined where a bit is not a technology wwankit knows. */
export function modeSet([allowed, preferred]: [number, number]): ModeSet | undefined {
  const known = TECHS.reduce((a, t) => a | MODE_BIT[t], 0);
  if (allowed === 0 || (allowed & ~known) !== 0) return undefined;
  const techs = TECHS.filter((t) => allowed & MODE_BIT[t]);
  if (preferred === ModemMode.none) return { allowed: techs };
  const p = TECHS.find((t) => MODE_BIT[t] === preferred);
  return p && techs.includes(p) ? { allowed: techs, preferred: p } : undefined;
}

/** MM_MODEM_MODE_ANY: every mode the modem supports. */
export const MODE_ANY = 0xffffffff;

const modeNames = (mask: number): string => (mask === ModemMode.none ? 'none' : TECHS.filter((t) => mask & MODE_BIT[t]).map((t) => ({ gsm: '2g', umts: '3g', lte: '4g', nr5g: '5g' })[t]).join(', '));

/**
 * The mode set SetCurrentModes asks for, checked as ModemManager 1.20 checks it (mm-iface-modem.c):
 * (ANY, NONE) is the widest set the modem supports, any other pair must be one of SupportedModes, and
 * the current pair needs nothing (null). A refusal is a DBusError with ModemManager's name and message.
 */
export function modesToSet([allowed, preferred]: [number, number], modes: RadioModes): ModeSet | null {
  const unsupported = (message: string) => new dbus.DBusError(MmError.unsupported, message);
  const supported = modes.supported.map(modeMask);
  if (supported.length === 1) throw unsupported('Cannot change modes: only one combination supported');
  const any = allowed === MODE_ANY && preferred === ModemMode.none;
  if (!any && !supported.some(([a, p]) => a === allowed && p === preferred)) throw unsupported('The given combination of allowed and preferred modes is not supported');
  const [currentAllowed, currentPreferred] = modeMask(modes.current);
  const widest = modes.supported.filter((m) => !m.preferred).reduce<ModeSet | undefined>((a, m) => (!a || m.allowed.length > a.allowed.length ? m : a), undefined);
  if (any) return widest && (widest.allowed.length !== modes.current.allowed.length || modes.current.preferred) ? { allowed: widest.allowed } : null;
  if (currentAllowed === allowed && currentPreferred === preferred) return null;
  if ((allowed ^ preferred) & preferred) throw unsupported(`Preferred mode (${modeNames(preferred)}) is not allowed (${modeNames(allowed)})`);
  return modeSet([allowed, preferred]) ?? null;
}

// MMModemBand: GSM by name, UTRA bands 1–9 in their historical order, then 10–32 from 210; E-UTRA n at 30 + n; NR n at 300 + n.
const GSM_BANDS: Record<number, number> = { 900: 1, 1800: 2, 1900: 3, 850: 4 };
const UTRAN_LOW = [5, 12, 6, 7, 9, 8, 13, 10, 11];

export function mmBand(b: RadioBand): number | undefined {
  if (b.tech === 'gsm') return GSM_BANDS[b.band];
  if (b.tech === 'umts') return b.band >= 1 && b.band <= 9 ? UTRAN_LOW[b.band - 1] : b.band >= 10 && b.band <= 32 ? 200 + b.band : undefined;
  if (b.tech === 'lte') return b.band >= 1 && b.band <= 85 ? 30 + b.band : undefined;
  return b.band >= 1 && b.band <= 261 ? 300 + b.band : undefined;
}

export function radioBand(mm: number): RadioBand | undefined {
  const gsm = Object.entries(GSM_BANDS).find(([, v]) => v === mm);
  if (gsm) return { tech: 'gsm', band: Number(gsm[0]) };
  const u = UTRAN_LOW.indexOf(mm);
  if (u >= 0) return { tech: 'umts', band: u + 1 };
  if (mm >= 210 && mm <= 232) return { tech: 'umts', band: mm - 200 };
  if (mm >= 31 && mm <= 115) return { tech: 'lte', band: mm - 30 };
  if (mm >= 301 && mm <= 561) return { tech: 'nr5g', band: mm - 300 };
  return undefined;
}

export const mmBands = (bands: RadioBand[]): number[] => bands.flatMap((b) => mmBand(b) ?? []);

const ACCESS: Record<AccessTech, number> = { gsm: ModemAccessTechnology.gsm, umts: ModemAccessTechnology.umts, lte: ModemAccessTechnology.lte, nr5g: ModemAccessTechnology.nr5g };

/** Sim.PreferredNetworks entries: (MCCMNC, MMModemAccessTechnology mask). */
export const preferredEntries = (list: PreferredNetwork[]): [string, number][] => list.map((n) => [`${n.mcc}${n.mnc}`, n.techs.reduce((acc, t) => acc | ACCESS[t], 0)]);

/** A Sim.SetPreferredNetworks list as the API takes it; an operator code that is not 5 or 6 digits is InvalidArgs. */
export function preferredFromDbus(list: [string, number][]): PreferredNetwork[] {
  return list.map(([code, mask]) => {
    const m = /^(\d{3})(\d{2,3})$/.exec(code);
    if (!m) throw mmError(MmError.invalidArgs, `operator code '${code}' is not an MCC and MNC of 5 or 6 digits`);
    return { mcc: m[1]!, mnc: m[2]!, techs: (Object.keys(ACCESS) as AccessTech[]).filter((t) => (mask & ACCESS[t]) !== 0) };
  });
}

/** A Modem3gpp.Scan entry. */
export function scanEntry(n: ScannedNetwork): Record<string, dbus.Variant> {
  return {
    status: V('u', Modem3gppNetworkAvailability[n.status]),
    'operator-code': V('s', `${n.mcc}${n.mnc}`),
    ...(n.name ? { 'operator-long': V('s', n.name), 'operator-short': V('s', n.name) } : {}),
    'access-technology': V('u', ACCESS[n.tech]),
  };
}

/** A GetCellInfo entry with ModemManager's keys for the cell's technology. */
export function cellEntry(c: CellInfo): Record<string, dbus.Variant> {
  const hex = (n: number | undefined, digits: number): string | undefined => (n === undefined ? undefined : n.toString(16).toUpperCase().padStart(digits, '0'));
  const out: Record<string, dbus.Variant> = { 'cell-type': V('u', CellType[c.tech]), serving: V('b', c.serving) };
  const put = (key: string, sig: string, value: unknown): void => {
    if (value !== undefined) out[key] = V(sig, value);
  };
  put('operator-id', 's', c.mcc && c.mnc ? `${c.mcc}${c.mnc}` : undefined);
  const area = c.tech === 'lte' || c.tech === 'nr5g' ? 'tac' : 'lac';
  put(area, 's', hex(c.areaCode, c.tech === 'nr5g' ? 6 : 4));
  put('ci', 's', hex(c.cellId, c.tech === 'nr5g' ? 9 : c.tech === 'gsm' ? 4 : 8));
  if (c.tech === 'lte' || c.tech === 'nr5g') put('physical-ci', 's', hex(c.pci, 4));
  if (c.tech === 'umts') put('psc', 'u', c.pci);
  if (c.tech === 'gsm') put('base-station-id', 's', hex(c.pci, 2));
  put({ lte: 'earfcn', nr5g: 'nrarfcn', umts: 'uarfcn', gsm: 'arfcn' }[c.tech], 'u', c.arfcn);
  if (c.tech === 'lte' || c.tech === 'nr5g') {
    put('rsrp', 'd', c.rsrp);
    put('rsrq', 'd', c.rsrq);
    put('sinr', 'd', c.snr);
  } else put(c.tech === 'umts' ? 'rscp' : 'rx-level', c.tech === 'umts' ? 'd' : 'u', c.tech === 'umts' ? c.rssi : c.rssi === undefined ? undefined : Math.max(0, Math.min(63, c.rssi + 110)));
  return out;
}

/** Modem.UnlockRetries: MMModemLock → tries left (a{uu}; dbus-next-patch.ts lets it marshal). */
export function unlockRetries(r: LockRetries): Record<number, number> {
  const out: Record<number, number> = {};
  for (const [k, lock] of [['pin1', ModemLock.simPin], ['puk1', ModemLock.simPuk], ['pin2', ModemLock.simPin2], ['puk2', ModemLock.simPuk2]] as const) if (r[k] !== undefined) out[lock] = r[k];
  return out;
}

/** Each personalization's MMModem3gppFacility bit (ModemManager reads QMI's GW UIM feature as PH-SIM). */
const FACILITY_BIT: Record<PersonalizationFacility, number> = {
  network: Modem3gppFacility.netPers,
  'network-subset': Modem3gppFacility.netSubPers,
  'service-provider': Modem3gppFacility.providerPers,
  corporate: Modem3gppFacility.corpPers,
  'phone-sim': Modem3gppFacility.phSim,
};

/** EnabledFacilityLocks: PIN1 checked (`sim`), PIN2 checked where the modem lists it (`fixed-dialing`, MBIM) and the personalizations enabled. */
export function enabledFacilityLocks(pin1Enabled: boolean | undefined, personalization: readonly { facility: PersonalizationFacility }[] = [], pin2Enabled?: boolean): number {
  const pins = (pin1Enabled ? Modem3gppFacility.sim : 0) | (pin2Enabled ? Modem3gppFacility.fixedDialing : 0);
  return personalization.reduce((mask, l) => mask | FACILITY_BIT[l.facility], pins);
}

/** The personalization a single MMModem3gppFacility bit names. */
export function personalizationOf(bit: number): PersonalizationFacility | undefined {
  return (Object.keys(FACILITY_BIT) as PersonalizationFacility[]).find((f) => FACILITY_BIT[f] === bit);
}

/** The QMI error each refusal comes from on the modem (UIM Depersonalization). */
const DEPERSONALIZATION_ERROR: Record<Exclude<PersonalizationResult, { ok: true }>['refusal'], QmiProtocolErrorName> = {
  'incorrect-key': 'IncorrectPin',
  blocked: 'PinBlocked',
  'permanently-blocked': 'PinAlwaysBlocked',
  'not-enabled': 'NoEffect',
};

/** The MBIM status each refusal comes from on the modem (Pin set Disable): a key not taken fails, a lock not enabled is a disabled PIN. */
const DEPERSONALIZATION_STATUS: Record<keyof typeof DEPERSONALIZATION_ERROR, 'Failure' | 'PinDisabled'> = {
  'incorrect-key': 'Failure',
  blocked: 'Failure',
  'permanently-blocked': 'Failure',
  'not-enabled': 'PinDisabled',
};

/**
 * A refused DisableFacilityLock: ModemManager 1.20 passes the modem's error on as it is (never the
 * key) — libqmi's with its prefix on QMI, libmbim's status (name and nick) on MBIM.
 */
export function depersonalizationError(refusal: keyof typeof DEPERSONALIZATION_ERROR, protocol: 'qmi' | 'mbim'): dbus.DBusError {
  if (protocol === 'mbim') {
    const status = DEPERSONALIZATION_STATUS[refusal];
    return new dbus.DBusError(`org.freedesktop.libmbim.Error.Status.${status}`, status);
  }
  const nick = DEPERSONALIZATION_ERROR[refusal];
  return new dbus.DBusError(qmiProtocolErrorName(nick), `QMI message Depersonalization failed: QMI protocol error (${QmiProtocolError[nick]}): '${nick}'`);
}

// 3GPP TS 24.008/24.301 reject causes → ModemManager's MobileEquipment error nicks.
const CAUSES: Record<number, string> = {
  3: 'GprsIllegalMs',
  6: 'GprsIllegalMe',
  7: 'GprsServiceNotAllowed',
  8: 'GprsAndNonGprsServicesNotAllowed',
  11: 'GprsPlmnNotAllowed',
  12: 'GprsLocationNotAllowed',
  13: 'GprsRoamingNotAllowed',
  15: 'GprsNoCellsInLocationArea',
};

/** The D-Bus error ModemManager gives for a refused registration. */
export function registrationError(cause: number | undefined): string {
  const nick = cause === undefined ? undefined : CAUSES[cause];
  return nick ? MmError.network(nick) : MmError.noNetwork;
}
