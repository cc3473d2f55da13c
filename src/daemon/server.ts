/**
 * `wwan daemon`: holds the manager and serves the local API on a unix socket (mode 0660, nothing on
 * the network). A client that disconnects mid-request costs nothing: its answer is dropped.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { Manager, type ModemSpec, type NetdevFactory } from '../modem/manager.js';
import { planUnlink, runSteps, type KernelDevice, type StepRunner } from '../net/kernel.js';
import { SimControlWatcher } from './sim-control.js';
import { PinGuard } from '../modem/pin-guard.js';
import { claimSocketPath, SocketPathError } from '../transport/socket-path.js';
import { readStateFile, removeStateFile, writeStateFile } from './state-file.js';
import { Autoconnect, type LevelLog } from './autoconnect.js';
import { loadConfig } from './config.js';
import { Hotplug } from './hotplug.js';
import { DaemonMetrics } from './metrics.js';
import { ConfigError, NotFoundError, type BearerRequest } from '../modem/types.js';
import { describeQmux } from '../qmi/describe.js';
import { describeMbim } from '../mbim/describe.js';
import { CLIENT_BOUNDS, ClientConnection, emptyClientDrops, type ConnectionPool } from './connection.js';
import { checkParams, errorBody, METHODS, type ApiEvent, type LocalMethod, type Method, type Params, type Result } from './api.js';
import { errorMessage, errorOf, eventMessage, ParamsError, parseRequest, resultMessage, type Caller, type Handlers } from './protocol.js';
import { bearerView, linkViews, modemInfo, modemSummary } from './views.js';
import { smsHandlers } from './sms.js';
import { radioHandlers } from './radio.js';
import { DssTerminals } from './dss.js';

/** How the daemon runs: socket, netdevs, discovery, simulated modems, PIN, log. */
export interface DaemonOptions {
  socket: string;
  netdev: NetdevFactory;
  /** Simulated modems' links are TUN devices whose packets move on a datapath thread (the netdev factory is not used for them). */
  datapathThread?: boolean;
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
  /** Collect Prometheus metrics (`daemon.metrics`) from the start, so the first modems' probes count too. */
  metrics?: boolean;
  /** Control sockets of `wwan sim` processes whose modems this daemon manages. */
  simControl?: string[];
  log?: (line: string, level?: Parameters<LevelLog>[0]) => void;
}

/** The service: a manager and the local API on a unix socket; modems discovered, watched, or added through the API. */
export class Daemon {
  readonly manager: Manager;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly subscribers = new Set<ClientConnection>();
  private readonly tracers = new Set<ClientConnection>();
  /** Partial request bytes over all clients, and what the bounds dropped (see connection.ts). */
  private readonly pool: ConnectionPool = { partialBytes: 0, drops: emptyClientDrops() };
  private readonly eventListeners = new Set<(event: ApiEvent) => void>();
  private readonly traceListeners = new Set<(event: ApiEvent<'trace'>) => void>();
  /**
   * Listens to the manager's control messages only while someone traces: the manager redacts each
   * message for a listener, which a fleet would otherwise pay for every message nobody reads.
   */
  private readonly traceTap = (modem: string, protocol: 'qmi' | 'mbim', direction: 'tx' | 'rx', bytes: Uint8Array): void => {
    if (bytes.length === 0) return;
    const names = protocol === 'qmi' ? traceNamesQmi(bytes) : traceNamesMbim(bytes);
    const event: ApiEvent<'trace'> = { event: 'trace', modem, protocol, direction, time: Date.now(), ...names, hex: Buffer.from(bytes).toString('hex') };
    for (const l of this.traceListeners) l(event);
    if (this.tracers.size > 0) {
      const message = eventMessage(event);
      for (const c of this.tracers) c.event(message, 'traces');
    }
  };
  private readonly handlers: Handlers;
  /** Modems let go by `inhibit`, by port, to add back on `uninhibit`. */
  private readonly inhibited = new Map<string, ModemSpec>();
  /** With the `metrics` option: what /metrics serves. */
  readonly metrics: DaemonMetrics | undefined;
  private readonly simWatchers: SimControlWatcher[] = [];
  private readonly startedAt = Date.now();
  private readonly stateFile: string;
  private saveQueued = false;
  private readonly log: (line: string) => void;
  private autoconnect: Autoconnect | undefined;
  private hotplug: Hotplug | undefined;
  private readonly dss: DssTerminals;

  private constructor(private readonly options: DaemonOptions) {
    this.log = options.log ?? (() => undefined);
    this.manager = new Manager(options.netdev, options.kernelSteps, options.pin, new PinGuard(options.pin === undefined ? undefined : join(dirname(options.socket), 'wwand.pin-refused.json')), options.datapathThread);
    this.stateFile = options.stateFile ?? join(dirname(options.socket), 'wwand.state.json');
    if (options.metrics) this.metrics = new DaemonMetrics(this.manager);
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
    this.manager.on('radio', (modem, e) => this.publish({ event: 'radio', modem, ...e }));
    this.manager.on('modemRemoved', (modem) => this.publish({ event: 'modem-removed', modem }));
    this.handlers = this.methodHandlers();
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(options);
    try {
      await d.listen();
      await d.cleanLeftovers();
      const levelLog: LevelLog = (level, line) => (options.log ?? (() => undefined))(line, level);
      if (options.config) d.autoconnect = new Autoconnect(d.manager, loadConfig(options.config), levelLog);
      if (options.discover) await (d.hotplug = new Hotplug(d.manager, { sysfs: options.sysfs, dev: options.dev, log: levelLog })).start();
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
      sock.end(`${JSON.stringify(errorMessage(null, errorBody('busy', `the daemon serves ${CLIENT_BOUNDS.clients} clients at most`)))}\n`, () => sock.destroy());
      return;
    }
    this.sockets.add(sock);
    const conn: ClientConnection = new ClientConnection(sock, this.pool, (line): Promise<void> => this.handle(conn, line));
    sock.once('close', () => {
      this.sockets.delete(sock);
      this.subscribers.delete(conn);
      this.tracers.delete(conn);
      this.tapTraces();
    });
  }

  private async handle(conn: ClientConnection, line: string): Promise<void> {
    const parsed = parseRequest(line, (m) => METHODS[m].access !== 'process');
    if ('error' in parsed) return conn.answer(errorMessage(parsed.id, parsed.error));
    const { id, method, params } = parsed.request;
    const caller: Caller = {
      stream: (kind) => {
        (kind === 'events' ? this.subscribers : this.tracers).add(conn);
        this.tapTraces();
      },
    };
    const answer = await this.run(method, params, caller).then(
      (result) => resultMessage(id ?? null!, result),
      (e: unknown) => errorMessage(id ?? null, errorOf(e)),
    );
    // A notification (no id) gets no answer.
    if (id !== undefined) conn.answer(answer);
  }

  private run<M extends Method>(method: M, params: Params<M>, caller: Caller): Promise<Result<M>> {
    const handler = this.handlers[method] as (p: Params<M>, c: Caller) => Promise<Result<M>> | Result<M>;
    return Promise.resolve().then(() => handler(params, caller));
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
   * The API for front-ends in this process (D-Bus, HTTP, MQTT, the CLI's simulator host): the same
   * methods, checks and answers as the socket. The streaming methods are the socket's; use onEvent/onTrace.
   * Refusals throw the declared error types (errorOf gives their code); bad params throw ParamsError.
   */
  request<M extends LocalMethod>(method: M, params: Params<M> = {} as Params<M>): Promise<Result<M>> {
    const problem = checkParams(method, params);
    if (problem) return Promise.reject(new ParamsError(problem));
    return this.run(method, params, {});
  }

  /** Every event the socket's subscribers get. Returns an unsubscribe. */
  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Every trace event (control messages, secrets overwritten). Returns an unsubscribe. */
  onTrace(listener: (event: ApiEvent<'trace'>) => void): () => void {
    this.traceListeners.add(listener);
    this.tapTraces();
    return () => {
      this.traceListeners.delete(listener);
      this.tapTraces();
    };
  }

  private tapTraces(): void {
    const want = this.tracers.size > 0 || this.traceListeners.size > 0;
    const tapped = this.manager.listeners('trace').includes(this.traceTap);
    if (want && !tapped) this.manager.on('trace', this.traceTap);
    else if (!want && tapped) this.manager.off('trace', this.traceTap);
  }

  /** One handler per method of the contract (api.ts); a method missing here does not compile. */
  private methodHandlers(): Handlers {
    const m = this.manager;
    return {
      status: () => ({ pid: process.pid, uptimeMs: Date.now() - this.startedAt, socket: this.options.socket, modemCount: m.modems.size, clients: { connected: this.sockets.size, ...this.pool.drops }, memory: memoryView() }),
      list: () => [...m.modems.values()].map(modemSummary),
      info: ({ modem }) => modemInfo(m.get(modem), m.specs.get(modem)!),
      connect: async (p) => bearerView(await m.get(p.modem).connect(bearerRequest(p))),
      disconnect: async ({ modem: id, linkId, bearer, all }) => {
        const modem = m.get(id);
        if (all !== true && linkId === undefined && bearer === undefined) throw new ParamsError('give linkId, bearer or all');
        const ids = [...modem.bearers.values()].filter((b) => all === true || b.linkId === linkId || b.id === bearer).map((b) => b.id);
        if (ids.length === 0) throw new NotFoundError(all === true ? 'no bearers to disconnect' : linkId !== undefined ? `no bearer on link ${linkId}` : `no bearer ${bearer}`);
        for (const b of ids) await modem.disconnect(b);
        return { disconnected: ids.length };
      },
      links: () => [...[...m.modems.values()].flatMap(linkViews), ...this.dss.linkRows()],
      dssOpen: ({ modem, session, service }) => this.dss.open(modem, session, service),
      dssClose: async ({ modem, session }) => {
        await this.dss.close(modem, session);
        return { closed: true as const };
      },
      subscribe: (_p, caller) => {
        caller.stream?.('events');
        return { subscribed: true as const };
      },
      trace: (_p, caller) => {
        caller.stream?.('traces');
        return { tracing: true as const };
      },
      add: async ({ id, control, port, dataPipe, pipe }) => {
        await m.add({ id, control, port, ...(dataPipe !== undefined ? { dataPipe } : {}), ...(pipe !== undefined ? { pipe } : {}) });
        return { added: id };
      },
      unlock: async ({ modem, pin, puk }) => {
        const r = await m.get(modem).unlock(pin, puk);
        return { unlocked: r.unlocked, sim: r.sim, ...(r.retries !== undefined ? { retries: r.retries } : {}) };
      },
      reload: () => this.reload(),
      profiles: ({ modem }) => this.autoconnect?.profiles(m.get(modem)) ?? { config: null, autoconnect: false, pin: false, bearers: [] },
      remove: async ({ modem }) => {
        m.get(modem);
        await m.remove(modem);
        return { removed: true as const };
      },
      inhibit: async ({ modem }) => {
        m.get(modem);
        const spec = m.specs.get(modem)!;
        this.inhibited.set(spec.port, spec);
        await m.remove(modem);
        return { port: spec.port };
      },
      uninhibit: async ({ port }) => {
        const spec = this.inhibited.get(port);
        if (!spec) throw new NotFoundError(`no inhibited modem at ${JSON.stringify(port.slice(0, 256))}`);
        this.inhibited.delete(port);
        await m.add(spec);
        return { added: spec.id };
      },
      ...smsHandlers(m),
      ...radioHandlers(m),
    };
  }

  private publish(event: ApiEvent): void {
    for (const l of this.eventListeners) l(event);
    if (this.subscribers.size === 0) return;
    const message = eventMessage(event);
    for (const c of this.subscribers) c.event(message, 'events');
  }

  async stop(): Promise<void> {
    this.autoconnect?.stop();
    this.hotplug?.stop();
    for (const s of this.sockets) s.destroy();
    this.dss.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const w of this.simWatchers) await w.stop();
    await this.manager.close();
    this.metrics?.close();
  }
}

/** The process's memory in bytes: resident, the JS heap in use, and buffers outside it. */
function memoryView(): Result<'status'>['memory'] {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
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

/** A bearer request from checked `connect` params: `apn` or `apns`, the rest defaulted. */
function bearerRequest(p: Params<'connect'>): BearerRequest {
  if ((p.apn === undefined) === (p.apns === undefined)) throw new ParamsError('give apn or apns');
  return {
    apns: p.apns ?? [p.apn!],
    ipType: p.ipType ?? 'ipv4',
    auth: p.auth ?? 'none',
    multiplex: p.multiplex ?? 'requested',
    ...(p.user !== undefined ? { user: p.user } : {}),
    ...(p.password !== undefined ? { password: p.password } : {}),
    ...(p.linkId !== undefined ? { linkId: p.linkId } : {}),
  };
}
