/**
 * The simulator: N modems of one profile, optionally answering on libqmi's or libmbim's proxy socket
 * as qmi-proxy / mbim-proxy do, so `qmicli -p`, `mbimcli -p` and ModemManager reach them without a
 * pty. Everything it creates is removed on stop().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTlvs, encodeTlvs } from '../qmi/codec.js';
import { QmiProtocolError } from '../qmi/errors.js';
import { qmuxPort, type QmuxPort } from '../qmi/port.js';
import { QMI_SERVICE_CTL, decodeQmux, encodeQmux } from '../qmi/qmux.js';
import { ctl } from '../qmi/services/ctl.js';
import { redactQmux } from '../qmi/redact.js';
import { redactMbim } from '../mbim/redact.js';
import { StreamTransport } from '../transport/stream.js';
import { listenUnix } from '../transport/unix.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU, PcapWriter } from '../trace/pcap.js';
import { createInterface } from 'node:readline';
import { applyFault, type FaultAnswer, type FaultRequest } from './faults.js';
import { answerQuery, answerUsbQuery, QUERIES, type SimQuery } from './control-queries.js';
import { listenMbimProxy, type MbimProxy } from './mbim-proxy.js';
import type { Responder } from './data-plane.js';
import { SimModem } from './modem.js';
import { SimNetwork } from './network/index.js';
import { SmsCenter } from './network/sms-center.js';
import { smsControl } from './sms-control.js';
import { HOTPLUG_CONTROLS } from './hotplug-control.js';
import { TunBridge } from './network/tun-bridge.js';
import type { SimProfile } from './profiles.js';
import { listenSocketFile } from './socket-file.js';
import { plugUsbGadget, type UsbGadget } from './usb/gadget.js';
import { publishQrtr, type QrtrPublication } from './qrtr-node.js';

/** libqmi's proxy socket: an abstract unix name, per network namespace. */
export const QMI_PROXY_NAME = '\0qmi-proxy';

/** How many simulated modems of which profile, and where their sockets go. */
export interface SimulatorOptions {
  profile: SimProfile;
  modems?: number;
  seed?: number;
  /** Also answer on `\0qmi-proxy` (QMI profiles) or `\0mbim-proxy` (MBIM profiles). */
  proxy?: boolean;
  pcap?: string;
  /** Where sockets go; a fresh temporary folder by default (removed on stop). */
  dir?: string;
  log?: (line: string) => void;
  /** The network behind the modems (default: the small simulated network: echo, UDP echo, DNS). */
  respond?: Responder;
  /**
   * Bridge PDN traffic into a TUN device per modem inside this network namespace (created if absent),
   * so real servers there answer, instead of the simulated network.
   */
  tunNetns?: string;
  /** Plug every modem in as a USB device (FunctionFS/GadgetFS on a device controller such as dummy_hcd). */
  usb?: boolean;
  /** Publish the modem's QMI services on the local QRTR node (Linux with the qrtr module; one QMI modem). */
  qrtr?: boolean;
}

/** Simulated modems (QMI or MBIM firmware on a simulated network) on unix sockets, driven by real tools too. */
export class Simulator {
  readonly modems: SimModem[] = [];
  /** The network's SMS center: the modems text each other through it. */
  readonly smsCenter: SmsCenter;
  private proxyServer: net.Server | undefined;
  private mbimProxy: MbimProxy | undefined;
  private controlServer: net.Server | undefined;
  private readonly controlSockets = new Set<net.Socket>();
  /** Control connections told of modems plugged and unplugged. */
  private readonly watchers = new Set<net.Socket>();
  private nextModem = 0;
  private readonly proxySockets = new Set<net.Socket>();
  private pcap: PcapWriter | undefined;
  private ownDir = false;
  readonly dir: string;
  private readonly log: (line: string) => void;
  private readonly respond: Responder;
  private readonly bridges: TunBridge[] = [];
  private readonly gadgets: UsbGadget[] = [];
  /** The QRTR publication of each modem (by index), with `qrtr`. */
  readonly qrtr: QrtrPublication[] = [];

  private constructor(private readonly options: SimulatorOptions) {
    this.log = options.log ?? (() => undefined);
    this.respond = options.respond ?? new SimNetwork().respond;
    this.smsCenter = new SmsCenter(undefined, this.log);
    if (options.dir) this.dir = options.dir;
    else {
      this.dir = mkdtempSync(join(tmpdir(), 'wwan-sim-'));
      this.ownDir = true;
    }
  }

  static async start(options: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(options);
    try {
      await sim.init();
    } catch (e) {
      await sim.stop();
      throw e;
    }
    return sim;
  }

  private async init(): Promise<void> {
    const { profile } = this.options;
    if (this.options.pcap) this.pcap = new PcapWriter(this.options.pcap, LINKTYPE_WIRESHARK_UPPER_PDU);
    const count = this.options.modems ?? 1;
    if (this.options.qrtr && (count > 1 || profile.control !== 'qmi')) throw new Error('QRTR: one QMI modem (every service is published on the local node, which one modem owns)');
    for (let i = 0; i < count; i++) await this.startModem(i);
    if (this.options.proxy && profile.control === 'qmi') await this.listenProxy();
    if (this.options.proxy && profile.control === 'mbim') {
      this.mbimProxy = await listenMbimProxy({ modems: this.modems, log: this.log, trace: this.pcap ? (_dir, frame) => this.capture('mbim', frame) : undefined });
    }
    await this.listenControl();
  }

  private async startModem(i: number): Promise<SimModem> {
    const { profile } = this.options;
    // Every modem its own address space: 10.(64+i).x.y and 2001:db8:(64+i)::.
    const bridged: Responder = (session, packet, _reply, partial) => this.bridges[i]?.uplink(session, packet, partial);
    bridged.partialChecksums = true;
    bridged.hold = (on) => this.bridges[i]?.hold(on);
    const m = new SimModem(`modem${i}`, { ...profile, firmware: { ipv4Base: `10.${64 + (i % 64)}`, ipv6Base: `2001:db8:${64 + (i % 64)}`, ...profile.firmware } }, {
      seed: (this.options.seed ?? 1) + i,
      dir: this.dir,
      log: this.log,
      trace: this.pcap ? (p, _dir, frame) => this.capture(p, frame) : undefined,
      respond: this.options.tunNetns ? bridged : this.respond,
    });
    this.modems.push(m);
    this.smsCenter.attach(m.id, m.firmware.sms);
    await m.start();
    if (this.options.tunNetns) await this.bridge(m, this.options.tunNetns, i);
    if (this.options.usb) this.gadgets.push(await plugUsbGadget(m, i, this.log));
    if (this.options.qrtr) this.qrtr.push(publishQrtr(m, this.log));
    this.nextModem = Math.max(this.nextModem, i + 1);
    return m;
  }

  /**
   * Hotplug over the control socket: `plug` starts one more modem, `unplug modem=ID` takes one away
   * (its ports close). Every connection that asked for `modems` is told (`port-added`, `port-removed`),
   * as a device folder would show a port appearing or going.
   */
  private async hotplug(req: FaultRequest): Promise<FaultAnswer> {
    if (this.options.tunNetns || this.options.usb || this.options.proxy) return { ok: false, error: 'plug and unplug work without --tun-netns, USB gadgets and the proxy' };
    if (req.fault === 'plug') {
      const m = await this.startModem(this.nextModem);
      const entry = answerQuery([m], 'modems').modems[0]!;
      this.announce({ event: 'port-added', modem: entry });
      return { ok: true, modem: m.id };
    }
    const m = this.modems.find((x) => x.id === req.modem);
    if (!m) return { ok: false, error: `no modem ${JSON.stringify(String(req.modem ?? '').slice(0, 64))}; modems: ${this.modems.map((x) => x.id).join(', ')}` };
    this.modems.splice(this.modems.indexOf(m), 1);
    await m.stop();
    this.announce({ event: 'port-removed', modem: m.id });
    return { ok: true, modem: m.id };
  }

  private announce(event: object): void {
    for (const sock of this.watchers) sock.write(`${JSON.stringify(event)}\n`);
  }

  /**
   * MBIM goes to Wireshark's MBIM dissector; QMI has none for a bare QMUX frame, so it stays data.
   * PINs and passwords are masked, as in every capture wwankit writes.
   */
  private capture(protocol: 'qmi' | 'mbim', frame: Uint8Array): void {
    if (protocol === 'mbim') this.pcap?.writePdu('mbim.control', redactMbim(frame));
    else this.pcap?.writePdu('data', redactQmux(frame), 'QMI');
  }

  get controlPath(): string {
    return join(this.dir, 'control.sock');
  }

  /** Faults at run time: a JSON object per line in, a JSON answer per line out. */
  private async listenControl(): Promise<void> {
    this.controlServer = net.createServer((sock) => {
      this.controlSockets.add(sock);
      sock.once('close', () => {
        this.controlSockets.delete(sock);
        this.watchers.delete(sock);
      });
      sock.on('error', () => undefined);
      createInterface({ input: sock })
      // A vanished peer's socket error comes back through readline too; the socket's close handles it.
      .on('error', () => undefined)
      .on('line', (line) => {
        let req: FaultRequest & { query?: unknown };
        try {
          req = JSON.parse(line) as FaultRequest;
          if (typeof req === 'object' && req !== null && QUERIES.includes(req.query as SimQuery)) {
            const query = req.query as SimQuery;
            sock.write(`${JSON.stringify(query === 'usb' ? answerUsbQuery(this.gadgets) : answerQuery(this.modems, query))}\n`);
            // Who asked which modems there are hears of each one plugged or unplugged from now on.
            if (req.query === 'modems') this.watchers.add(sock);
            return;
          }
          if (typeof req !== 'object' || req === null || typeof req.fault !== 'string') throw new Error(`expected {"fault": …} or {"query": ${QUERIES.map((q) => `"${q}"`).join(' | ')}}`);
        } catch (e) {
          sock.write(`${JSON.stringify({ ok: false, error: `not a fault request: ${(e as Error).message}` })}\n`);
          return;
        }
        if (req.fault in HOTPLUG_CONTROLS) {
          void this.hotplug(req).then((answer) => {
            this.log(`${req.fault} ${answer.ok ? String(answer.modem) : answer.error}`);
            sock.write(`${JSON.stringify(answer)}\n`);
          });
          return;
        }
        const answer = this.fault(req);
        this.log(`fault ${req.fault} on ${req.modem ?? this.modems[0]?.id}: ${answer.ok ? 'applied' : answer.error}`);
        sock.write(`${JSON.stringify(answer)}\n`);
      });
    });
    await listenSocketFile(this.controlServer, this.controlPath);
  }

  /** The modem's PDNs reach a TUN in `netns`: its sessions' gateway and DNS addresses live there. */
  private async bridge(m: SimModem, netns: string, index: number): Promise<void> {
    const bridge = await TunBridge.open({
      netns,
      name: `wwansim${index}`,
      downlink: (session, packet) => m.data.downlink(session, packet),
      onError: (e) => this.log(`${m.id}: TUN bridge failed: ${e.message}`),
    });
    this.bridges[index] = bridge;
    m.firmware.on('sessionUp', (s) => void bridge.addSession(s).catch((e: Error) => this.log(`${m.id}: TUN bridge: ${e.message}`)));
    m.firmware.on('sessionDown', (s) => void bridge.removeSession(s).catch(() => undefined));
    this.log(`${m.id}: PDN traffic goes to ${bridge.interfaceName} in network namespace ${netns}`);
  }

  /** Applies a fault now (as `wwan sim ctl` does over the socket). */
  fault(req: FaultRequest): ReturnType<typeof applyFault> {
    return smsControl(this.smsCenter, this.modems, req) ?? applyFault(this.modems, req);
  }

  /** The first stdout line of `wwan sim`. */
  ready(): { event: 'ready'; control: string; modems: { id: string; profile: string; ports: SimModem['ports']; data: string; number: string; qrtr?: string }[] } {
    return {
      event: 'ready',
      control: this.controlPath,
      modems: this.modems.map((m, i) => ({
        id: m.id, profile: m.profile.name, ports: m.ports, data: join(this.dir, `${m.id}.data.sock`), number: m.firmware.sms.number,
        ...(this.qrtr[i] ? { qrtr: `qrtr://${this.qrtr[i].node}` } : {}),
      })),
    };
  }

  private async listenProxy(): Promise<void> {
    this.proxyServer = net.createServer((sock) => this.proxyClient(sock));
    try {
      await listenUnix(this.proxyServer, QMI_PROXY_NAME);
    } catch (e) {
      throw /EADDRINUSE|Address already in use/.test((e as Error).message) ? new Error('the qmi-proxy socket is taken (a real qmi-proxy runs in this network namespace?)') : e;
    }
  }

  /** A proxy client names its device in its first frame (CTL Internal Proxy Open); route it to that modem. */
  private proxyClient(sock: net.Socket): void {
    this.proxySockets.add(sock);
    sock.once('close', () => this.proxySockets.delete(sock));
    const port = qmuxPort(new StreamTransport(sock, 'qmi-proxy client'));
    let deliver: ((frame: Uint8Array) => void) | undefined;
    const relay: QmuxPort = { ...port, onFrame: (l) => (deliver = l), description: port.description };
    Object.defineProperty(relay, 'closed', { get: () => port.closed });
    port.onFrame((frame) => {
      if (deliver) return deliver(frame);
      const f = decodeQmux(frame);
      const open = f.ok && f.value.service === QMI_SERVICE_CTL && f.value.messageId === ctl.messages.internalProxyOpen.id ? decodeTlvs(ctl.messages.internalProxyOpen.request, f.value.tlvs, { response: false }) : undefined;
      const path = open?.ok ? open.value.values.devicePath : undefined;
      const modem = path === undefined ? undefined : this.modems.find((m) => m.answersTo(path));
      if (!f.ok || !modem) {
        this.log(`qmi-proxy: refused a client: ${path === undefined ? 'its first frame is not Internal Proxy Open' : `no modem at ${JSON.stringify(path.slice(0, 200))}`}`);
        if (f.ok) {
          port.send(encodeQmux({ service: 0, clientId: 0, type: 'response', transaction: f.value.transaction, messageId: f.value.messageId, tlvs: encodeTlvs({}, {}, { result: { status: 1, error: QmiProtocolError.InvalidArgument } }) }));
        }
        sock.end();
        return;
      }
      this.log(`qmi-proxy: a client opened ${path} (${modem.id})`);
      // A reset drops proxy clients too, as a re-enumerated device closes qmi-proxy's file.
      const drop = (): void => void sock.destroy();
      modem.firmware.on('reset', drop);
      sock.once('close', () => modem.firmware.off('reset', drop));
      modem.hub.attach(relay);
      deliver!(frame);
    });
  }

  async stop(): Promise<void> {
    for (const s of [...this.proxySockets, ...this.controlSockets]) s.destroy();
    await new Promise<void>((resolve) => (this.controlServer ? this.controlServer.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.proxyServer ? this.proxyServer.close(() => resolve()) : resolve()));
    await this.mbimProxy?.close();
    for (const g of this.gadgets.splice(0)) await g.stop().catch(() => undefined);
    for (const q of this.qrtr.splice(0)) await q.stop();
    for (const b of this.bridges) await b?.close().catch(() => undefined);
    for (const m of this.modems) await m.stop();
    this.pcap?.close();
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
