/**
 * `wwan daemon --dbus`: ModemManager's D-Bus API over the daemon's API (api.ts), so mmcli,
 * NetworkManager and other ModemManager clients drive wwankit unchanged. It is an in-process client of
 * the contract like the dashboard: calls go through Daemon.request (checked like socket requests), and
 * its objects mirror the modems from `info` and the API's events (D-Bus reads properties synchronously). Objects and paths as
 * ModemManager makes them: the manager and its ObjectManager at /org/freedesktop/ModemManager1,
 * modems (in the ObjectManager) at Modem/N, SIMs at SIM/N and bearers at Bearer/N beside them,
 * numbered once and never reused.
 *
 * Bearers follow ModemManager's model: one made over D-Bus (CreateBearer, Simple.Connect) stays
 * after it disconnects until DeleteBearer; one made by the daemon's own API appears while it is up.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import dbus from 'dbus-next';
import './dbus-next-patch.js';
import type { Daemon } from '../daemon/server.js';
import type { ApiEvent, BearerView, LinkView, LocalMethod, ModemInfo, Params, Result } from '../daemon/api.js';
import { errorNameOf } from '../daemon/protocol.js';
import type { BearerRequest } from '../modem/types.js';
import { RadioError, type EpsBearerSettings, type LockRetries, type Nr5gRegistration, type PacketServiceState, type PreferredNetwork, type RadioBands, type RadioModes, type SimSlot } from '../modem/radio-driver.js';
import * as refuse from './mm-refusals.js';
import { DbusMessaging, type SmsApi } from './messaging.js';
import { BEARER, MANAGER, MODEM, MODEM_3GPP, OBJECT_MANAGER, SIGNAL, SIM, SIMPLE, exportable, mmError, type Exported } from './interfaces.js';
import {
  BearerIpFamily,
  BearerType,
  MM_NAME,
  MM_PATH,
  MM_VERSION,
  MmError,
  Modem3gppPacketServiceState,
  ModemCapability,
  ModemMode,
  ModemPortType,
  ModemPowerState,
  ModemStateChangeReason,
  ModemState as MmState,
  SimType,
} from './mm-enums.js';
import { cellEntry, depersonalizationError, enabledFacilityLocks, modeMask, personalizationOf, modesToSet, mmBands, preferredEntries, preferredFromDbus, radioBand, registrationError, scanEntry, unlockRetries } from './radio.js';
import { accessTechnologies, bearerProperties, failedReason, ipConfig, signalDicts, modemState, parseConnectSettings, parseEpsSettings, parseNr5gSettings, registrationState, signalQuality, unlockRequired, type SignalDicts } from './values.js';
import { EpsBearerObject, modem3gppValues, simCardValues } from './eps.js';

export interface DbusOptions {
  /** `system`, `session`, or a bus address (`unix:path=…`). */
  bus: string;
  log?: (line: string) => void;
}

interface ModemObject {
  id: string;
  /** The modem as `info` showed it, kept current by the API's events. */
  info: ModemInfo;
  path: string;
  simPath: string;
  ifaces: Exported[];
  sim: Exported;
  signal: { rate: number; timer?: NodeJS.Timeout; values: SignalDicts; rssiThreshold: number; errorRate: boolean };
  /** The radio side as the API last answered it (D-Bus reads properties synchronously); absent where the modem does not say. */
  radio: RadioCache;
  /** The initial EPS bearer's object while the modem is attached to LTE (InitialEpsBearer). */
  epsBearer: EpsBearerObject;
  /** A Sim object per SIM slot beyond the first (slot 1 is `sim`). */
  slotSims: Map<number, { path: string; iface: Exported }>;
  mmState: number;
  messaging: DbusMessaging;
}

interface RadioCache {
  modes?: RadioModes;
  bands?: RadioBands;
  retries?: LockRetries;
  pin1Enabled?: boolean;
  /** PIN2 checked, where the modem lists it (MBIM): the fixed-dialing lock. */
  pin2Enabled?: boolean;
  /** The SIM locks (personalizations) enabled, where the modem tells. */
  personalization?: Result<'simLocks'>['personalization'];
  slots?: SimSlot[];
  numbers?: string[];
  power?: 'on' | 'low' | 'off';
  /** The active SIM's preferred networks (QMI modems). */
  preferred?: PreferredNetwork[];
  eps?: { settings: EpsBearerSettings; bearer: EpsBearerSettings | null };
  packet?: PacketServiceState;
  nr5g?: Nr5gRegistration;
  /** The carrier configuration (QMI modems: PDC). */
  carrier?: { name: string; revision: string | null };
  pco?: { sessionId: number; complete: boolean; data: string }[];
  /** The active SIM's emergency numbers (EF_ECC). */
  ecc?: string[];
}

type RadioPart = 'modes' | 'bands' | 'locks' | 'slots' | 'numbers' | 'power' | 'preferred' | 'eps' | 'packet' | 'nr5g' | 'carrier' | 'pco' | 'ecc';
const RADIO_PARTS: RadioPart[] = ['modes', 'bands', 'locks', 'slots', 'numbers', 'power', 'preferred', 'eps', 'packet', 'nr5g', 'carrier', 'pco', 'ecc'];
/** What the network side changes with registration and with bearers. */
const ATTACH_PARTS: RadioPart[] = ['eps', 'packet'];

interface BearerObject {
  path: string;
  modemId: string;
  request: BearerRequest;
  /** Made over D-Bus: kept while disconnected, until DeleteBearer. */
  owned: boolean;
  /** The daemon's bearer while one is up or coming up. */
  bearer?: BearerView;
  /** A connect of this object is under way: the daemon's new bearer with its settings is this one's. */
  dialing?: boolean;
  iface: Exported;
  error?: string;
  attempts: number;
  failedAttempts: number;
}

const MAX_BEARERS = 8;
/** How often the Stats of bearers that are up are read again. */
const STATS_MS = 5000;
const LOG_LEVELS = ['ERR', 'WARN', 'MSG', 'INFO', 'DEBUG', 'TRACE'];

export class ModemManagerService {
  private readonly modems = new Map<string, ModemObject>();
  private readonly bearers = new Set<BearerObject>();
  /** Link counters by modem and bearer id, for the bearers' Stats (refreshed while a bearer is up). */
  private links: LinkView[] = [];
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly counters = { modem: 0, sim: 0, bearer: 0, sms: 0 };
  private readonly objectManager: Exported;
  private readonly detach: () => void;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly daemon: Daemon,
    private readonly bus: dbus.MessageBus,
    options: DbusOptions,
  ) {
    this.log = options.log ?? (() => undefined);
    this.objectManager = exportable(OBJECT_MANAGER, {
      values: () => ({}),
      handlers: { GetManagedObjects: () => Object.fromEntries([...this.modems.values()].map((m) => [m.path, interfacesOf(m.ifaces)])) },
    });
    bus.export(MM_PATH, this.objectManager);
    bus.export(MM_PATH, exportable(MANAGER, { values: () => ({ Version: MM_VERSION }), handlers: this.managerHandlers() }));
    this.detach = daemon.onEvent((e) => this.onEvent(e));
  }

  static async start(daemon: Daemon, options: DbusOptions): Promise<ModemManagerService> {
    if (/(^|;)unix:abstract=/.test(options.bus)) throw new Error('abstract D-Bus addresses are not supported; give a unix:path= address');
    const bus = options.bus === 'system' ? dbus.systemBus() : options.bus === 'session' ? dbus.sessionBus() : dbus.sessionBus({ busAddress: options.bus });
    const failed = new Promise<never>((_, reject) => bus.once('error', (e: Error) => reject(new Error(`D-Bus (${options.bus}): ${e.message}`))));
    bus.on('error', (e: Error) => options.log?.(`D-Bus: ${e.message}`));
    const reply = await Promise.race([bus.requestName(MM_NAME, dbus.NameFlag.DO_NOT_QUEUE), failed]).catch((e: Error) => {
      bus.disconnect();
      throw e;
    });
    if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) {
      bus.disconnect();
      throw new Error(`${MM_NAME} is owned already on the ${options.bus} bus (is ModemManager running?)`);
    }
    options.log?.(`D-Bus: owns ${MM_NAME} on the ${options.bus} bus`);
    const service = new ModemManagerService(daemon, bus, options);
    for (const m of await daemon.request('list')) await service.addModem(m.id);
    return service;
  }

  /** The daemon's API, as D-Bus callers see its refusals: ModemManager's errors, the message kept. */
  private api<M extends LocalMethod>(method: M, params: Params<M>): Promise<Result<M>> {
    return this.daemon.request(method, params).catch((e: unknown) => {
      const name = errorNameOf(e);
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof RadioError) throw mmError(radioErrorName(e), message);
      throw mmError(name === 'bad-params' ? MmError.invalidArgs : name === 'not-found' ? MmError.notFound : name === 'internal' || name === 'connect' ? MmError.failed : MmError.wrongState, message);
    });
  }

  private onEvent(e: ApiEvent): void {
    if (e.event === 'modem-added') return void this.addModem(e.modem).catch((err: Error) => this.log(`D-Bus: ${e.modem}: ${err.message}`));
    if (e.event === 'modem-removed') return this.removeModem(e.modem);
    if (e.event === 'dropped' || e.event === 'trace') return;
    const m = this.modems.get(e.modem);
    if (!m) return;
    if (e.event === 'sms') return m.messaging.onEvent(e);
    if (e.event === 'radio') {
      if (e.what === 'scan' || e.what === 'thresholds') return;
      // Another SIM in use has another preferred list and other emergency numbers.
      return void this.loadRadio(m.id, m.radio, e.what === 'slots' ? ['slots', 'preferred', 'ecc'] : [e.what]).then(() => this.refreshModem(m.id));
    }
    if (e.event === 'state') m.info.state = e.state;
    else if (e.event === 'signal') m.info.signal = e.signal;
    else if (e.event === 'registration') m.info.registration = e.registration;
    else if (e.event === 'bearer') {
      const gone = e.bearer.status === 'disconnected';
      m.info.bearers = [...m.info.bearers.filter((b) => b.id !== e.bearer.id), ...(gone ? [] : [e.bearer])];
      this.onBearer(m, e.bearer);
      // The network sends PCOs with the sessions it brings up.
      if (e.bearer.status === 'connected' || gone) void this.loadRadio(m.id, m.radio, ['pco']).then(() => this.refreshModem(m.id));
    }
    // Registration and power move the attach: the attach bearer and the packet service state follow.
    if (e.event === 'registration' || e.event === 'state') void this.loadRadio(m.id, m.radio, ATTACH_PARTS).then(() => this.refreshModem(m.id));
    this.refreshModem(e.modem);
  }

  async stop(): Promise<void> {
    this.detach();
    clearInterval(this.statsTimer);
    for (const m of this.modems.values()) {
      clearInterval(m.signal.timer);
      m.messaging.close();
      m.epsBearer.drop();
    }
    await this.bus.releaseName(MM_NAME).catch(() => undefined);
    this.bus.disconnect();
  }

  private managerHandlers(): Record<string, (...args: never[]) => unknown> {
    return {
      // wwankit finds modems when the daemon starts and when they are added; nothing to rescan.
      ScanDevices: () => undefined,
      SetLogging: (level: string) => {
        if (!LOG_LEVELS.includes(level)) throw mmError(MmError.invalidArgs, `unknown log level '${level}' (${LOG_LEVELS.join(', ')})`);
      },
      InhibitDevice: async (uid: string, inhibit: boolean) => {
        if (!inhibit) return void (await this.api('uninhibit', { port: uid }));
        const m = [...this.modems.values()].find((x) => x.info.port === uid);
        if (!m) throw mmError(MmError.notFound, `no modem with uid '${uid}'`);
        await this.api('inhibit', { modem: m.id });
      },
    };
  }

  private async addModem(id: string): Promise<void> {
    if (this.modems.has(id)) return;
    const first = await this.daemon.request('info', { modem: id }).catch(() => undefined);
    // Gone again meanwhile, or added by an event while this waited.
    if (!first || this.modems.has(id)) return;
    const path = `${MM_PATH}/Modem/${this.counters.modem++}`;
    const simPath = `${MM_PATH}/SIM/${this.counters.sim++}`;
    const signal: ModemObject['signal'] = { rate: 0, values: signalDicts(undefined, undefined), rssiThreshold: 0, errorRate: false };
    const radio: RadioCache = {};
    const slotSims: ModemObject['slotSims'] = new Map();
    const epsBearer = new EpsBearerObject(this.bus, () => `${MM_PATH}/Bearer/${this.counters.bearer++}`);
    await this.loadRadio(id, radio, RADIO_PARTS);
    const slotPath = (n: number): string => (n <= 1 ? simPath : (slotSims.get(n)?.path ?? '/'));
    // Until the modem's object is registered below, what `info` answered first.
    const info = (): ModemInfo => this.modems.get(id)?.info ?? first;
    const modemValues = () => {
      const i = info();
      const caps = ModemCapability.gsmUmts | ModemCapability.lte | (i.registration?.tech === '5gnr' ? ModemCapability.nr5g : 0);
      const modes = ModemMode.mode2g | ModemMode.mode3g | ModemMode.mode4g | (caps & ModemCapability.nr5g ? ModemMode.mode5g : 0);
      const active = radio.slots?.find((x) => x.active)?.slot;
      const links = i.bearers.flatMap((b) => (b.interface ? [[b.interface, ModemPortType.net]] : []));
      return {
        Sim: active ? slotPath(active) : simPath,
        SimSlots: radio.slots && radio.slots.length > 1 ? radio.slots.map((x) => (x.present ? slotPath(x.slot) : '/')) : [],
        PrimarySimSlot: radio.slots && radio.slots.length > 1 ? (active ?? 0) : 0,
        Bearers: this.bearersOf(id).map((b) => b.path),
        SupportedCapabilities: [caps],
        CurrentCapabilities: caps,
        MaxBearers: MAX_BEARERS,
        MaxActiveBearers: MAX_BEARERS,
        MaxActiveMultiplexedBearers: MAX_BEARERS,
        Manufacturer: i.manufacturer ?? '',
        Model: i.model ?? '',
        Revision: i.revision ?? '',
        CarrierConfiguration: radio.carrier?.name ?? '',
        CarrierConfigurationRevision: radio.carrier?.revision ?? '',
        HardwareRevision: i.hardwareRevision ?? '',
        DeviceIdentifier: createHash('sha1').update(`${i.port}\0${i.imei ?? ''}`).digest('hex'),
        Device: i.port,
        Drivers: i.driver ? [i.driver] : [],
        Plugin: 'wwankit',
        PrimaryPort: basename(i.port),
        Ports: [[basename(i.port), i.protocol === 'qmi' ? ModemPortType.qmi : ModemPortType.mbim], ...links],
        EquipmentIdentifier: i.imei ?? '',
        UnlockRequired: unlockRequired(i),
        UnlockRetries: unlockRetries(radio.retries ?? {}),
        State: modemState(i.state, i.bearers),
        StateFailedReason: failedReason(i, i.state),
        AccessTechnologies: accessTechnologies(i.registration),
        SignalQuality: signalQuality(i.signal),
        OwnNumbers: radio.numbers ?? [],
        PowerState: radio.power ? ModemPowerState[radio.power] : ModemPowerState.on,
        SupportedModes: radio.modes ? radio.modes.supported.map(modeMask) : [[modes, ModemMode.none]],
        CurrentModes: radio.modes ? modeMask(radio.modes.current) : [modes, ModemMode.none],
        SupportedBands: mmBands(radio.bands?.supported ?? []),
        CurrentBands: mmBands(radio.bands?.current ?? []),
        SupportedIpFamilies: BearerIpFamily.ipv4 | BearerIpFamily.ipv6 | BearerIpFamily.ipv4v6,
      };
    };
    const operatorCode = () => {
      const op = info().registration?.operator;
      return op ? `${op.mcc}${op.mnc}` : '';
    };
    const registered = () => ['home', 'roaming'].includes(info().registration?.state ?? '');
    const ifaces = [
      exportable(MODEM, {
        values: modemValues,
        handlers: {
          // As ModemManager does: disabling turns the radio off (low power), the modem stays managed.
          Enable: (enable: boolean) => this.setPower(id, enable ? 'on' : 'low'),
          ListBearers: () => this.bearersOf(id).map((b) => b.path),
          CreateBearer: (props: Record<string, dbus.Variant>) => this.createBearer(id, parseConnectSettings(props).request).path,
          DeleteBearer: async (path: string) => {
            const b = this.bearersOf(id).find((x) => x.path === path);
            if (!b) throw mmError(MmError.notFound, `no bearer ${path} on this modem`);
            await this.disconnectBearer(b);
            this.dropBearer(b);
          },
          SetPowerState: (state: number) => {
            const power = (['off', 'low', 'on'] as const).find((p) => ModemPowerState[p] === state);
            if (!power) throw mmError(MmError.invalidArgs, `power state ${state} is not off (1), low (2) or on (3)`);
            return this.setPower(id, power);
          },
          Reset: async () => void (await this.api('reset', { modem: id })),
          FactoryReset: async (code: string) => void (await this.api('factoryReset', { modem: id, code })),
          SetCurrentModes: async (pair: [number, number]) => {
            const wanted = modesToSet(pair, radio.modes ?? (await this.api('modes', { modem: id })));
            if (!wanted) return;
            const { allowed, preferred } = wanted;
            radio.modes = await this.api('setModes', { modem: id, allowed, ...(preferred ? { preferred } : {}) });
            this.refreshModem(id);
          },
          SetCurrentCapabilities: (caps: number) => refuse.setCapabilities(modemValues().SupportedCapabilities, modemValues().CurrentCapabilities, caps),
          SetCurrentBands: async (bands: number[]) => {
            // MM_MODEM_BAND_ANY (256) alone: every supported band.
            const any = bands.length === 1 && bands[0] === 256;
            const wanted = any ? [] : bands.map((b) => radioBand(b) ?? b);
            const unknown = wanted.filter((b) => typeof b === 'number');
            if (unknown.length > 0) throw mmError(MmError.unsupported, `bands ${unknown.join(', ')} are not GSM, UTRA, E-UTRA or NR bands wwankit knows`);
            radio.bands = await this.api('setBands', { modem: id, bands: wanted.filter((b) => typeof b !== 'number') });
            this.refreshModem(id);
          },
          SetPrimarySimSlot: async (slot: number) => {
            if (!radio.slots?.some((x) => x.slot === slot)) throw mmError(MmError.invalidArgs, `no SIM slot ${slot} (slots: ${(radio.slots ?? []).map((x) => x.slot).join(', ') || 'none'})`);
            // ModemManager answers before the modem comes back with the other SIM; so does this.
            radio.slots = (await this.api('setSlot', { modem: id, slot })).slots;
            this.ensureSlotSims(id);
            this.refreshModem(id);
          },
          GetCellInfo: async () => (await this.api('cells', { modem: id })).cells.map(cellEntry),
          Command: () => {
            throw mmError(MmError.unsupported, 'wwankit has no AT port');
          },
        },
      }),
      exportable(SIMPLE, {
        values: () => ({}),
        handlers: {
          Connect: async (props: Record<string, dbus.Variant>) => {
            const settings = parseConnectSettings(props);
            if (settings.pin !== undefined && info().sim?.status === 'pin-required') await this.sendPin(id, settings.pin);
            const same = this.bearersOf(id).find((b) => b.owned && sameSettings(b.request, settings.request));
            const b = same ?? this.createBearer(id, settings.request);
            try {
              await this.connectBearer(b);
            } catch (e) {
              // A bearer Simple.Connect made and could not bring up is not left behind.
              if (!same) this.dropBearer(b);
              throw e;
            }
            return b.path;
          },
          Disconnect: async (path: string) => {
            const targets = this.bearersOf(id).filter((b) => path === '/' || b.path === path);
            if (targets.length === 0) throw mmError(MmError.notFound, path === '/' ? 'no bearers to disconnect' : `no bearer ${path} on this modem`);
            for (const b of targets) await this.disconnectBearer(b);
          },
          GetStatus: () => {
            const v = modemValues();
            return {
              state: new dbus.Variant('u', v.State < 0 ? 0 : v.State),
              'signal-quality': new dbus.Variant('(ub)', v.SignalQuality),
              'current-bands': new dbus.Variant('au', v.CurrentBands),
              'access-technologies': new dbus.Variant('u', v.AccessTechnologies),
              'm3gpp-registration-state': new dbus.Variant('u', registrationState(info().registration)),
              'm3gpp-operator-code': new dbus.Variant('s', operatorCode()),
              'm3gpp-operator-name': new dbus.Variant('s', info().registration?.operator?.name ?? ''),
            };
          },
        },
      }),
      exportable(MODEM_3GPP, {
        values: () => ({
          Imei: info().imei ?? '',
          RegistrationState: registrationState(info().registration),
          OperatorCode: operatorCode(),
          OperatorName: info().registration?.operator?.name ?? '',
          EnabledFacilityLocks: enabledFacilityLocks(radio.pin1Enabled, radio.personalization, radio.pin2Enabled),
          ...modem3gppValues(radio, epsBearer, registered()),
        }),
        handlers: {
          Register: async (operatorId: string) => {
            const plmn = /^(\d{3})(\d{2,3})$/.exec(operatorId);
            if (operatorId !== '' && !plmn) throw mmError(MmError.invalidArgs, `operator id '${operatorId}' is not an MCC and MNC of 5 or 6 digits`);
            await this.api('register', plmn ? { modem: id, mcc: plmn[1]!, mnc: plmn[2]! } : { modem: id });
          },
          Scan: async () => (await this.api('scan', { modem: id })).networks.map(scanEntry),
          SetEpsUeModeOperation: (mode: number) => refuse.setEpsUeMode(0, mode),
          SetInitialEpsBearerSettings: async (props: Record<string, dbus.Variant>) => {
            const settings = parseEpsSettings(props);
            const r = await this.api('initialEps', { modem: id, settings });
            radio.eps = r;
            this.refreshModem(id);
          },
          SetNr5gRegistrationSettings: async (props: Record<string, dbus.Variant>) => {
            // As ModemManager: refused where the modem has none, the settings checked, the same ones not sent again.
            if (!radio.nr5g) refuse.setNr5gRegistrationSettings();
            const settings = parseNr5gSettings(props);
            radio.nr5g = await this.api('nr5gRegistration', { modem: id, settings });
            this.refreshModem(id);
          },
          DisableFacilityLock: async (lock: [number, string]) => {
            const facility = personalizationOf(refuse.facilityToDisable(lock)) as Params<'simLockDisable'>['facility'];
            const r = await this.api('simLockDisable', { modem: id, facility, key: lock[1] });
            // As ModemManager: the locks and the SIM's lock state are read again, then the answer.
            await this.afterCode(id);
            if (r.refusal) throw depersonalizationError(r.refusal, info().protocol);
          },
          SetPacketServiceState: async (state: number) => {
            // As ModemManager: an enabled modem first, then attached (2) or detached (1) only.
            if (modemValues().State < MmState.enabled) throw mmError(MmError.wrongState, 'modem not yet enabled');
            const wanted = (['attached', 'detached'] as const).find((p) => Modem3gppPacketServiceState[p] === state);
            if (!wanted) throw mmError(MmError.invalidArgs, 'Invalid packet service state requested');
            radio.packet = (await this.api('packetService', { modem: id, state: wanted })).state;
            await this.loadRadio(id, radio, ['eps']);
            this.refreshModem(id);
          },
        },
      }),
      exportable(SIGNAL, {
        values: () => ({ Rate: signal.rate, RssiThreshold: signal.rssiThreshold, ErrorRateThreshold: signal.errorRate, Cdma: {}, Evdo: {}, ...signal.values }),
        handlers: {
          // Like ModemManager: with a rate, the measurements are refreshed every `rate` seconds; 0 stops and clears them.
          Setup: (rate: number) => {
            clearInterval(signal.timer);
            signal.rate = rate;
            signal.timer = undefined;
            const sample = () => {
              signal.values = signalDicts(rate > 0 ? info().signal : undefined, info().registration?.tech);
              this.refreshModem(id);
            };
            if (rate > 0) signal.timer = setInterval(sample, rate * 1000).unref();
            sample();
          },
          SetupThresholds: async (settings: Record<string, dbus.Variant>) => {
            const unknown = Object.keys(settings).filter((k) => k !== 'rssi-threshold' && k !== 'error-rate-threshold');
            if (unknown.length > 0) throw mmError(MmError.invalidArgs, `unknown threshold settings: ${unknown.join(', ')} (rssi-threshold, error-rate-threshold)`);
            const rssi = settings['rssi-threshold'];
            const errorRate = settings['error-rate-threshold'];
            if ((rssi && rssi.signature !== 'u') || (errorRate && errorRate.signature !== 'b')) throw mmError(MmError.invalidArgs, 'rssi-threshold is a u, error-rate-threshold a b');
            const rssiDelta = rssi ? (rssi.value as number) : signal.rssiThreshold;
            const err = errorRate ? (errorRate.value as boolean) : signal.errorRate;
            await this.api('signalSetup', { modem: id, rssiDelta, ...(errorRate ? { errorRate: err } : {}) });
            signal.rssiThreshold = rssiDelta;
            signal.errorRate = err;
            this.refreshModem(id);
          },
        },
      }),
    ];
    const sim = this.simObject(id, 1, info, radio);
    const messaging = await DbusMessaging.start(this.bus, ((method: 'smsList', params: object) => this.api(method, { ...params, modem: id })) as SmsApi, this.counters);
    // Removed, or added by another event, while the messages were read.
    if (this.modems.has(id) || !(await this.daemon.request('list')).some((m) => m.id === id)) return messaging.close();
    ifaces.push(messaging.iface);
    const entry: ModemObject = { id, info: first, path, simPath, ifaces, sim, signal, radio, epsBearer, slotSims, mmState: modemValues().State, messaging };
    epsBearer.update(radio.eps?.bearer);
    this.modems.set(id, entry);
    for (const i of ifaces) this.bus.export(path, i);
    this.bus.export(simPath, sim);
    this.ensureSlotSims(id);
    this.objectManager.emitSignal('InterfacesAdded', path, interfacesOf(ifaces));
    for (const b of first.bearers) this.onBearer(entry, b);
    this.log(`D-Bus: ${id} is ${path}`);
  }

  private removeModem(id: string): void {
    const m = this.modems.get(id);
    if (!m) return;
    this.modems.delete(id);
    clearInterval(m.signal.timer);
    m.messaging.close();
    m.epsBearer.drop();
    for (const b of this.bearersOf(id)) this.dropBearer(b);
    this.objectManager.emitSignal('InterfacesRemoved', m.path, m.ifaces.map((i) => i.decl.name));
    unexportPath(this.bus, m.path);
    unexportPath(this.bus, m.simPath);
    for (const x of m.slotSims.values()) unexportPath(this.bus, x.path);
  }

  /** The Sim object of SIM slot `slot` (1-based): the active slot shows the SIM the modem reads, the others what the slot list says. */
  private simObject(id: string, slot: number, info: () => ModemInfo, radio: RadioCache): Exported {
    return exportable(SIM, {
      values: () => {
        const s = radio.slots?.find((x) => x.slot === slot);
        const active = s ? s.active : slot === 1;
        const card = active ? info().sim : undefined;
        return {
          Active: active,
          SimIdentifier: card?.iccid ?? s?.iccid ?? '',
          Imsi: card?.imsi ?? '',
          Eid: s?.eid ?? '',
          OperatorIdentifier: card?.operatorId ?? '',
          OperatorName: card?.operatorName ?? '',
          EmergencyNumbers: active ? (radio.ecc ?? []) : [],
          PreferredNetworks: active ? preferredEntries(radio.preferred ?? []) : [],
          Gid1: Buffer.from(card?.gid1 ?? '', 'hex'),
          Gid2: Buffer.from(card?.gid2 ?? '', 'hex'),
          SimType: s?.kind === 'euicc' ? SimType.esim : SimType.physical,
          ...simCardValues(s),
        };
      },
      handlers: {
        SendPin: (pin: string) => this.sendPin(id, pin),
        SendPuk: async (puk: string, pin: string) => {
          const m = this.modems.get(id);
          if (m?.info.sim?.status !== 'puk-required') throw mmError(MmError.wrongState, `the SIM does not ask for the PUK (it is ${m?.info.sim?.status ?? 'unknown'})`);
          const r = await this.api('unlock', { modem: id, pin, puk });
          await this.afterCode(id);
          if (!r.unlocked) throw mmError(MmError.incorrectPassword, `the PUK was refused; ${r.retries ?? 'unknown'} retries left`);
        },
        EnablePin: async (pin: string, enable: boolean) => this.codeResult(id, 'PIN', await this.api('pinEnable', { modem: id, lock: 'pin1', pin, enable })),
        ChangePin: async (pin: string, newPin: string) => this.codeResult(id, 'PIN', await this.api('pinChange', { modem: id, lock: 'pin1', pin, newPin })),
        SetPreferredNetworks: async (list: [string, number][]) => {
          if (!(radio.slots?.find((x) => x.slot === slot)?.active ?? slot === 1)) refuse.setPreferredNetworks();
          radio.preferred = (await this.api('preferredNetworks', { modem: id, networks: preferredFromDbus(list) })).networks;
          this.refreshModem(id);
        },
      },
    });
  }

  /** One Sim object per present slot (slot 1's is the modem's first); made once, kept while the modem is. */
  private ensureSlotSims(id: string): void {
    const m = this.modems.get(id);
    if (!m) return;
    for (const s of m.radio.slots ?? []) {
      if (s.slot <= 1 || m.slotSims.has(s.slot)) continue;
      const path = `${MM_PATH}/SIM/${this.counters.sim++}`;
      const iface = this.simObject(id, s.slot, () => m.info, m.radio);
      m.slotSims.set(s.slot, { path, iface });
      this.bus.export(path, iface);
    }
  }

  /** Reads the radio parts again; a part the modem cannot say stays as it was. */
  private async loadRadio(id: string, radio: RadioCache, parts: RadioPart[]): Promise<void> {
    const m = { radio };
    const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);
    await Promise.all(
      parts.map(async (part) => {
        if (part === 'modes') m.radio.modes = (await quiet(this.daemon.request('modes', { modem: id }))) ?? m.radio.modes;
        else if (part === 'bands') m.radio.bands = (await quiet(this.daemon.request('bands', { modem: id }))) ?? m.radio.bands;
        else if (part === 'slots') m.radio.slots = (await quiet(this.daemon.request('slots', { modem: id })))?.slots ?? m.radio.slots;
        else if (part === 'numbers') m.radio.numbers = (await quiet(this.daemon.request('numbers', { modem: id })))?.numbers ?? m.radio.numbers;
        else if (part === 'power') m.radio.power = (await quiet(this.daemon.request('power', { modem: id })))?.state ?? m.radio.power;
        else if (part === 'preferred') m.radio.preferred = (await quiet(this.daemon.request('preferredNetworks', { modem: id })))?.networks;
        else if (part === 'eps') m.radio.eps = (await quiet(this.daemon.request('initialEps', { modem: id }))) ?? m.radio.eps;
        else if (part === 'packet') m.radio.packet = (await quiet(this.daemon.request('packetService', { modem: id })))?.state ?? m.radio.packet;
        else if (part === 'carrier') m.radio.carrier = (await quiet(this.daemon.request('carrierConfig', { modem: id }))) ?? m.radio.carrier;
        else if (part === 'nr5g') m.radio.nr5g = (await quiet(this.daemon.request('nr5gRegistration', { modem: id }))) ?? m.radio.nr5g;
        else if (part === 'pco') m.radio.pco = (await quiet(this.daemon.request('pco', { modem: id })))?.pco ?? m.radio.pco;
        else if (part === 'ecc') m.radio.ecc = (await quiet(this.daemon.request('emergencyNumbers', { modem: id })))?.numbers ?? m.radio.ecc;
        else {
          const locks = await quiet(this.daemon.request('simLocks', { modem: id }));
          if (locks) [m.radio.retries, m.radio.pin1Enabled, m.radio.pin2Enabled, m.radio.personalization] = [locks.retries, locks.pin1Enabled, locks.pin2Enabled, locks.personalization];
        }
      }),
    );
    this.ensureSlotSims(id);
  }

  private async setPower(id: string, state: 'on' | 'low' | 'off'): Promise<void> {
    const m = this.modems.get(id);
    const r = await this.api('power', { modem: id, state });
    if (m) m.radio.power = r.state;
    this.refreshModem(id);
  }

  /** After a code was tried: the SIM's state and its tries, as the modem now says. */
  private async afterCode(id: string): Promise<void> {
    const m = this.modems.get(id);
    if (!m) return;
    m.info = await this.api('info', { modem: id });
    await this.loadRadio(id, m.radio, ['locks']);
    this.refreshModem(id);
  }

  /** A refused code is ModemManager's IncorrectPassword (SimPuk once the tries are gone); the code never appears. */
  private async codeResult(id: string, what: string, r: { ok: boolean; retries?: number }): Promise<void> {
    await this.afterCode(id);
    if (r.ok) return;
    if (r.retries === 0) throw mmError(MmError.simPuk, `the ${what} was refused; the SIM now asks for the PUK`);
    throw mmError(MmError.incorrectPassword, `the ${what} was refused; ${r.retries ?? 'unknown'} retries left`);
  }

  private refreshModem(id: string): void {
    const m = this.modems.get(id);
    if (!m) return;
    m.epsBearer.update(m.radio.eps?.bearer);
    for (const i of [...m.ifaces, m.sim, ...[...m.slotSims.values()].map((x) => x.iface)]) i.refresh();
    const state = m.ifaces[0]!.backend.values().State as number;
    if (state !== m.mmState) {
      m.ifaces[0]!.emitSignal('StateChanged', m.mmState, state, ModemStateChangeReason.unknown);
      m.mmState = state;
    }
  }

  private bearersOf(modemId: string): BearerObject[] {
    return [...this.bearers].filter((b) => b.modemId === modemId);
  }

  private createBearer(modemId: string, request: BearerRequest): BearerObject {
    const m = this.modems.get(modemId);
    if (!m) throw mmError(MmError.notFound, `no modem ${modemId}`);
    if (this.bearersOf(modemId).length >= MAX_BEARERS) throw mmError(MmError.wrongState, `at most ${MAX_BEARERS} bearers per modem`);
    return this.addBearerObject(m, request, true);
  }

  private addBearerObject(m: ModemObject, request: BearerRequest, owned: boolean): BearerObject {
    const path = `${MM_PATH}/Bearer/${this.counters.bearer++}`;
    const b = { path, modemId: m.id, request, owned, attempts: 0, failedAttempts: 0 } as BearerObject;
    b.iface = exportable(BEARER, {
      values: () => {
        const up = b.bearer?.status === 'connected' ? b.bearer : undefined;
        const counters = up && this.links.find((l) => l.modem === m.id && l.bearer === up.id)?.counters;
        const framing = m.info.dataFormat?.framing;
        return {
          Interface: up?.interface ?? '',
          Connected: up !== undefined,
          ConnectionError: b.error ? [MmError.failed, b.error] : ['', ''],
          Suspended: false,
          Multiplexed: up !== undefined && (framing !== undefined ? framing !== 'raw-ip' : request.multiplex !== 'none'),
          Ip4Config: ipConfig(up?.ipv4),
          Ip6Config: ipConfig(up?.ipv6),
          Stats: {
            'rx-bytes': new dbus.Variant('t', BigInt(counters?.rxBytes ?? 0)),
            'tx-bytes': new dbus.Variant('t', BigInt(counters?.txBytes ?? 0)),
            attempts: new dbus.Variant('u', b.attempts),
            'failed-attempts': new dbus.Variant('u', b.failedAttempts),
          },
          ReloadStatsSupported: false,
          IpTimeout: 20,
          BearerType: BearerType.default,
          ProfileId: -1,
          Properties: bearerProperties(request),
        };
      },
      handlers: {
        Connect: () => this.connectBearer(b),
        Disconnect: () => this.disconnectBearer(b),
      },
    });
    this.bearers.add(b);
    this.bus.export(path, b.iface);
    this.refreshModem(m.id);
    return b;
  }

  private async connectBearer(b: BearerObject): Promise<void> {
    if (b.bearer) {
      if (b.bearer.status === 'connected') return;
      throw mmError(MmError.wrongState, `the bearer is ${b.bearer.status}`);
    }
    if (b.dialing) throw mmError(MmError.wrongState, 'the bearer is connecting');
    b.attempts++;
    b.dialing = true;
    const { apns, ipType, auth, user, password, multiplex, linkId } = b.request;
    try {
      b.bearer = await this.api('connect', { modem: b.modemId, apns, ipType, multiplex, ...(auth ? { auth } : {}), ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}), ...(linkId !== undefined ? { linkId } : {}) });
      b.error = undefined;
    } catch (e) {
      b.failedAttempts++;
      b.error = (e as Error).message;
      throw e;
    } finally {
      b.dialing = false;
      b.iface.refresh();
    }
  }

  private async disconnectBearer(b: BearerObject): Promise<void> {
    const bearer = b.bearer;
    if (!bearer) return;
    b.bearer = undefined;
    await this.daemon.request('disconnect', { modem: b.modemId, bearer: bearer.id }).catch(() => undefined);
    b.iface.refresh();
  }

  private dropBearer(b: BearerObject): void {
    if (!this.bearers.delete(b)) return;
    unexportPath(this.bus, b.path);
    this.refreshModem(b.modemId);
  }

  /** A bearer changed in the daemon: update its object, or show one made through the daemon's other front-ends. */
  private onBearer(m: ModemObject, bearer: BearerView): void {
    const mine = this.bearersOf(m.id);
    let b = mine.find((x) => x.bearer?.id === bearer.id) ?? mine.find((x) => x.dialing && !x.bearer && sameSettings(x.request, bearer.request));
    const down = bearer.status === 'disconnected' || bearer.status === 'failed';
    if (!b) {
      if (down) return;
      b = this.addBearerObject(m, bearer.request, false);
    }
    if (down) {
      if (b.bearer?.id === bearer.id) b.bearer = undefined;
      if (!b.owned) return this.dropBearer(b);
    } else {
      b.bearer = bearer;
    }
    b.error = bearer.error;
    b.iface.refresh();
    this.watchStats();
  }

  /** While a bearer is up its Stats follow the link counters, read every few seconds through `links`. */
  private watchStats(): void {
    const up = [...this.bearers].some((b) => b.bearer?.status === 'connected');
    if (up && !this.statsTimer) {
      const read = (): void =>
        void this.daemon.request('links').then((links) => {
          this.links = links;
          for (const b of this.bearers) if (b.bearer) b.iface.refresh();
        }, () => undefined);
      this.statsTimer = setInterval(read, STATS_MS).unref();
      read();
    } else if (!up && this.statsTimer) {
      clearInterval(this.statsTimer);
      this.statsTimer = undefined;
    }
  }

  private async sendPin(modemId: string, pin: string): Promise<void> {
    const m = this.modems.get(modemId);
    if (m?.info.sim?.status !== 'pin-required') throw mmError(MmError.wrongState, `the SIM does not ask for a PIN (it is ${m?.info.sim?.status ?? 'unknown'})`);
    const r = await this.api('unlock', { modem: modemId, pin });
    // The retries are told; the PIN never is.
    await this.afterCode(modemId);
    if (!r.unlocked) throw mmError(r.retries === 0 ? MmError.simPuk : MmError.incorrectPassword, `the PIN was refused; ${r.retries ?? 'unknown'} retries left`);
  }
}

function interfacesOf(ifaces: Exported[]): Record<string, Record<string, dbus.Variant>> {
  return Object.fromEntries(ifaces.map((i) => [i.decl.name, i.variants()]));
}

/** dbus-next removes every interface of a path when none is given (its typings say one is required). */
function unexportPath(bus: dbus.MessageBus, path: string): void {
  (bus.unexport as (path: string) => void).call(bus, path);
}

function sameSettings(a: BearerRequest, b: BearerRequest): boolean {
  return a.apns.join() === b.apns.join() && a.ipType === b.ipType && a.multiplex === b.multiplex && a.auth === b.auth && a.user === b.user;
}

/** ModemManager's error for a refused radio request: the network's cause where it gave one. */
function radioErrorName(e: RadioError): string {
  switch (e.reason) {
    case 'network-refused':
    case 'no-such-network':
      return registrationError(e.cause3gpp);
    case 'not-supported':
      return MmError.unsupported;
    case 'wrong-state':
    case 'aborted':
      return MmError.wrongState;
    case 'no-such-slot':
    case 'no-such-channel':
    case 'bad-apdu':
      return MmError.invalidArgs;
    default:
      return MmError.failed;
  }
}
