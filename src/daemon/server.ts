/**
 * `wwan daemon`: holds the manager and serves the local API on a unix socket (mode 0660, nothing on
 * the network). A client that disconnects mid-request costs nothing: its answer is dropped.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { Manager, type NetdevFactory } from '../modem/manager.js';
import { planUnlink, runSteps, type KernelDevice, type StepRunner } from '../net/kernel.js';
import { SimControlWatcher } from './sim-control.js';
import { PinGuard } from '../modem/pin-guard.js';
import { claimSocketPath, SocketPathError } from '../transport/socket-path.js';
import { readStateFile, removeStateFile, writeStateFile } from './state-file.js';
import { Autoconnect, type LevelLog } from './autoconnect.js';
import { loadConfig } from './config.js';
import { Hotplug } from './hotplug.js';
import { ConfigError, ConnectError, type BearerRequest, type IpType, type AuthType, type Multiplex } from '../modem/types.js';
import { PROFILES, isProfileName } from '../sim/profiles.js';
import { Simulator } from '../sim/simulator.js';
import { SimulatorFleet } from '../sim/fleet.js';
import { describeQmux } from '../qmi/describe.js';
import { describeMbim } from '../mbim/describe.js';
import { CLIENT_BOUNDS, ClientConnection, emptyClientDrops, type ConnectionPool } from './connection.js';
import { bearerView, METHODS, modemInfo, modemSummary, type ErrorBody, type Request } from './protocol.js';
import { smsCall } from './sms.js';
import { DssTerminals } from './dss.js';

/** How the daemon runs: socket, netdevs, discovery, simulated modems, PIN, log. */
export interface DaemonOptions {
  socket: string;
  netdev: NetdevFactory;
  /** Add the real modems sysfs shows (with `sysfs` as its root). */
  discover?: boolean;
  sysfs?: string;
  /** The device folder watched for modems plugged in or out (default /dev). */
  dev?: string;
  /** The configuration file (config.ts): bearers kept up, PINs; re-read by reload(). */
  config?: string;
  /** Runs kernel datapath steps for real modems: for real, or printing them (dry run). */
  kernelSteps?: StepRunner;
  /** PIN1 for any modem whose SIM asks for one (from a file: never on a command line, never logged). */
  pin?: string;
  /** Where the daemon notes the kernel links it made, to clean them after a crash (default: beside the socket). */
  stateFile?: string;
  /** Simulated modems to add at start: `qmi-rmnet` or `qmi-rmnet:2`. */
  sims?: string[];
  /** Control sockets of `wwan sim` processes whose modems this daemon manages. */
  simControl?: string[];
  log?: (line: string, level?: Parameters<LevelLog>[0]) => void;
}

/** The service: a manager, the local API on a unix socket, and optionally simulated and discovered modems. */
export class Daemon {
  readonly manager: Manager;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly subscribers = new Set<ClientConnection>();
  private readonly tracers = new Set<ClientConnection>();
  /** Partial request bytes over all clients, and what the bounds dropped (see connection.ts). */
  private readonly pool: ConnectionPool = { partialBytes: 0, drops: emptyClientDrops() };
  private readonly eventListeners = new Set<(event: Record<string, unknown>) => void>();
  private readonly traceListeners = new Set<(event: Record<string, unknown>) => void>();
  private readonly sims: Simulator[] = [];
  private readonly simWatchers: SimControlWatcher[] = [];
  private readonly startedAt = Date.now();
  private readonly stateFile: string;
  private saveQueued = false;
  private readonly fleets: SimulatorFleet[] = [];
  private nextSim = 0;
  private readonly log: (line: string) => void;
  private autoconnect: Autoconnect | undefined;
  private hotplug: Hotplug | undefined;
  private readonly dss: DssTerminals;

  private constructor(private readonly options: DaemonOptions) {
    this.log = options.log ?? (() => undefined);
    this.manager = new Manager(options.netdev, options.kernelSteps, options.pin, new PinGuard(options.pin === undefined ? undefined : join(dirname(options.socket), 'wwand.pin-refused.json')));
    this.stateFile = options.stateFile ?? join(dirname(options.socket), 'wwand.state.json');
    this.manager.on('log', (l) => this.log(l));
    this.dss = new DssTerminals(this.manager, dirname(options.socket), (e) => this.publish(e));
    this.manager.on('state', (modem, state) => this.publish({ event: 'state', modem, state }));
    this.manager.on('bearer', (modem, b) => {
      this.publish({ event: 'bearer', modem, bearer: bearerView(b) });
      // Only kernel links are noted; a burst of bearer events makes one write.
      if (this.manager.specs.get(modem)?.kernel && !this.saveQueued) {
        this.saveQueued = true;
        setImmediate(() => {
          this.saveQueued = false;
          this.saveState();
        });
      }
    });
    this.manager.on('signal', (modem, signal) => this.publish({ event: 'signal', modem, signal }));
    this.manager.on('registration', (modem, registration) => this.publish({ event: 'registration', modem, registration }));
    this.manager.on('modemAdded', (modem) => this.publish({ event: 'modem-added', modem }));
    this.manager.on('sms', (modem, e) => this.publish({ event: 'sms', modem, ...e }));
    this.manager.on('modemRemoved', (modem) => this.publish({ event: 'modem-removed', modem }));
    this.manager.on('trace', (modem, protocol, direction, bytes) => {
      if (bytes.length === 0 || (this.tracers.size === 0 && this.traceListeners.size === 0)) return;
      const names = protocol === 'qmi' ? traceNamesQmi(bytes) : traceNamesMbim(bytes);
      const event = { event: 'trace', modem, protocol, direction, time: Date.now(), ...names, hex: Buffer.from(bytes).toString('hex') };
      for (const l of this.traceListeners) l(event);
      for (const c of this.tracers) c.event(event, 'traces');
    });
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(options);
    try {
      await d.listen();
      await d.cleanLeftovers();
      const levelLog: LevelLog = (level, line) => (options.log ?? (() => undefined))(line, level);
      if (options.config) d.autoconnect = new Autoconnect(d.manager, loadConfig(options.config), levelLog);
      if (options.discover) await (d.hotplug = new Hotplug(d.manager, { sysfs: options.sysfs, dev: options.dev, log: levelLog })).start();
      for (const s of options.sims ?? []) await d.addSim(s);
      for (const path of options.simControl ?? []) await d.watchSim(path);
    } catch (e) {
      await d.stop();
      throw e;
    }
    return d;
  }

  /** Manages the modems of a simulator in another process, following it as it goes and comes back. */
  private async watchSim(path: string): Promise<void> {
    // The first simulator's modems keep their names (modem0 …); later ones' get sim1. … before them.
    const w = new SimControlWatcher(this.manager, path, this.log, this.simWatchers.length === 0 ? '' : `sim${this.simWatchers.length}.`);
    this.simWatchers.push(w);
    await w.start();
  }

  /**
   * Starts `N` simulated modems of a profile (`profile[:N]`) and manages them: up to 64 in this
   * process, more in child processes (64 each: a SimulatorFleet), added 128 at a time.
   */
  async addSim(spec: string): Promise<string[]> {
    const [name, countText] = spec.split(':');
    if (!name || !isProfileName(name)) throw new ConfigError(`unknown simulator profile ${JSON.stringify(spec.slice(0, 64))}; choose one of ${Object.keys(PROFILES).join(', ')}`);
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > MAX_SIMS) throw new ConfigError(`a simulator count is 1 to ${MAX_SIMS}`);
    const profile = PROFILES[name];
    const seed = (this.sims.length + this.fleets.length) * 100 + 1;
    let modems: ReturnType<Simulator['ready']>['modems'];
    if (count <= 64) {
      const sim = await Simulator.start({ profile, modems: count, seed, log: (l) => this.log(`[sim] ${l}`) });
      this.sims.push(sim);
      modems = sim.ready().modems;
    } else {
      const fleet = await SimulatorFleet.start({ profile: name, modems: count, seed, log: (l) => this.log(l) });
      this.fleets.push(fleet);
      modems = fleet.modems;
    }
    // Names go on from the modems there are (`sim<N>`), skipping any taken.
    this.nextSim = Math.max(this.nextSim, this.manager.modems.size);
    const nextId = (): string => {
      while (this.manager.modems.has(`sim${this.nextSim}`)) this.nextSim++;
      return `sim${this.nextSim++}`;
    };
    const specs = modems.map((m) => ({ id: nextId(), control: profile.control, port: `unix:${m.ports[0]!.socket}`, dataPipe: m.data, pipe: profile.data === 'bam-dmux' ? ('bam-dmux' as const) : ('usb' as const) }));
    await inBatches(specs, 128, (s) => this.manager.add(s));
    return specs.map((s) => s.id);
  }

  /** The kernel links this daemon has made, noted so a later daemon can remove them after a crash. */
  private saveState(): void {
    const links = [...this.manager.modems.entries()].flatMap(([id, m]) => {
      const kernel = this.manager.specs.get(id)?.kernel;
      return kernel ? [...m.bearers.values()].filter((b) => b.netdev).map((b) => ({ modem: id, kernel, linkId: b.linkId, name: b.netdev!.name })) : [];
    });
    try {
      if (links.length === 0) removeStateFile(this.stateFile);
      else writeStateFile(this.stateFile, JSON.stringify({ pid: process.pid, links }));
    } catch (e) {
      this.log(`could not note state in ${this.stateFile}: ${(e as Error).message}`);
    }
  }

  /** Removes the kernel links a previous daemon left (it died without taking them down). */
  private async cleanLeftovers(): Promise<void> {
    let state: { links: { modem: string; kernel: KernelDevice; linkId: number; name: string }[] };
    try {
      const text = readStateFile(this.stateFile);
      if (text === undefined) return;
      state = JSON.parse(text) as typeof state;
      if (!Array.isArray(state.links)) throw new Error('no links');
    } catch (e) {
      this.log(`state file ${this.stateFile}: ${(e as Error).message}`);
      removeStateFile(this.stateFile);
      return;
    }
    for (const l of state.links) {
      if (!this.options.kernelSteps) break;
      await runSteps(planUnlink(l.kernel, l.linkId, l.name), this.options.kernelSteps).catch((e: Error) => this.log(`cleaning ${l.name}: ${e.message}`));
      this.log(`${l.modem}: removed link ${l.name} (link ${l.linkId}) left by a previous daemon`);
    }
    removeStateFile(this.stateFile);
  }

  private async listen(): Promise<void> {
    const path = this.options.socket;
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    await claimSocketPath(path).catch((e: unknown) => {
      throw e instanceof SocketPathError ? new ConfigError(e.reason === 'in-use' ? `another daemon is listening on ${path}` : e.message) : e;
    });
    this.server = net.createServer((sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(path, () => resolve());
    });
    chmodSync(path, 0o660);
  }

  private accept(sock: net.Socket): void {
    sock.on('error', () => undefined);
    if (this.sockets.size >= CLIENT_BOUNDS.clients) {
      this.pool.drops.refused++;
      // Closed outright once the refusal is out: a half-closed socket would hold server.close() until the client ends.
      sock.end(`${JSON.stringify({ id: null, error: { code: 'busy', message: `the daemon serves ${CLIENT_BOUNDS.clients} clients at most` } })}\n`, () => sock.destroy());
      return;
    }
    this.sockets.add(sock);
    const conn: ClientConnection = new ClientConnection(sock, this.pool, (line): Promise<void> => this.handle(conn, line));
    sock.once('close', () => {
      this.sockets.delete(sock);
      this.subscribers.delete(conn);
      this.tracers.delete(conn);
    });
  }

  private async handle(conn: ClientConnection, line: string): Promise<void> {
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
      if (typeof req !== 'object' || req === null || typeof req.id !== 'number' || !METHODS.includes(req.method)) throw new Error(`expected {"id": number, "method": one of ${METHODS.join('|')}}`);
    } catch (e) {
      conn.answer({ id: null, error: { code: 'bad-request', message: (e as Error).message } });
      return;
    }
    try {
      const result = await this.call(conn, req.method, req.params ?? {});
      conn.answer({ id: req.id, result });
    } catch (e) {
      conn.answer({ id: req.id, error: errorBody(e) });
    }
  }

  /**
   * Reads the configuration file again and applies it: bearers whose profile did not change stay up.
   * A file that cannot be used is refused with its line, and the last good configuration stays.
   */
  async reload(): Promise<{ config: string; kept: number; replaced: number }> {
    if (!this.options.config || !this.autoconnect) throw new ConfigError('this daemon was started without a configuration file (--config)');
    const r = await this.autoconnect.reload(loadConfig(this.options.config));
    this.log(`configuration ${this.options.config} reloaded: ${r.kept} bearer(s) kept, ${r.replaced} replaced`);
    return { config: this.options.config, ...r };
  }

  /**
   * The API for front-ends in this process (D-Bus, HTTP): the same methods and answers as the socket.
   * `subscribe`/`trace` are socket-only; use onEvent/onTrace instead.
   */
  request(method: Exclude<Request['method'], 'subscribe' | 'trace'>, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.call(undefined, method, params);
  }

  /** Every event the socket's subscribers get. Returns an unsubscribe. */
  onEvent(listener: (event: Record<string, unknown>) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Every trace event (control messages, secrets overwritten). Returns an unsubscribe. */
  onTrace(listener: (event: Record<string, unknown>) => void): () => void {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  }

  private async call(conn: ClientConnection | undefined, method: Request['method'], p: Record<string, unknown>): Promise<unknown> {
    const m = this.manager;
    switch (method) {
      case 'status':
        return { pid: process.pid, uptimeMs: Date.now() - this.startedAt, socket: this.options.socket, modems: m.modems.size, simulators: this.sims.length, clients: { connected: this.sockets.size, ...this.pool.drops }, memory: memoryView() };
      case 'list':
        return [...m.modems.values()].map(modemSummary);
      case 'info':
        return modemInfo(m.get(str(p, 'modem')));
      case 'connect': {
        const modem = m.get(str(p, 'modem'));
        const b = await modem.connect(bearerRequest(p));
        return bearerView(b);
      }
      case 'disconnect': {
        const modem = m.get(str(p, 'modem'));
        const ids = p.all === true ? [...modem.bearers.keys()] : [...modem.bearers.values()].filter((b) => b.linkId === num(p, 'linkId') || b.id === p.bearer).map((b) => b.id);
        if (ids.length === 0) throw new ConfigError(p.all === true ? 'no bearers to disconnect' : 'no bearer on that link id');
        for (const id of ids) await modem.disconnect(id);
        return { disconnected: ids.length };
      }
      case 'links':
        return [
          ...[...m.modems.values()].flatMap((modem) =>
            [...modem.bearers.values()]
              .filter((b) => b.netdev)
              .map((b) => ({ modem: modem.id, name: b.netdev!.name, linkId: b.linkId, framing: modem.datapath?.format.framing ?? 'kernel', backend: b.netdev!.kind, bearer: b.id, status: b.status, addresses: [b.connected?.ipv4, b.connected?.ipv6].filter(Boolean).map((a) => `${a!.address}/${a!.prefix}`), counters: b.netdev!.counters, kind: 'ip', ...modem.links.topology(b.linkId, 'ip') })),
          ),
          ...this.dss.linkRows(),
        ];
      case 'subscribe':
        if (conn) this.subscribers.add(conn);
        return { subscribed: true };
      case 'trace':
        if (conn) this.tracers.add(conn);
        return { tracing: true };
      case 'addSim':
        return { added: await this.addSim(str(p, 'profile')) };
      case 'unlock': {
        const pin = str(p, 'pin');
        // The message never repeats what was sent.
        if (!/^\d{4,8}$/.test(pin)) throw new ConfigError('a PIN is 4 to 8 digits');
        const puk = p.puk === undefined ? undefined : str(p, 'puk');
        if (puk !== undefined && !/^\d{8}$/.test(puk)) throw new ConfigError('a PUK is 8 digits');
        const r = await m.get(str(p, 'modem')).unlock(pin, puk);
        return { unlocked: r.unlocked, sim: r.sim, ...(r.retries !== undefined ? { retries: r.retries } : {}) };
      }
      case 'reload':
        return this.reload();
      case 'profiles':
        return this.autoconnect?.profiles(m.get(str(p, 'modem'))) ?? { config: null, autoconnect: false, pin: false, bearers: [] };
      case 'remove':
        await m.get(str(p, 'modem'));
        await m.remove(str(p, 'modem'));
        return { removed: true };
      case 'dssOpen':
      case 'dssClose':
        return this.dss.call(method, p);
      default:
        return smsCall(m, method, p);
    }
  }

  private publish(event: Record<string, unknown>): void {
    for (const l of this.eventListeners) l(event);
    for (const c of this.subscribers) c.event(event, 'events');
  }

  async stop(): Promise<void> {
    this.autoconnect?.stop();
    this.hotplug?.stop();
    for (const s of this.sockets) s.destroy();
    this.dss.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const w of this.simWatchers) await w.stop();
    await this.manager.close();
    for (const s of this.sims) await s.stop();
    for (const f of this.fleets) await f.stop();
  }
}

/** The process's memory in bytes: resident, the JS heap in use, and buffers outside it. */
function memoryView(): Record<string, number> {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

/** Simulated modems one daemon may start (beyond 64 they run in child processes). */
const MAX_SIMS = 4096;

/** Runs `fn` over `items`, at most `width` at a time; the first failure is thrown once all have settled. */
async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!).catch((e: unknown) => errors.push(e));
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** One line for people, and the service and message by name (for front-ends' filters). */
function traceNamesQmi(bytes: Uint8Array): { service: string; message: string; summary: string } {
  const d = describeQmux(bytes);
  const r = d.result ? ` ${d.result.status === 'success' ? 'ok' : d.result.errorName}` : '';
  const service = String(d.service?.name ?? d.service?.id ?? '?');
  const message = String(d.message?.name ?? d.message?.id ?? '?');
  return { service, message, summary: `${service} ${message} ${d.type ?? ''} cid ${d.clientId ?? '?'} txn ${d.transaction ?? '?'}${r}` };
}

function traceNamesMbim(bytes: Uint8Array): { service: string; message: string; summary: string } {
  const d = describeMbim(bytes, { redact: true }) as unknown as { type: string; service?: { name?: string }; cid?: { name?: string } | number; status?: { name: string }; transactionId?: number };
  const cid = typeof d.cid === 'object' ? d.cid.name : d.cid;
  const summary = `${d.type} ${d.service?.name ?? ''} ${cid ?? ''} txn ${d.transactionId ?? '?'}${d.status ? ` ${d.status.name}` : ''}`.replace(/ +/g, ' ');
  // Open/close and errors belong to no service: the message type stands in.
  return { service: d.service?.name ?? 'MBIM', message: String(cid ?? d.type), summary };
}

export function errorBody(e: unknown): ErrorBody {
  if (e instanceof ConfigError) return { code: e.message.startsWith('no modem') ? 'not-found' : 'config', message: e.message };
  if (e instanceof ConnectError) return { code: 'connect', message: e.message };
  return { code: 'internal', message: (e as Error).message };
}

function str(p: Record<string, unknown>, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ConfigError(`parameter ${key} must be a non-empty string`);
  return v;
}

function num(p: Record<string, unknown>, key: string): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new ConfigError(`parameter ${key} must be a whole number from 0 to 255`);
  return v;
}

function bearerRequest(p: Record<string, unknown>): BearerRequest {
  const apns = Array.isArray(p.apns) ? p.apns : [p.apn];
  if (!apns.every((a): a is string => typeof a === 'string')) throw new ConfigError('give the APN(s) as strings');
  const ipType = (p.ipType ?? 'ipv4') as IpType;
  if (!['ipv4', 'ipv6', 'ipv4v6'].includes(ipType)) throw new ConfigError('ipType is ipv4, ipv6 or ipv4v6');
  const auth = (p.auth ?? 'none') as AuthType;
  if (!['none', 'pap', 'chap', 'both'].includes(auth)) throw new ConfigError('auth is none, pap, chap or both');
  const multiplex = (p.multiplex ?? 'requested') as Multiplex;
  if (!['none', 'requested', 'required'].includes(multiplex)) throw new ConfigError('multiplex is none, requested or required');
  const linkId = num(p, 'linkId');
  return {
    apns,
    ipType,
    auth,
    multiplex,
    ...(typeof p.user === 'string' ? { user: p.user } : {}),
    ...(typeof p.password === 'string' ? { password: p.password } : {}),
    ...(linkId !== undefined ? { linkId } : {}),
  };
}
