/**
 * Keeps the configured bearers up: on every modem the configuration matches (autoconnect on), once its
 * SIM is ready and it is registered, each bearer profile is connected, and connected again whenever
 * its bearer fails or goes away. A new configuration replaces only the bearers whose profile changed.
 */
import type { Manager } from '../modem/manager.js';
import type { Modem } from '../modem/modem.js';
import type { BearerRequest } from '../modem/types.js';
import { configFor, type ModemConfig, type WwanConfig } from './config.js';

/** A log line with its level. */
export type LevelLog = (level: 'debug' | 'info' | 'warn' | 'error', line: string) => void;

/** The daemon's `profiles` answer. */
export interface ConfiguredProfiles {
  config: string | null;
  autoconnect: boolean;
  /** Whether a PIN file applies (never the PIN). */
  pin: boolean;
  /** Each configured bearer, and the id of the bearer keeping it up (null while it is not). */
  bearers: (Omit<BearerRequest, 'password'> & { bearer: number | null })[];
}

const RETRY_MS: [number, number] = [2_000, 60_000];

interface Tracked {
  /** Profile key → the bearer id keeping it up. */
  bearers: Map<string, number>;
  /** The PIN last tried on this modem: a refused PIN is not tried again (it would use up retries). */
  pinTried?: string;
  busy: boolean;
  again: boolean;
  retry?: NodeJS.Timeout;
  failures: number;
}

export class Autoconnect {
  private readonly tracked = new Map<string, Tracked>();
  private stopped = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly manager: Manager,
    private config: WwanConfig,
    private readonly log: LevelLog,
  ) {
    const on = <E extends 'modemAdded' | 'state' | 'bearer' | 'modemRemoved'>(event: E, f: (id: string) => void): void => {
      const listener = (id: string): void => f(id);
      manager.on(event, listener as never);
      this.unsubscribe.push(() => manager.off(event, listener as never));
    };
    on('modemAdded', (id) => this.ensure(id));
    on('state', (id) => this.ensure(id));
    on('bearer', (id) => this.ensure(id));
    on('modemRemoved', (id) => this.forget(id));
    for (const id of manager.modems.keys()) this.ensure(id);
  }

  /** Applies a new configuration: bearers whose profile is gone or changed come down, new ones go up. */
  async reload(config: WwanConfig): Promise<{ kept: number; replaced: number }> {
    this.config = config;
    let kept = 0;
    let replaced = 0;
    for (const [id, t] of this.tracked) {
      const modem = this.manager.modems.get(id);
      const wanted = new Set(modem ? (this.configOf(modem)?.bearers ?? []).map((b) => b.key) : []);
      for (const [key, bearerId] of t.bearers) {
        if (wanted.has(key)) {
          kept++;
          continue;
        }
        t.bearers.delete(key);
        replaced++;
        if (modem?.bearers.has(bearerId)) await modem.disconnect(bearerId).catch((e: Error) => this.log('warn', `${id}: taking down bearer ${bearerId}: ${e.message}`));
      }
    }
    for (const id of this.manager.modems.keys()) this.ensure(id);
    return { kept, replaced };
  }

  /** What the configuration says for a modem (no secrets), and whether each configured bearer is up. */
  profiles(modem: Modem): ConfiguredProfiles {
    const config = this.configOf(modem);
    const tracked = this.tracked.get(modem.id)?.bearers;
    return {
      config: this.config.path,
      autoconnect: config?.autoconnect ?? false,
      pin: config?.pin !== undefined,
      bearers: (config?.bearers ?? []).map((b) => {
        const { password: _secret, ...request } = b.request;
        const id = tracked?.get(b.key);
        return { ...request, bearer: id !== undefined && modem.bearers.get(id)?.status === 'connected' ? id : null };
      }),
    };
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    for (const t of this.tracked.values()) clearTimeout(t.retry);
    this.tracked.clear();
  }

  private configOf(modem: Modem): ModemConfig | undefined {
    const info = modem.info;
    return configFor(this.config, { ...(info?.identity.imei ? { imei: info.identity.imei } : {}), ...(info?.sim.iccid ? { iccid: info.sim.iccid } : {}) });
  }

  private forget(id: string): void {
    clearTimeout(this.tracked.get(id)?.retry);
    this.tracked.delete(id);
  }

  /** Brings the modem's configured bearers up; one pass at a time per modem, another after if asked meanwhile. */
  private ensure(id: string): void {
    if (this.stopped) return;
    let t = this.tracked.get(id);
    if (!t) this.tracked.set(id, (t = { bearers: new Map(), busy: false, again: false, failures: 0 }));
    if (t.busy) {
      t.again = true;
      return;
    }
    t.busy = true;
    void this.pass(id, t).finally(() => {
      t.busy = false;
      if (t.again && !this.stopped && this.tracked.get(id) === t) {
        t.again = false;
        this.ensure(id);
      }
    });
  }

  private async pass(id: string, t: Tracked): Promise<void> {
    const modem = this.manager.modems.get(id);
    if (!modem) return;
    const config = this.configOf(modem);
    if (!config) return;
    if (modem.state === 'locked' && config.pin !== undefined && t.pinTried !== config.pin && modem.info?.sim.status === 'pin-required') {
      t.pinTried = config.pin;
      const r = await modem.unlock(config.pin).catch((e: Error) => ({ unlocked: false, retries: undefined, error: e.message }));
      // Retries are shown; the PIN never is.
      this.log(r.unlocked ? 'info' : 'error', `${id}: ${r.unlocked ? 'SIM unlocked with the configured PIN' : `the configured PIN was refused; ${r.retries ?? 'unknown'} retries left (not tried again until the configuration changes)`}`);
    }
    if (!config.autoconnect || (modem.state !== 'registered' && modem.state !== 'connected')) return;
    let failed = false;
    for (const profile of config.bearers) {
      const bearerId = t.bearers.get(profile.key);
      const bearer = bearerId === undefined ? undefined : modem.bearers.get(bearerId);
      if (bearer && bearer.status !== 'failed' && bearer.status !== 'disconnected') continue;
      try {
        const b = await modem.connect(profile.request);
        t.bearers.set(profile.key, b.id);
        t.failures = 0;
        this.log('info', `${id}: bearer ${b.id} up on link ${b.linkId} (APN ${b.connected?.apn ?? '?'}) from the configuration`);
      } catch (e) {
        failed = true;
        this.log('warn', `${id}: configured bearer (APNs ${profile.request.apns.join(', ')}) not up: ${(e as Error).message}`);
      }
    }
    if (failed && !this.stopped) {
      clearTimeout(t.retry);
      const delay = Math.min(RETRY_MS[1], RETRY_MS[0] * 2 ** t.failures++);
      t.retry = setTimeout(() => this.ensure(id), delay);
    }
  }
}
