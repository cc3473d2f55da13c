/**
 * `wwan daemon`: holds the manager and serves the local API on a unix socket (mode 0660, nothing on
 * the network). A client that disconnects mid-request costs nothing: its answer is dropped.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Manager, type NetdevFactory } from '../modem/manager.js';
import { planUnlink, runSteps, type KernelDevice, type StepRunner } from '../net/kernel.js';
import { discover } from './discover.js';
import { ConfigError, ConnectError, type BearerRequest, type IpType, type AuthType, type Multiplex } from '../modem/types.js';
import { PROFILES, isProfileName } from '../sim/profiles.js';
import { Simulator } from '../sim/simulator.js';
import { describeQmux } from '../qmi/describe.js';
import { describeMbim } from '../mbim/describe.js';
import { bearerView, MAX_LINE, METHODS, modemInfo, modemSummary, type ErrorBody, type Request } from './protocol.js';
import { smsCall } from './sms.js';

export interface DaemonOptions {
  socket: string;
  netdev: NetdevFactory;
  /** Add the real modems sysfs shows (with `sysfs` as its root). */
  discover?: boolean;
  sysfs?: string;
  /** Runs kernel datapath steps for real modems: for real, or printing them (dry run). */
  kernelSteps?: StepRunner;
  /** PIN1 for any modem whose SIM asks for one (from a file: never on a command line, never logged). */
  pin?: string;
  /** Where the daemon notes the kernel links it made, to clean them after a crash (default: beside the socket). */
  stateFile?: string;
  /** Simulated modems to add at start: `qmi-rmnet` or `qmi-rmnet:2`. */
  sims?: string[];
  log?: (line: string) => void;
}

export class Daemon {
  readonly manager: Manager;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly subscribers = new Set<net.Socket>();
  private readonly tracers = new Set<net.Socket>();
  private readonly eventListeners = new Set<(event: Record<string, unknown>) => void>();
  private readonly traceListeners = new Set<(event: Record<string, unknown>) => void>();
  private readonly sims: Simulator[] = [];
  private readonly startedAt = Date.now();
  private readonly stateFile: string;
  private readonly log: (line: string) => void;

  private constructor(private readonly options: DaemonOptions) {
    this.log = options.log ?? (() => undefined);
    this.manager = new Manager(options.netdev, options.kernelSteps, options.pin);
    this.stateFile = options.stateFile ?? join(dirname(options.socket), 'wwand.state.json');
    this.manager.on('log', (l) => this.log(l));
    this.manager.on('state', (modem, state) => this.publish({ event: 'state', modem, state }));
    this.manager.on('bearer', (modem, b) => {
      this.publish({ event: 'bearer', modem, bearer: bearerView(b) });
      this.saveState();
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
      for (const s of this.tracers) write(s, event);
    });
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(options);
    try {
      await d.listen();
      await d.cleanLeftovers();
      if (options.discover) await d.addDiscovered();
      for (const s of options.sims ?? []) await d.addSim(s);
    } catch (e) {
      await d.stop();
      throw e;
    }
    return d;
  }

  /** Starts `N` simulated modems of a profile (`profile[:N]`) and manages them. */
  async addSim(spec: string): Promise<string[]> {
    const [name, countText] = spec.split(':');
    if (!name || !isProfileName(name)) throw new ConfigError(`unknown simulator profile ${JSON.stringify(spec.slice(0, 64))}; choose one of ${Object.keys(PROFILES).join(', ')}`);
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new ConfigError('a simulator count is 1 to 64');
    const profile = PROFILES[name];
    const sim = await Simulator.start({ profile, modems: count, seed: this.sims.length * 100 + 1, log: (l) => this.log(`[sim] ${l}`) });
    this.sims.push(sim);
    const ids: string[] = [];
    for (const m of sim.modems) {
      const id = `sim${this.manager.modems.size}`;
      await this.manager.add({
        id,
        control: profile.control,
        port: `unix:${m.ports[0]!.socket}`,
        dataPipe: sim.ready().modems.find((x) => x.id === m.id)!.data,
        pipe: profile.data === 'bam-dmux' ? 'bam-dmux' : 'usb',
      });
      ids.push(id);
    }
    return ids;
  }

  private async addDiscovered(): Promise<void> {
    for (const spec of discover(this.options.sysfs)) {
      try {
        await this.manager.add(spec);
        this.log(`${spec.id}: ${spec.control.toUpperCase()} modem at ${spec.port}, data through ${spec.kernel.netdev} (${spec.kernel.driver})`);
      } catch (e) {
        this.log(`${spec.id}: not added: ${(e as Error).message}`);
      }
    }
  }

  /** The kernel links this daemon has made, noted so a later daemon can remove them after a crash. */
  private saveState(): void {
    const links = [...this.manager.modems.entries()].flatMap(([id, m]) => {
      const kernel = this.manager.specs.get(id)?.kernel;
      return kernel ? [...m.bearers.values()].filter((b) => b.netdev).map((b) => ({ modem: id, kernel, linkId: b.linkId, name: b.netdev!.name })) : [];
    });
    try {
      if (links.length === 0) rmSync(this.stateFile, { force: true });
      else writeFileSync(this.stateFile, JSON.stringify({ pid: process.pid, links }), { mode: 0o600 });
    } catch (e) {
      this.log(`could not note state in ${this.stateFile}: ${(e as Error).message}`);
    }
  }

  /** Removes the kernel links a previous daemon left (it died without taking them down). */
  private async cleanLeftovers(): Promise<void> {
    if (!existsSync(this.stateFile)) return;
    let state: { links: { modem: string; kernel: KernelDevice; linkId: number; name: string }[] };
    try {
      state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as typeof state;
    } catch {
      rmSync(this.stateFile, { force: true });
      return;
    }
    for (const l of state.links) {
      if (!this.options.kernelSteps) break;
      await runSteps(planUnlink(l.kernel, l.linkId, l.name), this.options.kernelSteps).catch((e: Error) => this.log(`cleaning ${l.name}: ${e.message}`));
      this.log(`${l.modem}: removed link ${l.name} (link ${l.linkId}) left by a previous daemon`);
    }
    rmSync(this.stateFile, { force: true });
  }

  private async listen(): Promise<void> {
    const path = this.options.socket;
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    if (existsSync(path)) {
      // A socket nobody answers on is left over from a daemon that died; one that answers is in use.
      const alive = await new Promise<boolean>((resolve) => {
        const s = net.connect(path, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (alive) throw new ConfigError(`another daemon is listening on ${path}`);
      rmSync(path, { force: true });
    }
    this.server = net.createServer((sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(path, () => resolve());
    });
    chmodSync(path, 0o660);
  }

  private accept(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('error', () => undefined);
    sock.once('close', () => {
      this.sockets.delete(sock);
      this.subscribers.delete(sock);
      this.tracers.delete(sock);
    });
    let pending = 0;
    sock.on('data', (c: Buffer) => {
      pending += c.length;
      if (pending > MAX_LINE) sock.destroy();
    });
    createInterface({ input: sock, crlfDelay: Infinity })
      // A vanished peer's socket error comes back through readline too; the socket's close handles it.
      .on('error', () => undefined)
      .on('line', (line) => {
      pending = 0;
      void this.handle(sock, line);
    });
  }

  private async handle(sock: net.Socket, line: string): Promise<void> {
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
      if (typeof req !== 'object' || req === null || typeof req.id !== 'number' || !METHODS.includes(req.method)) throw new Error(`expected {"id": number, "method": one of ${METHODS.join('|')}}`);
    } catch (e) {
      write(sock, { id: null, error: { code: 'bad-request', message: (e as Error).message } });
      return;
    }
    try {
      const result = await this.call(sock, req.method, req.params ?? {});
      write(sock, { id: req.id, result });
    } catch (e) {
      write(sock, { id: req.id, error: errorBody(e) });
    }
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

  private async call(sock: net.Socket | undefined, method: Request['method'], p: Record<string, unknown>): Promise<unknown> {
    const m = this.manager;
    switch (method) {
      case 'status':
        return { pid: process.pid, uptimeMs: Date.now() - this.startedAt, socket: this.options.socket, modems: m.modems.size, simulators: this.sims.length };
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
        return [...m.modems.values()].flatMap((modem) =>
          [...modem.bearers.values()]
            .filter((b) => b.netdev)
            .map((b) => ({ modem: modem.id, name: b.netdev!.name, linkId: b.linkId, framing: modem.datapath?.format.framing ?? 'kernel', backend: b.netdev!.kind, bearer: b.id, status: b.status, addresses: [b.connected?.ipv4, b.connected?.ipv6].filter(Boolean).map((a) => `${a!.address}/${a!.prefix}`), counters: b.netdev!.counters })),
        );
      case 'subscribe':
        if (sock) this.subscribers.add(sock);
        return { subscribed: true };
      case 'trace':
        if (sock) this.tracers.add(sock);
        return { tracing: true };
      case 'addSim':
        return { added: await this.addSim(str(p, 'profile')) };
      case 'remove':
        await m.get(str(p, 'modem'));
        await m.remove(str(p, 'modem'));
        return { removed: true };
      default:
        return smsCall(m, method, p);
    }
  }

  private publish(event: Record<string, unknown>): void {
    for (const l of this.eventListeners) l(event);
    for (const s of this.subscribers) write(s, event);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.manager.close();
    for (const s of this.sims) await s.stop();
  }
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

function write(sock: net.Socket, body: unknown): void {
  if (!sock.destroyed && sock.writable) sock.write(`${JSON.stringify(body)}\n`);
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
