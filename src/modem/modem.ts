/**
 * A managed modem: its control driver, its datapath, and its bearers. One connect sequence for every
 * backend: the driver sets up the data format once, each bearer gets a link id and a netdev, and a
 * bearer the network drops is redialled with backoff (ModemManager leaves that to its users).
 */
import { EventEmitter } from 'node:events';
import type { DatapathView, LinkBackend } from '../link/backend.js';
import type { DataPipe } from '../link/data-pipe.js';
import { UserspaceBackend } from '../link/userspace.js';
import { LinkStream } from '../link/stream.js';
import { MAX_LINK_ID } from '../mux/framing.js';
import type { Netdev, PacketNetdev } from '../net/netdev.js';
import type { PinGuard } from './pin-guard.js';
import type { ControlDriver, DataSetup, DriverSession, ProbeResult } from './driver.js';
import { Messaging } from './messaging.js';
import type { ModemRadioEvents } from './radio-driver.js';
import { Radio } from './radio.js';
import { checkApn, ConfigError, NotFoundError, ConnectError, type BearerRequest, type ConnectedBearer, type Registration, type SignalQuality } from './types.js';

/** Where a modem is in its life. */
export type ModemState = 'probing' | 'locked' | 'failed' | 'searching' | 'registered' | 'connected';

/** Where a bearer is in its life. */
export type BearerStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

/** A data connection of a modem: its request, status, link id, netdev and the addresses the network gave. */
export interface Bearer {
  readonly id: number;
  readonly request: BearerRequest;
  status: BearerStatus;
  linkId: number;
  netdev?: Netdev;
  connected?: ConnectedBearer;
  session?: DriverSession;
  error?: string;
  reconnects: number;
  /** How long the last successful connect took, from the first request to the link configured. */
  connectSeconds?: number;
}

/** A device service stream of a modem: a DSS session on its data pipe, read and written as bytes. */
export interface StreamLink {
  readonly session: number;
  /** The device service's UUID. */
  readonly service: string;
  /** Stable name from the modem's link names (the kernel's master netdev where it carries the data) and the session, e.g. `wwan0-dss0`. */
  readonly name: string;
  status: 'opening' | 'open' | 'closed';
  stream?: LinkStream;
  /** Why it closed, when its own side did not close it. */
  error?: string;
}

/** Events of one modem. */
export interface ModemEvents {
  state: [ModemState];
  bearer: [Bearer];
  /** A stream link opened or closed. */
  stream: [StreamLink];
  signal: [SignalQuality];
  registration: [Registration];
  log: [string];
  /** The control port stayed missing after a close: the modem is unplugged. */
  gone: [];
  /** Radio or SIM control changed (what), or scan progress. */
  radio: [RadioEvent];
}

/** A change of the radio side as the API's `radio` event shows it. */
export type RadioEvent = { what: ModemRadioEvents['changed'][0] } | { what: 'scan'; found: number; done: boolean };

/** How a modem makes its links and reopens its control port. */
export interface ModemOptions {
  /** Where links end: the kernel's devices, or (default) this process with `netdev` and `pipe`. */
  backend?: LinkBackend;
  /** Userspace backend: makes a netdev for a link (TUN, memory). */
  netdev?: (name: string, linkId: number) => Promise<PacketNetdev>;
  /** Userspace backend: opens the data pipe (the simulator's record socket). */
  pipe?: () => Promise<DataPipe>;
  /** PIN1 to unlock with; never logged. */
  pin?: string;
  /** Remembers PINs the SIM refused, so they are not sent again (across restarts with a file). */
  pinGuard?: PinGuard;
  /** Link names: `<prefix><linkId>`. */
  linkPrefix: string;
  /** Reconnect backoff: first delay and cap (ms). */
  backoffMs?: [number, number];
  /** Opens the control port again after it closed (a modem reset); the modem then restores its bearers. */
  reopen?: () => Promise<ControlDriver>;
  /** Packets a link paused by flow control may hold. */
  queueLimit?: number;
  /** How long the control port may be missing (no device, nobody listening) before the modem counts as gone. */
  goneAfterMs?: number;
  /**
   * How often connected bearers' calls are checked with the modem (default 10 s; 0 never): an
   * indication lost on the way must not leave a bearer "connected" with no call behind it.
   */
  monitorMs?: number;
}

/** The port is not there (unplugged, or its process died), as opposed to there but failing. */
const portGone = (e: unknown): boolean => /\b(ENOENT|ECONNREFUSED|ENODEV|ENXIO)\b/.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${(e as Error).message}`);

const MAX_BEARERS = 8;

/** One managed modem: its control driver, its datapath and its bearers, redialled when the network drops them. */
export class Modem extends EventEmitter<ModemEvents> {
  state: ModemState = 'probing';
  info: ProbeResult | undefined;
  readonly bearers = new Map<number, Bearer>();
  /** Open device service streams by DSS session id. */
  readonly streams = new Map<number, StreamLink>();
  /** Gives every link its netdev or stream. */
  readonly links: LinkBackend;
  /** Short messages (enabled once the SIM is ready). */
  readonly messaging = new Messaging();
  /** Radio, network and SIM control; undefined when the driver offers none. */
  readonly radio: Radio | undefined;
  private setup: DataSetup | undefined;
  private dataSetup: Promise<void> = Promise.resolve();
  private multiplexed = false;
  private nextBearer = 1;
  private closed = false;
  /** Set while the control port is being reopened: bearers are restored by recover(), not redial(). */
  private recovering = false;
  private readonly dialing = new Set<Bearer>();

  constructor(
    readonly id: string,
    public driver: ControlDriver,
    private readonly options: ModemOptions,
  ) {
    super();
    this.links =
      options.backend ??
      new UserspaceBackend({
        netdev: options.netdev ?? (async () => Promise.reject(new Error('no netdev factory given'))),
        ...(options.pipe ? { pipe: options.pipe } : {}),
        log: (l) => this.log(l),
        ...(options.queueLimit !== undefined ? { queueLimit: options.queueLimit } : {}),
      });
    this.radio = driver.radio ? this.makeRadio() : undefined;
    this.bind(driver);
    const every = options.monitorMs ?? 10_000;
    if (every > 0) this.monitor = setInterval(() => void this.checkSessions(), every).unref();
  }

  private monitor: NodeJS.Timeout | undefined;
  private checking = false;

  /** The radio over whichever driver is current; its changes and scan progress become `radio` events. */
  private makeRadio(): Radio {
    const radio = new Radio({
      driver: () => (this.recovering ? undefined : this.driver.radio),
      sim: () => (this.info ? { status: this.info.sim.status, keys: [...new Set([this.simKey(this.info), `imei:${this.info.identity.imei}`])] } : undefined),
      reprobe: async (what) => {
        if (this.recovering || this.closed) return;
        // A changed SIM is probed like a new one (configured PIN, messaging); a radio change needs only the state.
        if (what === 'sim') await this.probe();
        else {
          this.info = await this.driver.probe();
          this.updateState();
        }
      },
      ...(this.options.pinGuard ? { pinGuard: this.options.pinGuard } : {}),
      log: (l) => this.log(l),
    });
    radio.on('changed', (what) => this.emit('radio', { what }));
    radio.on('scanProgress', (p) => this.emit('radio', { what: 'scan', ...p }));
    return radio;
  }

  /** The key the PIN guard knows this SIM by: its ICCID, or the modem's IMEI when a locked SIM hides it. */
  private simKey(info: ProbeResult): string {
    return info.sim.iccid ?? `imei:${info.identity.imei}`;
  }

  /** The pipe's framing and links where this process carries the data (userspace backend). */
  get datapath(): DatapathView | undefined {
    return this.links.datapath;
  }

  /** Asks the modem about every connected bearer's call; one found down is redialled. */
  async checkSessions(): Promise<void> {
    if (this.checking || this.recovering || this.closed) return;
    this.checking = true;
    try {
      for (const b of [...this.bearers.values()]) {
        const session = b.session;
        if (b.status !== 'connected' || !session || this.dialing.has(b)) continue;
        if ((await this.driver.sessionAlive(session)) === false && b.session === session) this.lost(session.token, 'the modem reports the call down (its indication never came)');
      }
    } finally {
      this.checking = false;
    }
  }

  private bind(driver: ControlDriver): void {
    driver.on('closed', () => {
      if (this.driver !== driver) return;
      this.radio?.lost('the control port closed (a reset)');
      if (!this.closed && !this.recovering) void this.recover();
    });
    driver.on('sessionLost', (token, reason) => this.lost(token, reason));
    driver.on('signal', (s) => {
      if (this.info) this.info.signal = s;
      this.emit('signal', s);
    });
    driver.on('registration', (r) => {
      if (this.info) this.info.registration = r;
      this.emit('registration', r);
      this.updateState();
    });
  }

  /**
   * The control port went away (a modem reset): reopen it with backoff, probe again, renegotiate the
   * data format and redial every bearer on its link id.
   */
  private async recover(): Promise<void> {
    if (!this.options.reopen) {
      this.log('control port closed; nothing to reopen it with');
      return;
    }
    this.recovering = true;
    this.info = undefined;
    this.setup = undefined;
    // The modem forgot its DSS sessions: their readers get the end, nothing is reopened behind them.
    for (const session of [...this.streams.keys()]) void this.endStream(session, 'the modem reset (its control port closed)');
    for (const b of this.bearers.values()) {
      b.session = undefined;
      b.status = 'reconnecting';
      this.emit('bearer', b);
    }
    this.updateState();
    const [first, cap] = this.options.backoffMs ?? [500, 30_000];
    let goneSince: number | undefined;
    for (let attempt = 0; !this.closed; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(cap, first * 2 ** attempt)));
      if (this.closed) return;
      if (goneSince !== undefined && Date.now() - goneSince >= (this.options.goneAfterMs ?? 15_000)) {
        // Not a reset but an unplugged modem (or a simulator that died): the manager removes it.
        this.log('the control port is gone');
        this.recovering = false;
        this.emit('gone');
        return;
      }
      let driver: ControlDriver | undefined;
      try {
        driver = await this.options.reopen();
        this.driver = driver;
        this.bind(driver);
        await this.probe();
        break;
      } catch (e) {
        this.log(`reopening the control port: ${(e as Error).message}`);
        goneSince = portGone(e) ? (goneSince ?? Date.now()) : undefined;
        // A port opened but not probed is closed again, with whatever client ids it got.
        await driver?.close().catch(() => undefined);
      }
    }
    this.recovering = false;
    if (this.closed) return;
    this.log('control port reopened; restoring bearers');
    for (const b of [...this.bearers.values()]) {
      if (b.status === 'connected' || this.dialing.has(b)) continue;
      try {
        await this.ensureData(this.multiplexed || this.bearers.size > 1, false);
        b.reconnects++;
        await this.dial(b);
      } catch (e) {
        b.error = (e as Error).message;
        this.emit('bearer', b);
        void this.redial(b);
      }
    }
  }

  async probe(): Promise<ProbeResult> {
    this.info = await this.driver.probe();
    const pin = this.options.pin;
    if (this.info.sim.status === 'pin-required' && pin !== undefined) {
      const sim = this.simKey(this.info);
      const veto = this.options.pinGuard?.veto(sim, pin, this.info.sim.pinRetries);
      if (veto) this.log(`the configured PIN is not sent: ${veto}`);
      else {
        const r = await this.driver.unlockPin(pin);
        // Retries are shown; the PIN never is.
        this.log(r.unlocked ? 'SIM unlocked with the configured PIN' : `the configured PIN was refused; ${r.retries ?? 'unknown'} retries left; it will not be sent again`);
        if (r.unlocked) this.options.pinGuard?.accepted(sim);
        else if (this.options.pinGuard && !this.options.pinGuard.refusedBy(sim, pin)) this.log('could not write the refusal down: a restart would try this PIN once more');
        this.info = await this.driver.probe();
      }
    }
    this.updateState();
    const sms = this.driver.sms;
    // In the background: reading a full message store must not hold up the probe (or a connect after it).
    if (sms && this.info.sim.status === 'ready') void this.messaging.attach(sms).catch((e: Error) => this.log(`messaging: ${e.message}`));
    return this.info;
  }

  /**
   * Enters PIN1, or with `puk` unblocks PIN1 and sets `pin` as the new one (never logged): whether the
   * SIM took it, the retries left (PIN's, or PUK's), and the SIM's state after.
   */
  async unlock(pin: string, puk?: string): Promise<{ unlocked: boolean; retries?: number; sim: ProbeResult['sim']['status'] }> {
    if (!this.info) await this.probe();
    const waiting = puk === undefined ? 'pin-required' : 'puk-required';
    if (this.info!.sim.status !== waiting) throw new ConfigError(`the SIM of ${this.id} is ${this.info!.sim.status}, not waiting for a ${puk === undefined ? 'PIN' : 'PUK'}`);
    const sim = this.simKey(this.info!);
    const r = puk === undefined ? await this.driver.unlockPin(pin) : await this.driver.unblockPin(puk, pin);
    // The guard learns what the SIM said of this PIN, as it does for the configured one.
    if (puk === undefined && !r.unlocked) this.options.pinGuard?.refusedBy(sim, pin);
    else if (r.unlocked && this.options.pinGuard?.veto(sim, pin, undefined) !== undefined) this.options.pinGuard.accepted(sim);
    this.info = await this.driver.probe();
    this.updateState();
    void this.radio?.retries().catch(() => undefined);
    return { ...r, sim: this.info.sim.status };
  }

  /** Brings a bearer up: its APNs in order until one connects. */
  async connect(request: BearerRequest): Promise<Bearer> {
    if (request.apns.length === 0) throw new ConfigError('give at least one APN');
    for (const apn of request.apns) checkApn(apn);
    if (this.bearers.size >= MAX_BEARERS) throw new ConfigError(`at most ${MAX_BEARERS} bearers per modem`);
    if (!this.info) await this.probe();
    if (this.info!.sim.status !== 'ready') throw new ConnectError(`the SIM is ${this.info!.sim.status}${this.info!.sim.pinRetries !== undefined ? ` (${this.info!.sim.pinRetries} PIN retries left)` : ''}`, '');
    const multiplex = request.multiplex !== 'none' || this.bearers.size > 0;
    await this.ensureData(multiplex, request.multiplex === 'required');
    const linkId = this.pickLink(request.linkId);
    const bearer: Bearer = { id: this.nextBearer++, request, status: 'connecting', linkId, reconnects: 0 };
    this.bearers.set(bearer.id, bearer);
    this.emit('bearer', bearer);
    try {
      await this.dial(bearer);
    } catch (e) {
      this.bearers.delete(bearer.id);
      bearer.status = 'failed';
      bearer.error = (e as Error).message;
      this.emit('bearer', bearer);
      // The call may be up with no link to carry it (the netdev failed): it must not stay up on the modem.
      if (bearer.session) await this.driver.disconnect(bearer.session).catch((x: Error) => this.log(`disconnect: ${x.message}`));
      await this.teardownLink(bearer);
      throw e;
    }
    return bearer;
  }

  async disconnect(bearerId: number, opts: { timeoutMs?: number } = {}): Promise<void> {
    const b = this.bearers.get(bearerId);
    if (!b) throw new NotFoundError(`no bearer ${bearerId} on ${this.id}`);
    this.bearers.delete(bearerId);
    b.status = 'disconnected';
    if (b.session) await this.driver.disconnect(b.session, opts).catch((e: Error) => this.log(`disconnect: ${e.message}`));
    b.session = undefined;
    await this.teardownLink(b);
    this.emit('bearer', b);
    this.updateState();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.radio?.close();
    this.messaging.close();
    clearInterval(this.monitor);
    // A modem that stopped answering must not hold a shutdown: a second per answer; what is left
    // behind then, the next start's CTL Sync (or MBIM sweep) takes back.
    await Promise.all([...this.bearers.keys()].map((id) => this.disconnect(id, { timeoutMs: 1000 }).catch(() => undefined)));
    await Promise.all([...this.streams.keys()].map((session) => this.closeStream(session, { timeoutMs: 1000, reason: 'the modem was removed' }).catch(() => undefined)));
    await this.links.close().catch(() => undefined);
    await this.driver.close();
  }

  /**
   * Opens DSS session `session` on device service `service` (the modem's only stream service when
   * absent): DSS Connect, then its datagrams ride the data pipe as a stream link.
   */
  async openStream(session: number, service?: string): Promise<StreamLink> {
    if (!Number.isInteger(session) || session < 0 || session > MAX_LINK_ID) throw new ConfigError(`a DSS session id is 0..${MAX_LINK_ID}, not ${String(session).slice(0, 16)}`);
    const dss = this.driver.dss;
    if (!dss) throw new ConfigError(`${this.id} has no device service streams (DSS is MBIM's; this modem speaks ${this.driver.protocol.toUpperCase()})`);
    if (this.streams.has(session)) throw new ConfigError(`DSS session ${session} is already open on ${this.id}`);
    const link: StreamLink = { session, service: service?.toLowerCase() ?? '', name: `${this.options.linkPrefix.replace(/[.]$/, '')}-dss${session}`, status: 'opening' };
    // Taken before the first await: a second open of the same session is refused, not raced.
    this.streams.set(session, link);
    try {
      const offered = await dss.services();
      const uuids = offered.map((s) => s.uuid.toLowerCase());
      if (service === undefined) {
        if (uuids.length !== 1) throw new ConfigError(`give the device service: ${this.id} offers ${uuids.length === 0 ? 'no stream services' : uuids.join(', ')}`);
        (link as { service: string }).service = uuids[0]!;
      } else if (!uuids.includes(link.service)) {
        throw new ConfigError(`${this.id} offers no stream service ${JSON.stringify(service.slice(0, 64))}; it offers ${uuids.join(', ') || 'none'}`);
      }
      if (!this.info) await this.probe();
      await this.ensureData(this.multiplexed, false);
      const port = await this.links.attachStream(session);
      if (port.name) (link as { name: string }).name = port.name;
      try {
        await dss.connect(link.service, session);
      } catch (e) {
        await this.links.detachStream(session);
        throw e;
      }
      link.stream = new LinkStream(port);
      link.status = 'open';
    } catch (e) {
      this.streams.delete(session);
      throw e;
    }
    this.log(`DSS session ${session} open (${link.name})`);
    this.emit('stream', link);
    return link;
  }

  /** Closes a stream: DSS Connect deactivate, and its reader gets the end. */
  async closeStream(session: number, opts: { timeoutMs?: number; reason?: string } = {}): Promise<void> {
    const link = this.streams.get(session);
    if (!link || link.status !== 'open') throw new ConfigError(`no open DSS session ${session} on ${this.id}`);
    await this.driver.dss?.disconnect(link.service, session, opts).catch((e: Error) => this.log(`DSS session ${session}: ${e.message}`));
    await this.endStream(session, opts.reason);
  }

  /** The stream ends here without asking the modem (it is gone or forgot the session). */
  private async endStream(session: number, reason?: string): Promise<void> {
    const link = this.streams.get(session);
    if (!link) return;
    this.streams.delete(session);
    link.status = 'closed';
    if (reason) link.error = reason;
    link.stream?.end(reason);
    await this.links.detachStream(session);
    this.emit('stream', link);
  }

  /** One data-format negotiation at a time: links opened side by side share one pipe. */
  private ensureData(multiplex: boolean, required: boolean): Promise<void> {
    const next = this.dataSetup.then(() => this.negotiateData(multiplex, required));
    this.dataSetup = next.catch(() => undefined);
    return next;
  }

  private async negotiateData(multiplex: boolean, required: boolean): Promise<void> {
    if (this.setup && (this.multiplexed || !multiplex)) return;
    if (this.setup && multiplex && !this.multiplexed && this.bearers.size > 0) {
      throw new ConfigError('a bearer is up without multiplexing; disconnect it before adding another');
    }
    this.setup = await this.driver.setupData(multiplex);
    this.multiplexed = multiplex && this.setup.format.framing !== 'raw-ip';
    if (required && !this.multiplexed) throw new ConnectError('multiplexing is required but the modem did not agree to it', '');
    this.log(`data format: ${JSON.stringify(this.setup.format)}`);
    await this.links.setFormat(this.setup.format);
  }

  private pickLink(wanted: number | undefined): number {
    const used = new Set([...this.bearers.values()].map((b) => b.linkId));
    const ids = this.setup!.linkIds;
    if (wanted !== undefined) {
      if (!ids.includes(wanted)) throw new ConfigError(`link id ${wanted} is not available; this modem offers ${ids.join(', ')}`);
      if (used.has(wanted)) throw new ConfigError(`link id ${wanted} is in use`);
      return wanted;
    }
    const free = ids.find((i) => !used.has(i));
    if (free === undefined) throw new ConfigError('every link id is in use');
    return free;
  }

  private async dial(b: Bearer): Promise<void> {
    // One dial per bearer at a time: a redial and a recovery racing would start two sessions.
    if (this.dialing.has(b)) throw new ConnectError('a connect for this bearer is already in progress', b.request.apns[0]!);
    this.dialing.add(b);
    try {
      await this.dialOnce(b);
    } finally {
      this.dialing.delete(b);
    }
  }

  private async dialOnce(b: Bearer): Promise<void> {
    const started = performance.now();
    const errors: string[] = [];
    for (const apn of b.request.apns) {
      try {
        b.session = await this.driver.connect({ apn, ipType: b.request.ipType, auth: b.request.auth ?? 'none', user: b.request.user, password: b.request.password, linkId: b.linkId });
        break;
      } catch (e) {
        errors.push((e as Error).message);
        this.log(`bearer ${b.id}: ${(e as Error).message}`);
      }
    }
    if (!b.session) throw new ConnectError(errors.join('; '), b.request.apns.at(-1)!);
    b.connected = { apn: b.session.apn, linkId: b.linkId, ...(b.session.ipv4 ? { ipv4: b.session.ipv4 } : {}), ...(b.session.ipv6 ? { ipv6: b.session.ipv6 } : {}) };
    b.netdev = await this.links.attach(b.linkId, { name: `${this.options.linkPrefix}${b.linkId}`, ...(this.setup?.downlinkMaxSize ? { downlinkMaxSize: this.setup.downlinkMaxSize } : {}) });
    await b.netdev.configure({ ipv4: b.connected.ipv4, ipv6: b.connected.ipv6, mtu: b.connected.ipv4?.mtu ?? b.connected.ipv6?.mtu });
    b.status = 'connected';
    b.error = undefined;
    b.connectSeconds = (performance.now() - started) / 1000;
    this.emit('bearer', b);
    this.updateState();
  }

  private async teardownLink(b: Bearer): Promise<void> {
    if (!b.netdev) return;
    await this.links.detach(b.linkId);
    b.netdev = undefined;
  }

  /** The network dropped a session: redial with backoff until it is back or the bearer is removed. */
  private lost(token: unknown, reason: string): void {
    const b = [...this.bearers.values()].find((x) => x.session?.token === token);
    if (!b || this.closed) return;
    b.session = undefined;
    b.status = 'reconnecting';
    b.error = reason;
    this.emit('bearer', b);
    this.updateState();
    void this.redial(b);
  }

  private async redial(b: Bearer): Promise<void> {
    const [first, cap] = this.options.backoffMs ?? [500, 30_000];
    for (let attempt = 0; this.bearers.get(b.id) === b && !this.closed; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(cap, first * 2 ** attempt)));
      if (this.bearers.get(b.id) !== b || this.closed || b.status === 'connected') return;
      if (this.recovering || this.dialing.has(b)) continue;
      try {
        b.reconnects++;
        await this.dial(b);
        this.log(`bearer ${b.id} reconnected on link ${b.linkId}`);
        return;
      } catch (e) {
        b.error = (e as Error).message;
        this.emit('bearer', b);
      }
    }
  }

  private updateState(): void {
    const next: ModemState = !this.info
      ? 'probing'
      : this.info.sim.status === 'pin-required' || this.info.sim.status === 'puk-required'
        ? 'locked'
        : this.info.sim.status !== 'ready'
          ? 'failed'
          : [...this.bearers.values()].some((b) => b.status === 'connected')
            ? 'connected'
            : this.info.registration.state === 'home' || this.info.registration.state === 'roaming'
              ? 'registered'
              : 'searching';
    if (next !== this.state) {
      this.state = next;
      this.emit('state', next);
    }
  }

  private log(line: string): void {
    this.emit('log', `${this.id}: ${line}`);
  }
}
