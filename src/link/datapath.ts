/**
 * The host's datapath: one data pipe, one framing (as negotiated), links by id, each with a netdev.
 * Packets the stack sends are framed toward the modem; transfers from the modem are split and each
 * packet is delivered to its link's netdev. QMAP flow control pauses a link: its packets wait in a
 * bounded queue and what overflows is counted as dropped.
 */
import { BamDmuxChannels, type BamDmuxChannelState } from '../mux/bam-dmux-channels.js';
import type { BamDmuxFrameInfo } from '../mux/bam-dmux.js';
import type { ControlEvent } from '../mux/control.js';
import { dssLink, ipLink, type Clock, type Link as MuxLink } from '../mux/framing.js';
import { PipeFraming, type PipeFormat } from '../mux/pipe.js';
import type { PacketNetdev } from '../net/netdev.js';
import type { DataPipe } from './data-pipe.js';
import { Pump } from './pump.js';

/** One link on a data pipe: its id and where its received packets go. */
export interface DatapathLink {
  readonly id: number;
  readonly netdev: PacketNetdev;
  /** Paused by QMAP FLOW_DISABLE. */
  paused: boolean;
  readonly queue: Uint8Array[];
  queueDropped: number;
  /** Times the modem paused the link. */
  pauses: number;
  /** Its netdev leaves TCP/UDP checksums partial, for the modem to finish (QMAP checksum offload). */
  readonly partialChecksums: boolean;
}

/** The framing a datapath uses on its pipe and its limits. */
export interface DatapathOptions {
  /** Packets a paused link may hold (rmnet's tx_queue_len is 1000). */
  queueLimit?: number;
  log?: (line: string) => void;
  /** The aggregation timers' clock (tests drive it by hand). */
  clock?: Clock;
}

/** Where a stream link's datagrams go (a DSS session): called with a view valid during the call. */
export type StreamReceiver = (payload: Uint8Array) => void;

// The channel machine takes the decoder's sink shape; the datapath has no use for pad and signal.
const NO_INFO: BamDmuxFrameInfo = { pad: 0, signal: 0 };

/** One data pipe shared by a modem's links: frames packets with the negotiated framing and routes them per link. */
export class Datapath {
  readonly links = new Map<number, DatapathLink>();
  /** Open stream links (DSS sessions) by session id: a numbering of their own beside the IP links'. */
  readonly streams = new Map<number, StreamReceiver>();
  readonly stats = { unknownLink: 0, unknownStream: 0, transfersIn: 0, transfersOut: 0, transfersLost: 0, holds: 0 };
  private pipeClosed = false;
  /** The netdevs are held (the pipe said so) until it drains. */
  private holding = false;
  private readonly framing: PipeFraming;
  private readonly pump: Pump;
  /** BAM-DMUX: the modem makes and opens channels, the host's OPEN/CLOSE follow its links; data flows only where both are open. */
  private readonly channels: BamDmuxChannels | undefined;
  /** BAM-DMUX: packets not sent because their channel was not open on both sides. */
  private inactiveSends = 0;
  private readonly queueLimit: number;
  private readonly dropsLogged = new Map<string, number>();

  constructor(
    readonly pipe: DataPipe,
    readonly format: PipeFormat,
    private readonly options: DatapathOptions = {},
  ) {
    this.queueLimit = options.queueLimit ?? 1000;
    this.framing = new PipeFraming(
      format,
      'host',
      (t) => {
        // An aggregation timer may fire after the pipe went (a reset): the transfer is lost, and counted.
        if (this.pipeClosed) return void this.stats.transfersLost++;
        this.stats.transfersOut++;
        pipe.send(t);
      },
      {
        packet: (link, packet, _partial, checksumValid) => (this.channels ? this.channels.packet(link, packet, NO_INFO) : this.fromModem(link, packet, checksumValid)),
        control: (event) => this.control(event),
        drop: (reason, offset) => {
          // Counted by the framing (drops()); logged the first time and every 1000th, so a hostile modem cannot flood the log.
          const n = (this.dropsLogged.get(reason) ?? 0) + 1;
          this.dropsLogged.set(reason, n);
          if (n === 1 || n % 1000 === 0) this.options.log?.(`dropped downlink data (${reason}) at offset ${offset}${n > 1 ? ` (${n} so far)` : ''}`);
        },
      },
      options.clock,
    );
    this.pump = new Pump(this.framing);
    if (format.framing === 'bam-dmux') {
      const opened = (link: MuxLink): void => {
        this.options.log?.(`BAM-DMUX channel ${link.id} opened by the modem`);
        // A link attached before the modem made its channel goes up now.
        if (this.links.has(link.id)) this.channels!.linkUp(link);
      };
      this.channels = new BamDmuxChannels({
        created: opened,
        attached: opened,
        detached: (link) => this.options.log?.(`BAM-DMUX channel ${link.id} closed by the modem`),
        packet: (link, packet) => this.fromModem(link, packet),
        sendCommand: (link, command) => this.framing.sendChannelCommand(link, command),
      });
    }
    pipe.onClose(() => (this.pipeClosed = true));
    pipe.onHold((on) => this.hold(on));
    pipe.onTransfer((t) => {
      this.stats.transfersIn++;
      this.framing.receive(t);
    });
  }

  /** Carries link `id`'s packets through `netdev`. */
  attach(id: number, netdev: PacketNetdev): DatapathLink {
    if (this.links.has(id)) throw new Error(`link ${id} is already attached`);
    const partialChecksums = this.format.framing === 'qmap' && this.format.checksumOffload === true && netdev.partialChecksums !== undefined;
    const link: DatapathLink = { id, netdev, paused: false, queue: [], queueDropped: 0, pauses: 0, partialChecksums };
    this.links.set(id, link);
    const mux = ipLink(id);
    netdev.onTransmit((packet) => this.toModem(link, mux, packet));
    netdev.partialChecksums?.(partialChecksums);
    if (this.holding) netdev.holdTransmit?.(true);
    this.channels?.linkUp(mux);
    return link;
  }

  /** Carries stream link `session` (a DSS session): its datagrams go to `receive`; returns the sender. */
  attachStream(session: number, receive: StreamReceiver): (payload: Uint8Array) => boolean {
    if (this.streams.has(session)) throw new Error(`stream ${session} is already attached`);
    const link = dssLink(session);
    this.streams.set(session, receive);
    return (payload) => {
      if (this.streams.get(session) !== receive) return false;
      const sent = this.framing.send(link, payload);
      this.pump.sent();
      return sent;
    };
  }

  detachStream(session: number): void {
    this.streams.delete(session);
  }

  detach(id: number): DatapathLink | undefined {
    const link = this.links.get(id);
    this.links.delete(id);
    if (link) {
      link.netdev.partialChecksums?.(false);
      link.netdev.holdTransmit?.(false);
      this.channels?.linkDown(ipLink(id));
    }
    return link;
  }

  /** BAM-DMUX: link `id`'s channel as the modem and this host left it. */
  channelState(id: number): Readonly<BamDmuxChannelState> | undefined {
    return this.channels?.state(ipLink(id));
  }

  /** What the framing (and BAM-DMUX channels) dropped per direction and reason, and the transfers the pipe dropped for a modem not reading. */
  drops(): ReturnType<PipeFraming['drops']> & { pipeWrites: number } {
    const d = this.framing.drops();
    if (this.channels) {
      Object.assign(d.receive, this.channels.drops);
      d.send['inactive-channel'] = this.inactiveSends;
    }
    return { ...d, pipeWrites: this.pipe.writeDrops };
  }

  private channelOpen(link: MuxLink): boolean {
    const c = this.channels!.state(link);
    return !!c && c.remoteOpen && c.up;
  }

  async close(): Promise<void> {
    this.framing.flush();
    this.hold(false);
    // Netdevs and streams outlive a datapath (a new one may take them over): stop forwarding theirs.
    this.links.clear();
    this.streams.clear();
    this.pipeClosed = true;
    await this.pipe.close();
  }

  /** Holds (or releases) every link's netdev while the pipe is congested. */
  private hold(on: boolean): void {
    if (on === this.holding) return;
    this.holding = on;
    if (on) this.stats.holds++;
    for (const l of this.links.values()) l.netdev.holdTransmit?.(on);
  }

  private toModem(link: DatapathLink, mux: MuxLink, packet: Uint8Array): void {
    if (!this.links.has(link.id)) return;
    if (link.paused) {
      if (link.queue.length < this.queueLimit) link.queue.push(packet.slice());
      else {
        link.queueDropped++;
        link.netdev.counters.txDropped++;
      }
      return;
    }
    if (this.channels && !this.channelOpen(mux)) {
      this.inactiveSends++;
      link.netdev.counters.txDropped++;
      return;
    }
    if (!this.framing.send(mux, packet, link.partialChecksums)) link.netdev.counters.txDropped++;
    this.pump.sent();
  }

  private fromModem(link: MuxLink, packet: Uint8Array, checksumValid?: boolean): void {
    if (link.kind === 'dss') {
      const stream = this.streams.get(link.id);
      if (stream) stream(packet);
      else this.stats.unknownStream++;
      return;
    }
    const l = this.links.get(link.id);
    if (!l) {
      this.stats.unknownLink++;
      return;
    }
    l.netdev.deliver(packet, checksumValid);
  }

  private control(event: ControlEvent): void {
    if (event.kind === 'channel') return this.channels?.command(event.link, event.open ? 'open' : 'close');
    if (event.kind === 'flow') this.flow(event.link.id, event.enabled, event.ack);
  }

  /** rmnet's answer to flow control: pause or wake the link, then ACK with the same bytes. */
  private flow(id: number, enabled: boolean, ack: Uint8Array | null): void {
    const link = this.links.get(id);
    if (!link) return;
    link.paused = !enabled;
    if (link.paused) link.pauses++;
    this.options.log?.(`link ${link.id} ${link.paused ? 'paused' : 'resumed'} by the modem (QMAP flow control)`);
    if (ack && !this.pipeClosed) this.pipe.send(ack);
    if (!link.paused) {
      const mux = ipLink(link.id);
      for (const p of link.queue.splice(0)) this.framing.send(mux, p, link.partialChecksums);
      this.pump.sent();
    }
  }
}
