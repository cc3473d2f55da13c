/**
 * The simulated modem's data pipe: a unix socket carrying one transfer per record (the stand-in for
 * USB bulk endpoints or a DMA ring), framed as the profile and the negotiated data format say. Uplink
 * packets reach the PDN session on their link; the network behind the modem answers them.
 */
import net from 'node:net';
import { dssLink, ipLink, type Link } from '../mux/framing.js';
import { PipeFraming, type PipeFormat } from '../mux/pipe.js';
import { QMAP_FLOW_DISABLE, QMAP_FLOW_ENABLE, encodeQmapCommand } from '../mux/qmap.js';
import { Pump } from '../link/pump.js';
import { BAM_DMUX_PIPE_FORMAT, MBIM_PIPE_FORMAT, qmiPipeFormat } from '../link/format.js';
import { BAM_DMUX_CHANNELS } from '../mux/bam-dmux.js';
import { recordPipe, type DataPipe } from '../link/data-pipe.js';
import { StreamTransport } from '../transport/stream.js';
import type { PartialChecksum } from '../wire/checksum.js';
import type { DataFormat, ModemFirmware, Session } from './firmware.js';
import type { SimProfile } from './profiles.js';
import { listenSocketFile } from './socket-file.js';

/**
 * Answers one uplink packet of a session; replies go back down the same link. One that sets
 * `partialChecksums` takes packets whose TCP/UDP checksum the host left for the modem to finish as
 * they are, with `partial` saying where (the TUN bridge: the kernel behind it finishes or trusts
 * them); the others get every checksum finished.
 */
export interface Responder {
  (session: Session, packet: Uint8Array, reply: (packet: Uint8Array) => void, partial?: PartialChecksum): void;
  partialChecksums?: boolean;
  /** The pipe toward the host is full: stop taking the network's packets (on) until it drains. */
  hold?(on: boolean): void;
}

/** Who the modem's data pipe talks to: the unix socket's client or a USB gadget's bulk endpoints. */
export interface DataHost {
  readonly description: string;
  /** One transfer toward the host. */
  send(transfer: Uint8Array): void;
  close(): void;
}

export interface LinkCounters {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
}

/**
 * How long the qmi-usb modem holds a downlink aggregate open for more packets. Replies to uplink
 * packets that arrive close together (a burst, a flood ping) share a transfer, as on a real modem.
 */
const QMIMUX_AGGREGATION_WINDOW_MS = 2;

/** The pipe format a profile speaks for a negotiated data format (the modem side of link/format.ts). */
export function pipeFormatFor(profile: SimProfile, f: DataFormat): PipeFormat {
  switch (profile.data) {
    case 'bam-dmux':
      return BAM_DMUX_PIPE_FORMAT;
    case 'ntb':
      return MBIM_PIPE_FORMAT;
    case 'raw-ip':
    case 'qmap':
      // qmi_wwan's own mux understands plain QMAPv1 only; its downlink is aggregated as negotiated
      // (up to dlMaxSize in one transfer: what the host's receive buffer must hold).
      return qmiPipeFormat({ protocol: f.dlAggregation, maxDatagrams: f.dlMaxDatagrams, maxBytes: f.dlMaxSize, qmimux: profile.data === 'raw-ip', timeLimitMs: profile.data === 'raw-ip' ? QMIMUX_AGGREGATION_WINDOW_MS : 0.5 });
  }
}

export class SimDataPlane {
  readonly counters = new Map<number, LinkCounters>();
  readonly stats = { connections: 0, refused: 0, noSession: 0, unanswered: 0, closedChannel: 0 };
  /** Open MBIM DSS sessions: session id → the device service taking the host's datagrams. */
  readonly dss = new Map<number, (payload: Uint8Array) => void>();
  /** BAM-DMUX: the channels as the host opened and closed them. */
  readonly hostChannels = new Map<number, { open: boolean; opens: number; closes: number }>();
  private server: net.Server | undefined;
  /** The host on the pipe: the unix socket's client or a USB gadget's bulk endpoints. */
  private host: DataHost | undefined;
  private pipe: PipeFraming | undefined;
  private pump: Pump | undefined;
  /** The unix socket's host, for its drop count. */
  private hostPipe: DataPipe | undefined;
  /** Who sees each packet the network sends a session, whether a host takes it or not (MBIM's wake on packet). */
  readonly networkPacketListeners = new Set<(session: Session, packet: Uint8Array) => void>();

  constructor(
    readonly path: string,
    private readonly profile: SimProfile,
    private readonly firmware: ModemFirmware,
    private readonly respond: Responder | undefined,
    private readonly log: (line: string) => void,
  ) {
    // A new data format applies to the pipe at once, as the modem switches framing.
    firmware.on('dataFormat', () => this.reframe());
  }

  async start(): Promise<void> {
    this.server = net.createServer((sock) => this.accept(sock));
    await listenSocketFile(this.server, this.path);
  }

  async stop(): Promise<void> {
    this.host?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  counter(linkId: number): LinkCounters {
    let c = this.counters.get(linkId);
    if (!c) this.counters.set(linkId, (c = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0 }));
    return c;
  }

  /** QMAP flow control toward the host (fault injection): FLOW_DISABLE or FLOW_ENABLE for a mux id. */
  flowControl(muxId: number, enable: boolean): boolean {
    const f = this.pipe?.format;
    if (!this.host || !f || f.framing !== 'qmap') return false;
    const frame = encodeQmapCommand({ name: enable ? QMAP_FLOW_ENABLE : QMAP_FLOW_DISABLE, type: 'request', muxId, transactionId: Date.now() >>> 0 }, { version: f.version, direction: 'downlink' });
    this.host.send(frame);
    return true;
  }

  /** BAM-DMUX: the host opened or closed a channel (its link went up or down). */
  private hostChannel(channel: number, open: boolean): void {
    const c = this.hostChannels.get(channel) ?? { open: false, opens: 0, closes: 0 };
    c.open = open;
    if (open) c.opens++;
    else c.closes++;
    this.hostChannels.set(channel, c);
    this.log(`data pipe: the host ${open ? 'opened' : 'closed'} BAM-DMUX channel ${channel}`);
  }

  /** BAM-DMUX: the modem closes (or reopens) a channel. */
  channel(channel: number, open: boolean): boolean {
    if (!this.pipe || this.pipe.format.framing !== 'bam-dmux') return false;
    this.pipe.sendChannelCommand(ipLink(channel), open ? 'open' : 'close');
    return true;
  }

  /** A DSS datagram toward the host (NTB `DSS<n>`); false without a host on an NTB pipe. */
  sendDss(sessionId: number, payload: Uint8Array): boolean {
    const pipe = this.pipe;
    if (!pipe || pipe.format.framing !== 'ntb' || !pipe.send(dssLink(sessionId), payload)) return false;
    pipe.flush();
    return true;
  }

  /**
   * A packet from the network for a session (the TUN bridge), outside any uplink reply; the pump
   * decides when its transfer leaves. False without a host.
   */
  downlink(session: Session, packet: Uint8Array): boolean {
    for (const l of this.networkPacketListeners) l(session, packet);
    const pipe = this.pipe;
    if (!pipe || !pipe.send(ipLink(session.linkId), packet)) return false;
    const c = this.counter(session.linkId);
    c.txPackets++;
    c.txBytes += packet.length;
    session.traffic.downlinkPackets++;
    session.traffic.downlinkBytes += packet.length;
    this.pump?.sent();
    return true;
  }

  /** Raw bytes as one record toward the host (fault injection: malformed transfers). */
  inject(transfer: Uint8Array): void {
    this.host?.send(transfer);
  }

  /**
   * A host takes the pipe (one at a time: false if taken): `send` carries each transfer toward it.
   * Returns where its uplink transfers go, or undefined when refused.
   */
  attachHost(host: DataHost): ((transfer: Uint8Array) => void) | undefined {
    if (this.host) {
      this.stats.refused++;
      this.log(`data pipe: refused a second host (${host.description})`);
      host.close();
      return undefined;
    }
    this.stats.connections++;
    this.host = host;
    this.reframe();
    // A BAM-DMUX modem announces its channels with OPEN commands.
    if (this.profile.data === 'bam-dmux') for (let ch = 0; ch < BAM_DMUX_CHANNELS; ch++) this.channel(ch, true);
    return (transfer) => {
      if (this.host === host) this.uplink(transfer);
    };
  }

  /** The host left the pipe. */
  detachHost(host: DataHost): void {
    if (this.host !== host) return;
    this.host = undefined;
    this.pipe = undefined;
    this.pump = undefined;
    this.hostChannels.clear();
  }

  private accept(sock: net.Socket): void {
    // The host's side of the pipe as the host sees its own: records, a tick's writes in one writev,
    // and a host that stops reading costs a bounded queue and counted drops (pipe.writeDrops).
    const pipe = recordPipe(new StreamTransport(sock, this.path, true));
    const host: DataHost = { description: this.path, send: (t) => pipe.send(t), close: () => void pipe.close() };
    const uplink = this.attachHost(host);
    if (!uplink) return;
    this.hostPipe = pipe;
    pipe.onTransfer(uplink);
    pipe.onHold((on) => this.respond?.hold?.(on));
    pipe.onClose((error) => {
      if (error) this.log(`data pipe: ${error.message}; connection closed`);
      this.detachHost(host);
    });
  }

  /** Downlink transfers dropped because the host on the unix socket was not reading. */
  get hostWriteDrops(): number {
    return this.hostPipe?.writeDrops ?? 0;
  }

  private reframe(): void {
    const host = this.host;
    if (!host) return;
    this.pipe?.flush();
    this.pipe = new PipeFraming(pipeFormatFor(this.profile, this.firmware.dataFormat), 'modem', (t) => host.send(t), {
      packet: (link, packet, partial) => this.packet(link, packet, partial),
      partialChecksums: this.respond?.partialChecksums === true,
      control: (e) => (e.kind === 'channel' ? this.hostChannel(e.link.id, e.open) : this.log(`data pipe: host sent a QMAP command on mux ${e.link.id}`)),
      drop: (reason, offset) => this.log(`data pipe: dropped uplink data (${reason}) at offset ${offset}`),
    });
    this.pump = new Pump(this.pipe);
  }

  private uplink(transfer: Uint8Array): void {
    const pipe = this.pipe;
    if (!pipe) return;
    pipe.receive(transfer);
    // An aggregating qmimux downlink is closed by its window (or when full), so replies to the
    // next uplink transfers may join it; other framings answer each transfer at once.
    const f = pipe.format;
    if (f.framing !== 'qmimux' || (f.maxDatagrams ?? 1) <= 1) pipe.flush();
  }

  private packet(link: Link, packet: Uint8Array, partial?: PartialChecksum): void {
    if (link.kind === 'dss') {
      const service = this.dss.get(link.id);
      if (service) service(packet);
      else this.stats.noSession++;
      return;
    }
    if (this.pipe?.format.framing === 'bam-dmux' && !this.hostChannels.get(link.id)?.open) {
      // Data only flows on a channel the host has opened.
      this.stats.closedChannel++;
      return;
    }
    const session = this.sessionOn(link);
    if (!session) {
      this.stats.noSession++;
      return;
    }
    const c = this.counter(session.linkId);
    c.rxPackets++;
    c.rxBytes += packet.length;
    session.traffic.uplinkPackets++;
    session.traffic.uplinkBytes += packet.length;
    if (!this.respond) {
      this.stats.unanswered++;
      return;
    }
    this.respond(
      session,
      packet,
      (reply) => {
        if (this.pipe?.send(link, reply)) {
          c.txPackets++;
          c.txBytes += reply.length;
          session.traffic.downlinkPackets++;
          session.traffic.downlinkBytes += reply.length;
        }
      },
      partial,
    );
  }

  /** Raw IP has a single link: it carries the one session there is (qmi_wwan without a mux). */
  private sessionOn(link: Link): Session | undefined {
    // Per packet: no array made.
    const rawIp = this.pipe?.format.framing === 'raw-ip';
    for (const s of this.firmware.sessions.values()) if (rawIp || s.linkId === link.id) return s;
    return undefined;
  }
}
