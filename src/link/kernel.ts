/**
 * The kernel backend: the kernel's drivers carry the data (qmimux, rmnet, wwan links, cdc_mbim VLANs,
 * bam-dmux), and attaching a link runs the plan of net/kernel.ts: for real, or printed by --dry-run.
 * A stream link (DSS session n, cdc_mbim only) is VLAN 256 + n on the MBIM netdev, each of its
 * datagrams one DSS payload, read and written through a packet socket bound to the VLAN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipeFormat } from '../mux/pipe.js';
import { DSS_VLAN_BASE, KernelNetdev, type KernelDevice, type StepRunner } from '../net/kernel.js';
import type { Netdev } from '../net/netdev.js';
import { ETHERTYPE_LOCAL_EXPERIMENTAL, PacketSocket } from '../net/packet-socket.js';
import { ConfigError } from '../wire/errors.js';
import type { IpLinkConfig, LinkBackend, LinkTopology, StreamPort } from './backend.js';

interface KernelStream {
  vlan: KernelNetdev;
  /** Absent in a dry run: nothing is carried. */
  socket?: PacketSocket;
}

/** A stream VLAN's datagrams when its MTU cannot be read (a dry run): the MBIM netdev's default. */
const DEFAULT_MTU = 1500;

export class KernelBackend implements LinkBackend {
  readonly kind = 'kernel';
  format: PipeFormat | undefined;
  private readonly netdevs = new Map<number, KernelNetdev>();
  private readonly streams = new Map<number, KernelStream>();

  constructor(
    readonly device: KernelDevice,
    /** Runs the steps (absent: this daemon does not drive the kernel). */
    private readonly runner: StepRunner | undefined,
    /** Netdev names taken on this host (qmimux names count creations). */
    private readonly existing: () => readonly string[],
  ) {}

  async setFormat(format: PipeFormat): Promise<void> {
    this.needNetdev();
    this.format = format;
  }

  async attach(id: number, config: IpLinkConfig): Promise<Netdev> {
    const had = this.netdevs.get(id);
    if (had) return had;
    this.needNetdev();
    const netdev = await KernelNetdev.create(this.device, id, this.steps(), this.existing(), config.downlinkMaxSize);
    this.netdevs.set(id, netdev);
    return netdev;
  }

  /** A modem found without its data netdev (a QRTR node on a host with no IPA or MHI netdev) cannot carry data. */
  private needNetdev(): void {
    if (!this.device.netdev) throw new ConfigError(`no data netdev: this modem's data goes through the kernel (${this.device.driver}), and no ${this.device.driver} netdev was found`);
  }

  async detach(id: number): Promise<void> {
    const netdev = this.netdevs.get(id);
    this.netdevs.delete(id);
    await netdev?.close().catch(() => undefined);
  }

  async attachStream(session: number): Promise<StreamPort> {
    if (this.device.driver !== 'cdc_mbim') throw new ConfigError(`DSS session ${session}: device service streams ride cdc_mbim's VLANs 256..511; ${this.device.driver} has none`);
    if (!Number.isInteger(session) || session < 0 || session > 255) throw new ConfigError(`a DSS session id is 0..255, not ${String(session).slice(0, 16)}`);
    if (this.streams.has(session)) throw new ConfigError(`stream ${session} is already attached`);
    const runner = this.steps();
    const vlan = await KernelNetdev.create(this.device, DSS_VLAN_BASE + session, runner, this.existing());
    const receivers: ((payload: Uint8Array) => void)[] = [];
    const stream: KernelStream = { vlan };
    if (runner.readBack) {
      try {
        stream.socket = PacketSocket.open(vlan.name, ETHERTYPE_LOCAL_EXPERIMENTAL, (p) => {
          for (const r of receivers) r(p);
        });
      } catch (e) {
        await vlan.close().catch(() => undefined);
        throw new ConfigError(`DSS session ${session}: cannot read and write ${vlan.name}: ${(e as Error).message}`);
      }
    }
    this.streams.set(session, stream);
    return {
      name: `${this.device.netdev}-dss${session}`,
      maxDatagram: this.mtu(vlan.name),
      send: (payload) => (this.streams.get(session) === stream && stream.socket?.send(payload)) || false,
      onData: (receive) => void receivers.push(receive),
    };
  }

  async detachStream(session: number): Promise<void> {
    const stream = this.streams.get(session);
    if (!stream) return;
    this.streams.delete(session);
    stream.socket?.close();
    // The device may be gone already, and its VLANs with it.
    await stream.vlan.close().catch(() => undefined);
  }

  topology(id: number, kind: 'ip' | 'stream'): LinkTopology | undefined {
    const netdev = kind === 'ip' ? this.netdevs.get(id) : this.streams.get(id)?.vlan;
    return netdev && { lower: this.device.netdev, upper: netdev.name };
  }

  stats(): Record<string, unknown> {
    const streams = [...this.streams].filter(([, s]) => s.socket).map(([session, s]) => [`dss${session}`, { netdev: s.vlan.name, ...s.socket!.counters, drops: { ...s.socket!.drops } }]);
    return streams.length ? { streams: Object.fromEntries(streams) } : {};
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((session) => this.detachStream(session)));
  }

  private steps(): StepRunner {
    if (!this.runner) throw new ConfigError('this daemon does not drive the kernel datapath (start it with --kernel or --dry-run)');
    return this.runner;
  }

  private mtu(netdev: string): number {
    try {
      return Number(readFileSync(join(this.device.sysfs ?? '/sys', 'class/net', netdev, 'mtu'), 'utf8')) || DEFAULT_MTU;
    } catch {
      return DEFAULT_MTU;
    }
  }
}
