/**
 * The kernel backend: the kernel's drivers carry the data (qmimux, rmnet, wwan links, cdc_mbim VLANs,
 * bam-dmux), and attaching a link runs the plan of net/kernel.ts: for real, or printed by --dry-run.
 */
import type { PipeFormat } from '../mux/pipe.js';
import { KernelNetdev, type KernelDevice, type StepRunner } from '../net/kernel.js';
import type { Netdev } from '../net/netdev.js';
import { ConfigError } from '../wire/errors.js';
import type { IpLinkConfig, LinkBackend, LinkTopology, StreamPort } from './backend.js';

export class KernelBackend implements LinkBackend {
  readonly kind = 'kernel';
  format: PipeFormat | undefined;
  private readonly netdevs = new Map<number, KernelNetdev>();

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
    if (!this.runner) throw new ConfigError('this daemon does not drive the kernel datapath (start it with --kernel or --dry-run)');
    const netdev = await KernelNetdev.create(this.device, id, this.runner, this.existing(), config.downlinkMaxSize);
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
    throw new ConfigError(`DSS session ${session}: streams on the kernel datapath are not carried by this daemon yet (use the userspace pipe)`);
  }

  async detachStream(): Promise<void> {}

  topology(id: number, kind: 'ip' | 'stream'): LinkTopology | undefined {
    const netdev = kind === 'ip' ? this.netdevs.get(id) : undefined;
    return netdev && { lower: this.device.netdev, upper: netdev.name };
  }

  stats(): Record<string, unknown> {
    return {};
  }

  async close(): Promise<void> {}
}
