/**
 * A link's netdev as a TUN device: what the kernel routes out of it goes to the modem, what the
 * modem sends is written into it. Addresses, MTU and link state are set with `ip`.
 */
import { ip } from './iproute.js';
import { emptyCounters, type NetdevConfig, type NetdevCounters, type PacketNetdev } from './netdev.js';
import { TunDevice } from './tun.js';

/** Packets the kernel queues for a link's TUN (TUN's default is 500). */
export const TUN_TX_QUEUE = 4096;

/** A link as a kernel TUN device, so the system's own tools (ping, ip) send through the bearer. */
export class TunNetdev implements PacketNetdev {
  readonly kind = 'tun';
  private readonly listeners: ((packet: Uint8Array) => void)[] = [];
  private readonly tun: TunDevice;

  /** `counters`: where to count (shared memory when another thread reads them). */
  constructor(
    name: string,
    readonly counters: NetdevCounters = emptyCounters(),
  ) {
    this.tun = TunDevice.open(
      { name },
      {
        packet: (p) => {
          this.counters.txPackets++;
          this.counters.txBytes += p.length;
          for (const l of this.listeners) l(p);
        },
        error: () => undefined,
        // Written a burst later (offloads): what the kernel refused is taken back from rx.
        dropped: (packets, bytes) => {
          this.counters.rxPackets -= packets;
          this.counters.rxBytes -= bytes;
          this.counters.txDropped += packets;
        },
      },
    );
  }

  get name(): string {
    return this.tun.name;
  }

  /** The TUN's file descriptor. */
  get fd(): number {
    return this.tun.descriptor;
  }

  partialChecksums(on: boolean): void {
    this.tun.partialChecksums = on;
  }

  holdTransmit(on: boolean): void {
    this.tun.hold(on);
  }

  onTransmit(listener: (packet: Uint8Array) => void): void {
    this.listeners.push(listener);
  }

  deliver(packet: Uint8Array, checksumValid?: boolean): void {
    try {
      this.tun.write(packet, undefined, checksumValid);
      this.counters.rxPackets++;
      this.counters.rxBytes += packet.length;
    } catch {
      // The kernel refuses packets while the link is down: counted, not fatal.
      this.counters.txDropped++;
    }
  }

  configure(config: NetdevConfig): Promise<void> {
    return configureTun(this.tun.name, config);
  }

  async close(): Promise<void> {
    this.tun.close();
  }
}

/** Addresses, MTU, queue length and link state of TUN `name`, set with `ip` (from any thread: the kernel knows it by name). */
export async function configureTun(name: string, config: NetdevConfig): Promise<void> {
  await ip(['addr', 'flush', 'dev', name]);
  if (config.mtu) await ip(['link', 'set', 'dev', name, 'mtu', String(config.mtu)]);
  // While the datapath holds the TUN (its pipe congested), the kernel's queue keeps what TCP's
  // small-queue budget lets a flow put below it (tcp_limit_output_bytes, 4 MiB by default): 500
  // packets of 1500 bytes drop the rest where the kernel hands no super-packets over.
  await ip(['link', 'set', 'dev', name, 'txqueuelen', String(TUN_TX_QUEUE)]);
  await ip(['link', 'set', 'dev', name, 'up']);
  if (config.ipv4) await ip(['addr', 'add', `${config.ipv4.address}/${config.ipv4.prefix}`, 'dev', name]);
  if (config.ipv6) await ip(['-6', 'addr', 'add', `${config.ipv6.address}/${config.ipv6.prefix}`, 'dev', name, 'nodad']);
}
