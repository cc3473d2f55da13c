/**
 * The userspace backend: the modem's data pipe is read and written by this process. Each IP link's
 * packets go through a netdev made here (TUN or in memory), each stream link's datagrams through a
 * StreamPort, all framed on the one pipe by the Datapath.
 */
import type { Clock } from '../mux/framing.js';
import type { PipeFormat } from '../mux/pipe.js';
import type { Netdev, PacketNetdev } from '../net/netdev.js';
import type { IpLinkConfig, LinkBackend, LinkTopology, StreamPort } from './backend.js';
import type { DataPipe } from './data-pipe.js';
import { Datapath } from './datapath.js';

export interface UserspaceBackendOptions {
  /** Makes the netdev of a new IP link (TUN, in memory). */
  netdev: (name: string, linkId: number) => Promise<PacketNetdev>;
  /** Opens the data pipe; absent, links get netdevs but nothing carries their packets. */
  pipe?: () => Promise<DataPipe>;
  /** Packets a link paused by flow control may hold. */
  queueLimit?: number;
  log?: (line: string) => void;
  clock?: Clock;
}

interface StreamLink {
  receivers: ((payload: Uint8Array) => void)[];
  send?: (payload: Uint8Array) => boolean;
}

export class UserspaceBackend implements LinkBackend {
  readonly kind = 'userspace';
  datapath: Datapath | undefined;
  private current: PipeFormat | undefined;
  private readonly netdevs = new Map<number, PacketNetdev>();
  private readonly streams = new Map<number, StreamLink>();

  constructor(private readonly options: UserspaceBackendOptions) {}

  get format(): PipeFormat | undefined {
    return this.current;
  }

  async setFormat(format: PipeFormat): Promise<void> {
    // The same format after a reset: the pipe and its links carry on as they are.
    const same = this.current !== undefined && JSON.stringify(this.current) === JSON.stringify(format);
    this.current = format;
    if (same && (this.datapath || !this.options.pipe)) return;
    await this.datapath?.close().catch(() => undefined);
    this.datapath = undefined;
    if (!this.options.pipe) return;
    this.datapath = new Datapath(await this.options.pipe(), format, { log: this.options.log, queueLimit: this.options.queueLimit, clock: this.options.clock });
    for (const [id, netdev] of this.netdevs) this.datapath.attach(id, netdev);
    for (const [session, stream] of this.streams) this.carry(session, stream);
  }

  async attach(id: number, config: IpLinkConfig): Promise<Netdev> {
    let netdev = this.netdevs.get(id);
    if (!netdev) {
      netdev = await this.options.netdev(config.name, id);
      this.netdevs.set(id, netdev);
    }
    if (this.datapath && this.datapath.links.get(id)?.netdev !== netdev) this.datapath.attach(id, netdev);
    return netdev;
  }

  async detach(id: number): Promise<void> {
    const netdev = this.netdevs.get(id);
    this.netdevs.delete(id);
    this.datapath?.detach(id);
    await netdev?.close().catch(() => undefined);
  }

  async attachStream(session: number): Promise<StreamPort> {
    if (this.streams.has(session)) throw new Error(`stream ${session} is already attached`);
    const stream: StreamLink = { receivers: [] };
    this.streams.set(session, stream);
    this.carry(session, stream);
    return {
      send: (payload) => this.streams.get(session) === stream && (stream.send?.(payload) ?? false),
      onData: (receive) => void stream.receivers.push(receive),
    };
  }

  async detachStream(session: number): Promise<void> {
    this.streams.delete(session);
    this.datapath?.detachStream(session);
  }

  topology(id: number, kind: 'ip' | 'stream'): LinkTopology | undefined {
    const lower = this.datapath?.pipe.description ?? 'no pipe';
    if (kind === 'ip') {
      const netdev = this.netdevs.get(id);
      const channel = this.datapath?.channelState(id);
      return netdev && { lower, upper: netdev.name, ...(channel ? { channel: { ...channel } } : {}) };
    }
    return this.streams.has(id) ? { lower, upper: `dss${id}` } : undefined;
  }

  stats(): Record<string, unknown> {
    return this.datapath ? { ...this.datapath.stats, drops: this.datapath.drops() } : {};
  }

  async close(): Promise<void> {
    this.streams.clear();
    await this.datapath?.close().catch(() => undefined);
  }

  private carry(session: number, stream: StreamLink): void {
    if (!this.datapath) return;
    stream.send = this.datapath.attachStream(session, (payload) => {
      for (const r of stream.receivers) r(payload);
    });
  }
}
