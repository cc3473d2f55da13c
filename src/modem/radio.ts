/**
 * A modem's radio side (ModemRadio) over whichever driver the modem has now (a reset brings a new
 * one): one scan at a time that a second caller joins and a reset or removal aborts, changes one at a
 * time, PIN codes sent once each with the PIN guard told what the SIM said, the last known values
 * kept for front-ends and `changed` when one of them changes.
 */
import { EventEmitter } from 'node:events';
import type { PinGuard } from './pin-guard.js';
import { apduShapeError } from '../wire/apdu.js';
import {
  RadioError,
  type CellInfo,
  type CodeResult,
  type LockRetries,
  type ModemRadio,
  type ModemRadioEvents,
  type ModeSet,
  type PersonalizationFacility,
  type PersonalizationLock,
  type PersonalizationResult,
  type PowerState,
  type RadioBand,
  type RadioBands,
  type RadioDriver,
  type RadioModes,
  type RegisterTarget,
  type ScannedNetwork,
  type SignalThresholds,
  type SimLock,
  type SimSlot,
  type PreferredNetwork,
  type EpsBearerSettings,
  type CarrierConfig,
  type Nr5gRegistration,
  type PacketServiceState,
  type PcoInfo,
} from './radio-driver.js';
import type { SimStatus } from './types.js';

/** What the radio needs from its modem. */
export interface RadioHost {
  /** The current driver's radio side (undefined while the control port is being reopened). */
  driver(): RadioDriver | undefined;
  /**
   * The SIM's state as last probed, and every key the PIN guard may know it by (its ICCID, and the
   * modem's IMEI it is kept under while a locked SIM hides its ICCID).
   */
  sim(): { status: SimStatus; keys: string[] } | undefined;
  /** Probes the modem again so its state is right after a change: `sim` a changed SIM, `state` the SIM's status, registration and power. */
  reprobe(what: 'sim' | 'state'): Promise<void>;
  pinGuard?: PinGuard;
  log(line: string): void;
}

/** The last value of each part front-ends show; absent until first read. */
export interface RadioCache {
  modes?: RadioModes;
  bands?: RadioBands;
  slots?: SimSlot[];
  retries?: LockRetries;
  numbers?: string[];
  power?: PowerState;
  pin1Enabled?: boolean;
  /** Whether PIN2 is checked, where the modem lists it (MBIM). */
  pin2Enabled?: boolean;
  /** The SIM locks (personalizations) enabled, where the modem tells. */
  personalization?: PersonalizationLock[];
  /** The initial EPS bearer settings and the bearer attached with (never a password). */
  eps?: { settings: EpsBearerSettings; bearer?: EpsBearerSettings };
  packet?: PacketServiceState;
  nr5g?: Nr5gRegistration;
}

type Part = ModemRadioEvents['changed'][0];
const PART_OF: Record<keyof RadioCache, Part> = { modes: 'modes', bands: 'bands', slots: 'slots', retries: 'locks', pin1Enabled: 'locks', pin2Enabled: 'locks', personalization: 'locks', numbers: 'numbers', power: 'power', eps: 'eps', packet: 'packet', nr5g: 'nr5g' };

const sameNr5g = (a: Nr5gRegistration, b: Nr5gRegistration): boolean => a.micoMode === b.micoMode && a.drxCycle === b.drxCycle;
/** Settings as they are shown: the password stays with the modem. */
const shown = ({ password: _, ...rest }: EpsBearerSettings): EpsBearerSettings => rest;
/** Whether `now` holds what was `asked` (as ModemManager compares them): the APN and user, the IP type and authentication where asked. */
const holds = (now: EpsBearerSettings, asked: EpsBearerSettings): boolean =>
  now.apn === asked.apn && (now.user ?? '') === (asked.user ?? '') && (!asked.ipType || asked.ipType === now.ipType) && (!asked.auth || asked.auth === now.auth);

export class Radio extends EventEmitter<ModemRadioEvents> implements ModemRadio {
  readonly cache: RadioCache = {};
  private scanning: { promise: Promise<ScannedNetwork[]>; abort: AbortController } | undefined;
  /** Changes (settings, codes, slot, power, resets) one at a time: each reads back what it changed. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Logical channels opened through this modem; a reset closes them all. */
  private readonly channels = new Set<number>();
  private closed = false;

  constructor(private readonly host: RadioHost) {
    super();
  }

  private get driver(): RadioDriver {
    if (this.closed) throw new RadioError('aborted', 'the modem is no longer managed');
    const d = this.host.driver();
    if (!d) throw new RadioError('wrong-state', 'the modem is resetting; try again once it is back');
    return d;
  }

  /** Ends what the old control channel had: a running scan (aborted) and the logical channels. */
  lost(why: string): void {
    this.scanning?.abort.abort(new RadioError('aborted', `the scan was aborted: ${why}`));
    this.channels.clear();
  }

  close(): void {
    this.lost('the modem was removed');
    this.closed = true;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Keeps `value` as the last known `part`, saying so when it changed. */
  private keep<K extends keyof RadioCache>(key: K, value: RadioCache[K]): RadioCache[K] {
    const before = JSON.stringify(this.cache[key]);
    if (value === undefined) delete this.cache[key];
    else this.cache[key] = value;
    if (before !== JSON.stringify(value)) this.emit('changed', PART_OF[key]);
    return value;
  }

  private async reprobe(what: 'sim' | 'state'): Promise<void> {
    await this.host.reprobe(what).catch((e: Error) => this.host.log(`probing again: ${e.message}`));
  }

  scan(signal?: AbortSignal): Promise<ScannedNetwork[]> {
    const running = this.scanning?.promise ?? this.startScan();
    if (!signal) return running;
    // A caller giving up leaves the scan to the others.
    return new Promise((resolve, reject) => {
      const gaveUp = (): void => reject(new RadioError('aborted', 'the scan was abandoned'));
      if (signal.aborted) return gaveUp();
      signal.addEventListener('abort', gaveUp, { once: true });
      running.then(resolve, reject).finally(() => signal.removeEventListener('abort', gaveUp));
    });
  }

  private startScan(): Promise<ScannedNetwork[]> {
    const driver = this.driver;
    const abort = new AbortController();
    this.emit('scanProgress', { done: false, found: 0 });
    // The driver may not notice the abort: the scan ends for its callers either way.
    const aborted = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true }));
    const promise = Promise.race([driver.scan(abort.signal), aborted]).finally(() => {
      this.scanning = undefined;
    });
    promise.then(
      (found) => this.emit('scanProgress', { done: true, found: found.length }),
      () => this.emit('scanProgress', { done: true, found: 0 }),
    );
    this.scanning = { promise, abort };
    return promise;
  }

  register(target: RegisterTarget): Promise<void> {
    return this.exclusive(async () => {
      await this.driver.register(target);
      await this.reprobe('state');
    });
  }

  async modes(): Promise<RadioModes> {
    return this.keep('modes', await this.driver.modes())!;
  }

  setModes(modes: ModeSet): Promise<void> {
    return this.exclusive(async () => {
      const supported = (this.cache.modes ?? (await this.modes())).supported;
      const same = (a: ModeSet): boolean => a.allowed.length === modes.allowed.length && a.allowed.every((t) => modes.allowed.includes(t));
      if (supported.length > 0 && !supported.some(same)) {
        throw new RadioError('not-supported', `the modem does not support ${modes.allowed.join('+')}; it supports ${supported.map((s) => s.allowed.join('+')).join(', ')}`);
      }
      await this.driver.setModes(modes);
      await this.modes();
    });
  }

  async bands(): Promise<RadioBands> {
    return this.keep('bands', await this.driver.bands())!;
  }

  setBands(bands: RadioBand[]): Promise<void> {
    return this.exclusive(async () => {
      const supported = (this.cache.bands ?? (await this.bands())).supported;
      const missing = bands.filter((b) => !supported.some((s) => s.tech === b.tech && s.band === b.band));
      if (missing.length > 0) throw new RadioError('not-supported', `the modem does not support ${missing.map((b) => `${b.tech} band ${b.band}`).join(', ')}`);
      await this.driver.setBands(bands);
      await this.bands();
    });
  }

  cells(): Promise<CellInfo[]> {
    return this.driver.cells();
  }

  setSignalThresholds(t: SignalThresholds): Promise<void> {
    return this.exclusive(async () => {
      await this.driver.setSignalThresholds(t);
      this.emit('changed', 'thresholds');
    });
  }

  async retries(): Promise<LockRetries> {
    return this.keep('retries', await this.driver.retries())!;
  }

  /** Whether PIN1 is checked: the driver's answer, else what the SIM's state or our last change shows. */
  async pin1Enabled(): Promise<boolean | undefined> {
    const said = await this.driver.pin1Enabled?.();
    const status = this.host.sim()?.status;
    const known = said ?? (status === 'pin-required' || status === 'puk-required' ? true : this.cache.pin1Enabled);
    return this.keep('pin1Enabled', known);
  }

  async pin2Enabled(): Promise<boolean | undefined> {
    return this.keep('pin2Enabled', await this.driver.pin2Enabled?.());
  }

  enablePin(lock: SimLock, pin: string, enable: boolean): Promise<CodeResult> {
    return this.code(lock, pin, undefined, () => this.driver.enablePin(lock, pin, enable), () => {
      this.keep(lock === 'pin1' ? 'pin1Enabled' : 'pin2Enabled', enable);
    });
  }

  changePin(lock: SimLock, oldPin: string, newPin: string): Promise<CodeResult> {
    return this.code(lock, oldPin, newPin, () => this.driver.changePin(lock, oldPin, newPin));
  }

  async verifyPin2(pin2: string): Promise<CodeResult> {
    const d = this.driver;
    if (!d.verifyPin2) throw new RadioError('not-supported', 'this modem cannot verify PIN2');
    return this.code('pin2', pin2, undefined, () => d.verifyPin2!(pin2));
  }

  async unblockPin2(puk2: string, newPin2: string): Promise<CodeResult> {
    const d = this.driver;
    if (!d.unblockPin2) throw new RadioError('not-supported', 'this modem cannot unblock PIN2');
    return this.code('puk2', puk2, newPin2, () => d.unblockPin2!(puk2, newPin2));
  }

  /**
   * One code operation: sent once (never retried here), then the PIN guard learns what the SIM said
   * about PIN1 (a refused PIN, or the old PIN a change made wrong) and the SIM is probed again.
   */
  private code(lock: SimLock | 'puk2', code: string, newCode: string | undefined, send: () => Promise<CodeResult>, after?: () => void): Promise<CodeResult> {
    return this.exclusive(async () => {
      const sim = this.host.sim();
      if (lock === 'pin1' && sim && (sim.status === 'pin-required' || sim.status === 'puk-required')) {
        throw new RadioError('wrong-state', sim.status === 'puk-required' ? 'the SIM is blocked: unblock it with the PUK first' : 'the SIM is locked: enter the PIN first');
      }
      const r = await send();
      const guard = this.host.pinGuard;
      if (lock === 'pin1' && guard && sim) {
        for (const key of sim.keys) {
          // A refused PIN, or the old one a change made wrong, is never sent on its own again.
          if (!r.ok || newCode !== undefined) guard.refusedBy(key, code);
          // The SIM took this PIN: a refusal noted for it no longer holds.
          else if (guard.veto(key, code, undefined) !== undefined) guard.accepted(key);
        }
      }
      if (r.ok) after?.();
      this.host.log(`${lock === 'puk2' ? 'PUK2' : lock.toUpperCase()} ${r.ok ? 'accepted' : `refused; ${r.retries ?? 'unknown'} tries left`}`);
      await this.reprobe('state');
      await this.retries().catch(() => undefined);
      return r;
    });
  }

  async personalization(): Promise<PersonalizationLock[]> {
    const d = this.driver;
    if (!d.personalization) throw new RadioError('not-supported', 'this modem does not report its SIM locks');
    return this.keep('personalization', await d.personalization())!;
  }

  /** Sends the key once; then, as ModemManager, the locks are read again (a lock a success left enabled is a failure) and the SIM's state. */
  disablePersonalization(facility: PersonalizationFacility, key: string): Promise<PersonalizationResult> {
    return this.exclusive(async () => {
      const d = this.driver;
      if (!d.disablePersonalization) throw new RadioError('not-supported', 'this modem cannot disable SIM locks');
      const r = await d.disablePersonalization(facility, key);
      const left = !r.ok && r.refusal !== 'not-enabled' && r.retries !== undefined ? `; ${r.retries} tries left` : '';
      this.host.log(`${facility} lock ${r.ok ? 'disabled' : `kept: ${r.refusal}${left}`}`);
      const locks = await this.personalization();
      if (r.ok && locks.some((l) => l.facility === facility)) throw new RadioError('failed', `the ${facility} lock is still enabled after the modem accepted its key`);
      await this.reprobe('state');
      return r;
    });
  }

  async slots(): Promise<SimSlot[]> {
    return this.keep('slots', await this.driver.slots())!;
  }

  setPrimarySlot(slot: number): Promise<void> {
    return this.exclusive(async () => {
      const slots = await this.slots();
      const target = slots.find((s) => s.slot === slot);
      if (!target) throw new RadioError('no-such-slot', `the modem has no slot ${slot}; it has ${slots.map((s) => s.slot).join(', ') || 'none'}`);
      if (target.active) return;
      await this.driver.setPrimarySlot(slot);
      // The card changed under the channels and every SIM-derived value.
      this.channels.clear();
      await this.reprobe('sim');
      await this.slots();
      await Promise.allSettled([this.retries(), this.ownNumbers(), this.pin1Enabled()]);
    });
  }

  async openChannel(aid: Uint8Array): Promise<number> {
    if (aid.length < 1 || aid.length > 16) throw new RadioError('bad-apdu', `an AID is 1 to 16 bytes, not ${aid.length}`);
    const channel = await this.driver.openChannel(aid);
    this.channels.add(channel);
    return channel;
  }

  async transmitApdu(channel: number, apdu: Uint8Array): Promise<Uint8Array> {
    if (!this.channels.has(channel)) throw new RadioError('no-such-channel', `logical channel ${channel} is not open${this.channels.size ? ` (open: ${[...this.channels].join(', ')})` : ''}`);
    const problem = apduShapeError(apdu);
    if (problem) throw new RadioError('bad-apdu', problem);
    return this.driver.transmitApdu(channel, apdu);
  }

  async closeChannel(channel: number): Promise<void> {
    if (!this.channels.has(channel)) throw new RadioError('no-such-channel', `logical channel ${channel} is not open`);
    await this.driver.closeChannel(channel);
    this.channels.delete(channel);
  }

  eid(): Promise<string | undefined> {
    return this.driver.eid();
  }

  async ownNumbers(): Promise<string[]> {
    return this.keep('numbers', await this.driver.ownNumbers())!;
  }

  preferredNetworks(): Promise<PreferredNetwork[]> {
    return this.driver.preferredNetworks();
  }

  setPreferredNetworks(list: PreferredNetwork[]): Promise<void> {
    return this.driver.setPreferredNetworks(list);
  }

  async power(): Promise<PowerState> {
    return this.keep('power', await this.driver.power())!;
  }

  setPower(state: PowerState): Promise<void> {
    return this.exclusive(async () => {
      await this.driver.setPower(state);
      await this.reprobe('state');
      await this.power().catch(() => this.keep('power', state));
    });
  }

  /** A driver call the protocol may lack. */
  private optional<K extends 'carrierConfig' | 'initialEpsSettings' | 'setInitialEpsSettings' | 'initialEpsBearer' | 'packetService' | 'setPacketService' | 'nr5gRegistration' | 'setNr5gRegistration' | 'pco' | 'emergencyNumbers'>(name: K, what: string): NonNullable<RadioDriver[K]> {
    const d = this.driver;
    const fn = d[name];
    if (!fn) throw new RadioError('not-supported', `this modem has no ${what}`);
    return fn.bind(d) as NonNullable<RadioDriver[K]>;
  }

  /** The initial EPS bearer: its stored settings and what the modem attached with (absent while not attached to LTE). */
  async initialEps(): Promise<{ settings: EpsBearerSettings; bearer?: EpsBearerSettings }> {
    const settings = shown(await this.optional('initialEpsSettings', 'initial EPS bearer settings')());
    const bearer = await this.optional('initialEpsBearer', 'initial EPS bearer')();
    return this.keep('eps', { settings, ...(bearer ? { bearer: shown(bearer) } : {}) })!;
  }

  /** Stores new settings; they are read back, and settings the modem did not keep are an error (as ModemManager checks). */
  setInitialEps(settings: EpsBearerSettings): Promise<void> {
    return this.exclusive(async () => {
      const set = this.optional('setInitialEpsSettings', 'initial EPS bearer settings');
      const before = this.cache.eps?.settings ?? (await this.initialEps()).settings;
      if (holds(before, settings) && settings.password === undefined) return;
      await set(settings);
      // The modem may have cycled its radio to attach again.
      await this.reprobe('state');
      const after = await this.initialEps();
      if (!holds(after.settings, settings)) {
        throw new RadioError('failed', 'the initial EPS bearer settings were not updated');
      }
    });
  }

  async packetService(): Promise<PacketServiceState> {
    return this.keep('packet', await this.optional('packetService', 'packet service state')())!;
  }

  setPacketService(state: PacketServiceState): Promise<void> {
    return this.exclusive(async () => {
      await this.optional('setPacketService', 'packet service attach or detach')(state);
      await this.reprobe('state');
      await this.packetService();
    });
  }

  carrierConfig(): Promise<CarrierConfig> {
    return this.optional('carrierConfig', 'carrier configuration')();
  }

  async nr5gRegistration(): Promise<Nr5gRegistration> {
    return this.keep('nr5g', await this.optional('nr5gRegistration', '5G registration settings')())!;
  }

  /** As ModemManager: settings equal to the known ones are not sent; the stored ones are read back and must match. */
  setNr5gRegistration(settings: Nr5gRegistration): Promise<void> {
    return this.exclusive(async () => {
      const set = this.optional('setNr5gRegistration', '5G registration settings');
      const before = this.cache.nr5g ?? (await this.nr5gRegistration());
      if (sameNr5g(before, settings)) return;
      await set(settings);
      if (!sameNr5g(await this.nr5gRegistration(), settings)) throw new RadioError('failed', 'the 5G registration settings were not updated');
    });
  }

  pco(): Promise<PcoInfo[]> {
    return this.optional('pco', 'PCO')();
  }

  emergencyNumbers(): Promise<string[]> {
    return this.optional('emergencyNumbers', 'emergency numbers')();
  }

  reset(): Promise<void> {
    return this.exclusive(async () => {
      this.lost('the modem was reset');
      await this.driver.reset();
    });
  }

  factoryReset(code: string): Promise<void> {
    return this.exclusive(async () => {
      this.lost('the modem was reset to factory settings');
      await this.driver.factoryReset(code);
    });
  }
}
