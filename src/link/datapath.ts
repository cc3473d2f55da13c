/**
 * The host's datapath: one data pipe, one framing (as negotiated), links by id, each with a netdev.
 * Packets the stack sends are framed toward the modem; transfers from the modem are split and each
 * packet is delivered to its link's netdev. QMAP flow control pauses a link: its packets wait in a
 * bounded queue and what overflows is counted as dropped.
 */
import { ipLink, type Link as MuxLink } from '../mux/framing.js';
import { PipeFraming, type PipeFormat } from '../mux/pipe.js';
import { parseQmapCommand, qmapCommandAck, QMAP_FLOW_DISABLE, QMAP_FLOW_ENABLE } from '../mux/qmap.js';
import type { Netdev } from '../net/netdev.js';
import type { DataPipe } from './data-pipe.js';

/** One link on a data pipe: its id and where its received packets go. */
export interface DatapathLink {
  readonly id: number;
  readonly netdev: Netdev;
  /** Paused by QMAP FLOW_DISABLE. */
  paused: boolean;
  readonly queue: Uint8Array[];
  queueDropped: number;
  /** Times the modem paused the link. */
  pauses: number;
}

/** The framing a datapath uses on its pipe and its limits. */
export interface DatapathOptions {
  /** Packets a paused link may hold (rmnet's tx_queue_len is 1000). */
  queueLimit?: number;
  log?: (line: string) => void;
}

/** One data pipe shared by a modem's links: frames packets with the negotiated framing and routes them per link. */
export class Datapath {
  readonly links = new Map<number, DatapathLink>();
  readonly stats = { unknownLink: 0, transfersIn: 0, transfersOut: 0 };
  private readonly framing: PipeFraming;
  private flushQueued = false;
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
        this.stats.transfersOut++;
        pipe.send(t);
      },
      {
        packet: (link, packet) => this.fromModem(link, packet),
        command: (link, c) => (c instanceof Uint8Array ? this.qmapCommand(c) : this.options.log?.(`BAM-DMUX channel ${link.id} ${c}`)),
        drop: (reason, offset) => {
          // Counted by the framing (drops()); logged the first time and every 1000th, so a hostile modem cannot flood the log.
          const n = (this.dropsLogged.get(reason) ?? 0) + 1;
          this.dropsLogged.set(reason, n);
          if (n === 1 || n % 1000 === 0) this.options.log?.(`dropped downlink data (${reason}) at offset ${offset}${n > 1 ? ` (${n} so far)` : ''}`);
        },
      },
    );
    pipe.onTransfer((t) => {
      this.stats.transfersIn++;
      this.framing.receive(t);
    });
  }

  /** Carries link `id`'s packets through `netdev`. */
  attach(id: number, netdev: Netdev): DatapathLink {
    if (this.links.has(id)) throw new Error(`link ${id} is already attached`);
    const link: DatapathLink = { id, netdev, paused: false, queue: [], queueDropped: 0, pauses: 0 };
    this.links.set(id, link);
    const mux = ipLink(id);
    netdev.onTransmit((packet) => this.toModem(link, mux, packet));
    return link;
  }

  detach(id: number): DatapathLink | undefined {
    const link = this.links.get(id);
    this.links.delete(id);
    return link;
  }

  /** Tells the modem side of BAM-DMUX that the host opened or closed a channel. */
  channelCommand(id: number, command: 'open' | 'close'): void {
    this.framing.sendChannelCommand(ipLink(id), command);
  }

  /** What the framing dropped per direction and reason, and the transfers the pipe dropped for a modem not reading. */
  drops(): ReturnType<PipeFraming['drops']> & { pipeWrites: number } {
    return { ...this.framing.drops(), pipeWrites: this.pipe.writeDrops };
  }

  async close(): Promise<void> {
    this.framing.flush();
    // Netdevs outlive a datapath (a new one may take them over): stop forwarding theirs.
    this.links.clear();
    await this.pipe.close();
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
    if (!this.framing.send(mux, packet)) link.netdev.counters.txDropped++;
    this.scheduleFlush();
  }

  /** Packets sent in one tick share a transfer; the transfer leaves at the end of the tick. */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.framing.flush();
    });
  }

  private fromModem(link: MuxLink, packet: Uint8Array): void {
    const l = this.links.get(link.id);
    if (!l || link.kind !== 'ip') {
      this.stats.unknownLink++;
      return;
    }
    l.netdev.deliver(packet);
  }

  /** rmnet's answer to flow control: pause or wake the link, then ACK with the same bytes. */
  private qmapCommand(frame: Uint8Array): void {
    const cmd = parseQmapCommand(frame);
    if (!cmd) return;
    const link = this.links.get(cmd.muxId);
    if (!link || (cmd.name !== QMAP_FLOW_DISABLE && cmd.name !== QMAP_FLOW_ENABLE)) return;
    link.paused = cmd.name === QMAP_FLOW_DISABLE;
    if (link.paused) link.pauses++;
    this.options.log?.(`link ${link.id} ${link.paused ? 'paused' : 'resumed'} by the modem (QMAP flow control)`);
    const ack = qmapCommandAck(frame);
    if (ack) this.pipe.send(ack);
    if (!link.paused) {
      const mux = ipLink(link.id);
      for (const p of link.queue.splice(0)) this.framing.send(mux, p);
      this.scheduleFlush();
    }
  }
}
