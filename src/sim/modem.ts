/**
 * One simulated modem: the firmware model, its control endpoint (QMI behind a hub, or MBIM, by
 * profile), and its ports: a raw pseudo-terminal (what qmicli/mbimcli open with -d) and a unix socket
 * carrying the same stream. MBIM modems keep a QMI endpoint too, reached by QMI over MBIM.
 */
import net from 'node:net';
import { join } from 'node:path';
import { qmuxPort } from '../qmi/port.js';
import { StreamTransport } from '../transport/stream.js';
import { createPty, type PtyPort } from '../transport/pty.js';
import type { Transport } from '../transport/types.js';
import { ModemFirmware } from './firmware.js';
import type { SimProfile } from './profiles.js';
import { listenSocketFile } from './socket-file.js';
import { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { qmiServiceVersions, serveQmiFirmware } from './qmi-firmware.js';
import { QmuxHub } from './qmi-hub.js';
import { SimDataPlane, type Responder } from './data-plane.js';
import { SimDssServices } from './mbim-dss.js';
import { MbimDeviceEndpoint } from './mbim-endpoint.js';
import { serveMbimFirmware } from './mbim-firmware.js';

export interface SimModemOptions {
  seed: number;
  /** Folder for the modem's sockets. */
  dir: string;
  log: (line: string) => void;
  /** Every control frame in and out, for captures. */
  trace?: (protocol: 'qmi' | 'mbim', direction: 'rx' | 'tx', frame: Uint8Array) => void;
  /** The network behind the modem. */
  respond?: Responder;
  /** How often the signal's random walk steps (the firmware sends signal indications); 0 never. */
  signalIntervalMs?: number;
}

export interface SimPortInfo {
  type: 'qmi' | 'mbim';
  path: string;
  socket: string;
}

export class SimModem {
  readonly firmware: ModemFirmware;
  readonly hub: QmuxHub;
  readonly endpoint: QmiDeviceEndpoint;
  readonly data: SimDataPlane;
  /** MBIM profiles: the MBIM function the ports talk to, and its DSS services. */
  readonly mbim: MbimDeviceEndpoint | undefined;
  readonly dss: SimDssServices | undefined;
  private readonly closeMbim: (() => void) | undefined;
  private pty: PtyPort | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly hostTransports = new Set<Transport>();
  private readonly aliases = new Set<string>();
  private readonly socketPath: string;

  constructor(
    readonly id: string,
    readonly profile: SimProfile,
    private readonly options: SimModemOptions,
  ) {
    this.firmware = new ModemFirmware({ seed: options.seed, ...profile.firmware });
    this.hub = new QmuxHub(`${id} qmi`);
    this.endpoint = new QmiDeviceEndpoint(this.hub.port, {
      versions: qmiServiceVersions(),
      log: (line) => options.log(`${id}: ${line}`),
      trace: options.trace && ((dir, f) => options.trace!('qmi', dir, f)),
    });
    serveQmiFirmware(this.endpoint, this.firmware);
    this.socketPath = join(options.dir, `${id}.${profile.control}.sock`);
    const log = (line: string): void => options.log(`${id}: ${line}`);
    this.data = new SimDataPlane(join(options.dir, `${id}.data.sock`), profile, this.firmware, options.respond, log);
    if (profile.control === 'mbim') {
      this.mbim = new MbimDeviceEndpoint({ log, trace: options.trace && ((dir, f) => options.trace!('mbim', dir, f)) });
      this.dss = new SimDssServices(this.data, log);
      this.closeMbim = serveMbimFirmware(this.mbim, { firmware: this.firmware, data: this.data, dss: this.dss, qmiHub: this.hub }).close;
    }
    // After a reset the socket and proxy clients lose their connection, as they would lose a re-enumerated port.
    this.firmware.on('reset', () => {
      this.hub.forgetClients();
      for (const t of this.hostTransports) void t.close().catch(() => undefined);
    });
  }

  /** What faults act on: the control endpoint facing the host ports. */
  get control(): QmuxHub | MbimDeviceEndpoint {
    return this.mbim ?? this.hub;
  }

  /** A host connection on the modem's socket or through a proxy; a reset drops it. */
  attachHost(transport: Transport): void {
    this.hostTransports.add(transport);
    transport.onClose(() => this.hostTransports.delete(transport));
    this.connect(transport);
  }

  private connect(transport: Transport): void {
    if (this.mbim) this.mbim.attach(transport);
    else this.hub.attach(qmuxPort(transport, (reason, n) => this.options.log(`${this.id}: skipped ${n} byte(s) from ${transport.description}: ${reason}`)));
  }

  async start(): Promise<void> {
    this.pty = createPty();
    this.connect(this.pty.transport);
    this.server = net.createServer((sock) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
      this.attachHost(new StreamTransport(sock, `${this.id} socket client`));
    });
    await listenSocketFile(this.server, this.socketPath);
    await this.data.start();
    const every = this.options.signalIntervalMs ?? 2000;
    if (every > 0) this.signalTimer = setInterval(() => this.firmware.tickSignal(), every).unref();
  }

  /** Another path hosts may name this modem by through a proxy (e.g. `/dev/cdc-wdm0` in a fake /dev). */
  alias(path: string): void {
    this.aliases.add(path);
  }

  /** True for any path a host might name this modem by (its pty, socket or an alias). */
  answersTo(path: string): boolean {
    return path === this.pty?.path || path === this.socketPath || this.aliases.has(path);
  }

  get ports(): SimPortInfo[] {
    return this.pty ? [{ type: this.profile.control, path: this.pty.path, socket: this.socketPath }] : [];
  }

  private signalTimer: NodeJS.Timeout | undefined;

  async stop(): Promise<void> {
    clearInterval(this.signalTimer);
    this.closeMbim?.();
    await this.data.stop();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.pty?.close();
    this.pty = undefined;
  }
}
