/**
 * All the modems the daemon manages: each added from its control port (a character device, a unix
 * socket, a proxy) and its data pipe, probed, and kept. Events from every modem are fanned out here.
 */
import { EventEmitter } from 'node:events';
import { QmiDevice } from '../qmi/client.js';
import { qmuxPort, type QmuxPort } from '../qmi/port.js';
import { openQrtrQmuxPort, parseQrtrPath } from '../transport/qrtr-qmux.js';
import { openCharDevice } from '../transport/chardev.js';
import { connectUnix } from '../transport/unix.js';
import type { Transport } from '../transport/types.js';
import { connectRecordPipe } from '../link/data-pipe.js';
import { DatapathThread } from '../link/datapath-thread.js';
import type { PacketNetdev } from '../net/netdev.js';
import { qmiDataPath, type KernelDevice, type StepRunner } from '../net/kernel.js';
import { KernelBackend } from '../link/kernel.js';
import type { ControlDriver } from './driver.js';
import { Modem, type Bearer, type ModemOptions, type ModemState, type RadioEvent, type StreamLink } from './modem.js';
import { PinGuard } from './pin-guard.js';
import { QmiDriver } from './qmi-driver.js';
import { MbimDriver } from './mbim-driver.js';
import { MbimDevice } from '../mbim/client.js';
import { redactMbim } from '../mbim/redact.js';
import { redactQmux } from '../qmi/redact.js';
import { CallMonitor } from './call-monitor.js';
import { ConfigError, NotFoundError, type ControlProtocol, type Registration, type SignalQuality } from './types.js';
import type { RequestResult } from '../wire/request-meter.js';
import { onMessagingEvent, type MessagingEvent } from './messaging.js';

/** Where a modem is: its control port and protocol, and its data pipe or kernel device. */
export interface ModemSpec {
  /** Stable name, e.g. `modem0` or `sim0`. */
  id: string;
  control: ControlProtocol;
  /** `/dev/cdc-wdm0`, a pty, `unix:PATH` for a socket carrying the same stream, or `qrtr://NODE` (QMI over QRTR). */
  port: string;
  /** The simulator's data pipe (record socket); absent on hardware, where the kernel carries data. */
  dataPipe?: string;
  /** How the data pipe attaches, for the QMI data-format negotiation. */
  pipe?: 'usb' | 'bam-dmux';
  pin?: string;
  /** Where the kernel carries the data (real hardware): links become kernel netdevs. */
  kernel?: KernelDevice;
  /** Whether the manager adds the modem again once its port is back after it went (default true). */
  rediscover?: boolean;
  /** How long its port may be missing before the modem is removed (default 15 s). */
  goneAfterMs?: number;
}

/** Makes the netdev for a new link of a modem. */
export type NetdevFactory = (modemId: string, name: string, linkId: number) => Promise<PacketNetdev>;

/** Events of the manager, each naming the modem it comes from. */
export interface ManagerEvents {
  modemAdded: [string];
  modemRemoved: [string];
  state: [string, ModemState];
  bearer: [string, Bearer];
  stream: [string, StreamLink];
  signal: [string, SignalQuality];
  registration: [string, Registration];
  log: [string];
  /** Short messages added, changed, received, deleted; the store full. */
  sms: [string, MessagingEvent];
  /** Radio or SIM control changed, or scan progress. */
  radio: [string, RadioEvent];
  /** A control message, secrets overwritten. */
  trace: [string, 'qmi' | 'mbim', 'tx' | 'rx', Uint8Array];
  /** A control request ended: protocol, service, seconds, result (for metrics). */
  request: [ControlProtocol, string, number, RequestResult];
}

/** All the modems in use: adds each from its control port, probes it, and fans out every modem's events. */
export class Manager extends EventEmitter<ManagerEvents> {
  readonly modems = new Map<string, Modem>();
  readonly specs = new Map<string, ModemSpec>();
  private readonly linkIndex = new Map<string, number>();
  private readonly rediscovery = new Set<NodeJS.Timeout>();
  private closing = false;
  /** Every modem's calls checked from one timer (modems get no monitor of their own). */
  private readonly monitor = new CallMonitor(() => [...this.modems.values()]);

  constructor(
    private readonly netdev: NetdevFactory,
    /** Runs kernel datapath steps (for real, or printing them with --dry-run). */
    private readonly kernelSteps?: StepRunner,
    /** PIN1 for any modem whose spec has none (from configuration; never logged). */
    private readonly defaultPin?: string,
    /** Refused PINs, kept so that no restart sends one again. */
    private readonly pinGuard = new PinGuard(undefined),
    /** Links of modems with a data pipe (simulated ones) are TUN devices moved on a datapath thread of their own. */
    private readonly datapathThread = false,
  ) {
    super();
  }

  async add(spec: ModemSpec): Promise<Modem> {
    if (this.modems.has(spec.id)) throw new ConfigError(`modem ${spec.id} exists already`);
    // The lowest index no managed modem uses, taken before the first await: modems added side by side,
    // or removed and found again, never share link names.
    const used = new Set(this.linkIndex.values());
    let index = 0;
    while (used.has(index)) index++;
    this.linkIndex.set(spec.id, index);
    let driver: ControlDriver;
    try {
      driver = await this.driverFor(spec, await openPort(spec.port));
    } catch (e) {
      this.linkIndex.delete(spec.id);
      throw e;
    }
    const modem = new Modem(spec.id, driver, {
      linkPrefix: `wwan${index}.`,
      netdev: (name, linkId) => this.netdev(spec.id, name, linkId),
      ...this.linkEnds(spec),
      ...((spec.pin ?? this.defaultPin) !== undefined ? { pin: spec.pin ?? this.defaultPin } : {}),
      pinGuard: this.pinGuard,
      ...(spec.goneAfterMs !== undefined ? { goneAfterMs: spec.goneAfterMs } : {}),
      reopen: async () => this.driverFor(spec, await openPort(spec.port)),
      // The manager's CallMonitor checks every modem's calls, not a timer per modem.
      monitorMs: 0,
    });
    modem.on('state', (s) => this.emit('state', spec.id, s));
    modem.on('bearer', (b) => this.emit('bearer', spec.id, b));
    modem.on('stream', (l) => this.emit('stream', spec.id, l));
    modem.on('signal', (s) => this.emit('signal', spec.id, s));
    modem.on('registration', (r) => this.emit('registration', spec.id, r));
    modem.on('log', (l) => this.emit('log', l));
    modem.on('radio', (e) => this.emit('radio', spec.id, e));
    modem.on('gone', () => void this.gone(spec, modem));
    onMessagingEvent(modem.messaging, (e) => this.emit('sms', spec.id, e));
    driver.on('closed', () => {
      if (this.modems.get(spec.id) === modem) this.emit('log', `${spec.id}: control port closed`);
    });
    this.modems.set(spec.id, modem);
    this.specs.set(spec.id, spec);
    this.monitor.start();
    try {
      await modem.probe();
    } catch (e) {
      await this.remove(spec.id);
      throw e;
    }
    this.emit('modemAdded', spec.id);
    return modem;
  }

  /** Where a modem's links end: the kernel's devices, or its data pipe carried on a datapath thread or on this one. */
  private linkEnds(spec: ModemSpec): Pick<ModemOptions, 'backend' | 'pipe'> {
    if (spec.kernel) return { backend: new KernelBackend(spec.kernel, this.kernelSteps, () => this.netdevNames()) };
    const pipe = spec.dataPipe;
    if (pipe === undefined) return {};
    return this.datapathThread ? { backend: new DatapathThread({ pipe, log: (l) => this.emit('log', `${spec.id}: ${l}`) }) } : { pipe: () => connectRecordPipe(pipe) };
  }

  /** Every netdev name the managed modems' links use (the kernel's qmimux names count creations). */
  private netdevNames(): string[] {
    return [...this.modems.values()].flatMap((m) => [...m.bearers.values()].map((b) => b.netdev?.name ?? ''));
  }

  get(id: string): Modem {
    const m = this.modems.get(id);
    if (!m) throw new NotFoundError(`no modem ${JSON.stringify(id.slice(0, 64))}; known: ${[...this.modems.keys()].join(', ') || 'none'} (see \`wwan list\`)`);
    return m;
  }

  async remove(id: string): Promise<void> {
    const m = this.modems.get(id);
    if (!m) return;
    this.modems.delete(id);
    this.specs.delete(id);
    this.linkIndex.delete(id);
    await m.close().catch(() => undefined);
    this.emit('modemRemoved', id);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.monitor.stop();
    for (const t of this.rediscovery) clearInterval(t);
    for (const id of [...this.modems.keys()]) await this.remove(id);
  }

  /** A modem whose port vanished: removed (links and all), and added again when its port answers. */
  private async gone(spec: ModemSpec, modem: Modem): Promise<void> {
    if (this.modems.get(spec.id) !== modem) return;
    await this.remove(spec.id);
    if (spec.rediscover === false || this.closing) return;
    let trying = false;
    const timer = setInterval(() => {
      if (trying) return;
      if (this.closing || this.modems.has(spec.id)) return void (clearInterval(timer), this.rediscovery.delete(timer));
      trying = true;
      this.add(spec).then(
        () => (clearInterval(timer), this.rediscovery.delete(timer), this.emit('log', `${spec.id}: its port is back; found again`)),
        () => undefined,
      ).finally(() => (trying = false));
    }, 1000);
    this.rediscovery.add(timer);
  }

  private async driverFor(spec: ModemSpec, transport: Transport | QmuxPort): Promise<ControlDriver> {
    if ('onFrame' in transport || spec.control === 'qmi') {
      // The daemon is the port's only user: CTL Sync takes back every client id (and call) a
      // predecessor killed without cleaning up left in the modem, as libqmi's open with SYNC does.
      const device = await QmiDevice.open('onFrame' in transport ? transport : qmuxPort(transport), {
        sync: true,
        openTimeoutMs: 10_000,
        log: (l) => this.emit('log', `${spec.id}: ${l}`),
        trace: (dir, frame) => this.listenerCount('trace') > 0 && this.emit('trace', spec.id, 'qmi', dir, redactQmux(frame)),
        meter: (service, seconds, result) => this.emit('request', 'qmi', service, seconds, result),
      });
      return new QmiDriver(device, { pipe: spec.pipe ?? 'usb', ...qmiDataPath(spec.kernel) });
    }
    const mbim = await MbimDevice.open(transport, {
      // As ModemManager 1.20 opens: MBIMEx 3.0 where the function offers it (5G cells, SIM removability, NR registration settings).
      mbimex: 3,
      log: (l) => this.emit('log', `${spec.id}: ${l}`),
      trace: (dir, bytes) => this.listenerCount('trace') > 0 && this.emit('trace', spec.id, 'mbim', dir, redactMbim(bytes)),
      meter: (service, seconds, result) => this.emit('request', 'mbim', service, seconds, result),
    });
    return new MbimDriver(mbim, { log: (l) => this.emit('log', `${spec.id}: ${l}`) });
  }
}

async function openPort(port: string): Promise<Transport | QmuxPort> {
  // qrtr://N: a QRTR node's QMI services, already in QMUX frames.
  const node = parseQrtrPath(port);
  if (node !== undefined) return openQrtrQmuxPort(node);
  return port.startsWith('unix:') ? connectUnix(port.slice(5)) : openCharDevice(port);
}
