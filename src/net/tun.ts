/**
 * A TUN device: an IP interface whose packets come from and go to this process. One read is one
 * packet, one write is one packet (IFF_NO_PI: no header before the IP packet).
 *
 * Reading: the fd is a character device that libuv will not wrap (tty.ReadStream refuses it, a
 * net.Socket calls it an unsupported FILE), and a blocking fs.read on the thread pool would park a
 * pool thread in tun_do_read for as long as the link is quiet, which also hangs process.exit() until
 * a packet arrives. So the addon's watchReadable (a libuv poll handle) says when packets are waiting
 * and we read them here with non-blocking readSync calls until EAGAIN.
 *
 * Namespaces: the device is opened here and then moved (`ip link set … netns`); the fd stays attached.
 * Opening it from inside would need setns() on a thread of ours, which Node cannot confine.
 */
import { closeSync, readFileSync, readSync, writeSync, writevSync } from 'node:fs';
import { native, type ReadableWatch } from '../native/index.js';
import { finishChecksum, type PartialChecksum } from '../wire/checksum.js';
import { dropCounts } from '../wire/drops.js';
import { GSO_DROP_REASONS, VNET_HDR_LEN, segment } from './gso.js';
import { Coalescer } from './gro.js';
import { checkNetnsName, IpCommandError, ip } from './iproute.js';

// <linux/if_tun.h>
const IFF_TUN = 0x0001;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
// TUNSETOFFLOAD flags: checksum, TSO for IPv4 and IPv6, USO for IPv4 and IPv6 (Linux 6.2+).
const TUN_F_CSUM = 0x01;
const TUN_F_TSO4 = 0x02;
const TUN_F_TSO6 = 0x04;
const TUN_F_USO4 = 0x20;
const TUN_F_USO6 = 0x40;
/** What we ask for, then less where the kernel refuses (EINVAL for flags it does not know). */
const OFFLOAD_STEPS = [TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM];
/** Interface names are at most IFNAMSIZ - 1 bytes. */
const MAX_NAME_BYTES = 15;
/** The largest IP packet (without jumbograms): no read returns more. */
const MAX_PACKET = 65535;
/** Packets read per wakeup before the event loop gets a turn. */
const READ_BATCH = 64;

export interface TunOptions {
  /** The interface name, or a template with `%d` for the kernel to number (default `wwantun%d`). */
  name?: string;
  /** IFF_MULTI_QUEUE, which lets more fds attach to one interface; off by default. */
  multiQueue?: boolean;
  /**
   * TUN offloads (on by default; WWAN_TUN_OFFLOAD=0 in the environment turns the default off): the
   * kernel hands over TCP/UDP super-packets of up to 64 KiB with partial checksums, which are cut
   * into MTU-sized packets with complete checksums here (gso.ts), so one read carries many packets.
   * Off: one packet per read, as without IFF_VNET_HDR.
   */
  offload?: boolean;
}

export interface TunListener {
  /** One packet the kernel sent out of the interface: a view valid until this returns. */
  packet(packet: Uint8Array): void;
  /** Reading failed (the interface was deleted, say); no more packets follow. */
  error(error: Error): void;
  /**
   * With offloads, packets written are joined (gro.ts) and handed to the kernel when the burst ends
   * (a microtask later): those the kernel then refused (EIO while the link is down) are told here.
   */
  dropped?(packets: number, bytes: number): void;
}

export class TunDevice {
  private readonly buffer: Uint8Array;
  /** Where super-packets are cut into segments (offload only). */
  private readonly scratch: Uint8Array | undefined;
  /** Super-packets read (offload), each cut into several packets. */
  superPackets = 0;
  /** Reads dropped before any packet came out of them. */
  readonly drops = dropCounts(GSO_DROP_REASONS);
  /** The TUN_F_* offloads the kernel accepted (0: none, or offload off). */
  readonly offloads: number;
  /**
   * TCP/UDP packets read may keep the partial checksum the kernel left (the pseudo-header's sum in
   * the field) where a QMAP modem finds the field: set while the link's framing asks the modem to
   * finish them. Off: every checksum is finished here.
   */
  partialChecksums = false;
  private readonly emit = (packet: Uint8Array): void => this.listener.packet(packet);
  /** Offload only: packets written are joined into super-packets, one write each. */
  private readonly coalescer: Coalescer | undefined;
  private flushQueued = false;
  private readonly flushNow = (): void => {
    this.flushQueued = false;
    this.coalescer?.flush();
  };
  /** The poll handle while reading; null while held (hold()) or closed. */
  private watch: ReadableWatch | null;
  private isClosed = false;
  /** Reading stopped by hold(). */
  private held = false;
  private currentName: string;
  private currentNetns: string | undefined;

  /** Opens a TUN interface (down, no addresses) in this process's network namespace and starts reading. */
  static open(options: TunOptions, listener: TunListener): TunDevice {
    const template = options.name ?? 'wwantun%d';
    if (template === '' || Buffer.byteLength(template) > MAX_NAME_BYTES) {
      throw new RangeError(`interface name ${JSON.stringify(template)} must be 1..${MAX_NAME_BYTES} bytes`);
    }
    const vnet = options.offload ?? process.env.WWAN_TUN_OFFLOAD !== '0';
    const flags = IFF_TUN | IFF_NO_PI | (options.multiQueue ? IFF_MULTI_QUEUE : 0) | (vnet ? IFF_VNET_HDR : 0);
    const { fd, name } = native().tunOpen(template, flags);
    let offloads = 0;
    if (vnet) {
      for (const step of OFFLOAD_STEPS) {
        try {
          native().tunSetOffload(fd, step);
          offloads = step;
          break;
        } catch {
          // Fewer offloads next; with none the virtio header still comes, never a super-packet.
        }
      }
    }
    return new TunDevice(fd, name, template, listener, vnet, offloads);
  }

  private constructor(
    private readonly fd: number,
    name: string,
    private readonly template: string,
    private readonly listener: TunListener,
    private readonly vnet: boolean,
    offloads: number,
  ) {
    this.offloads = offloads;
    this.buffer = new Uint8Array(MAX_PACKET + (vnet ? VNET_HDR_LEN : 0));
    this.scratch = vnet ? new Uint8Array(MAX_PACKET) : undefined;
    this.coalescer = vnet
      ? new Coalescer((header, packet, packets, bytes) => {
          if (this.isClosed) return;
          try {
            writevSync(this.fd, [header, packet]);
          } catch {
            this.listener.dropped?.(packets, bytes);
          }
        })
      : undefined;
    this.currentName = name;
    this.watch = native().watchReadable(fd, (status) => this.readable(status));
  }

  /** The open file (the datapath thread's owner closes it should that thread die). */
  get descriptor(): number {
    return this.fd;
  }

  /** The interface's name as the kernel chose it. */
  get name(): string {
    return this.currentName;
  }

  /** The network namespace it is in; undefined for ours. */
  get netns(): string | undefined {
    return this.currentNetns;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Stops (on) or resumes reading what the stack sends, as a driver stops its queue while the device
   * is full: packets wait in the kernel's queue, and TCP holds back, instead of being read and dropped.
   */
  hold(on: boolean): void {
    if (this.isClosed || on === this.held) return;
    this.held = on;
    if (on) {
      native().unwatch(this.watch!);
      this.watch = null;
    } else this.watch = native().watchReadable(this.fd, (status) => this.readable(status));
  }

  /**
   * Moves the interface into network namespace `netns`. If its name is taken there, it moves under
   * the open template instead and the kernel's choice is read back from the fd (fdinfo `iff:`).
   */
  async moveToNetns(netns: string): Promise<void> {
    checkNetnsName(netns);
    const move = ['link', 'set', 'dev', this.currentName, 'netns', netns];
    try {
      await ip(move, this.currentNetns);
    } catch (e) {
      if (!(e instanceof IpCommandError && /same name exists|File exists/.test(e.message))) throw e;
      await ip([...move, 'name', this.template], this.currentNetns);
    }
    this.currentNetns = netns;
    this.currentName = /^iff:\t(.+)$/m.exec(readFileSync(`/proc/self/fdinfo/${this.fd}`, 'utf8'))?.[1] ?? this.currentName;
  }

  /**
   * Hands one packet to the kernel as if it arrived on the interface. Without offloads it is written
   * now and a refusal throws (EIO while down, EINVAL if not IP); with them, consecutive TCP segments
   * of a burst are joined and written when the burst ends (this call's microtask), and a refusal is
   * told to the listener's `dropped`. A `partial` checksum goes to the kernel as one (NEEDS_CSUM),
   * or is finished here without offloads. `checksumValid`: the modem verified the TCP checksum, so
   * joining trusts it and the kernel is told so (DATA_VALID), as rmnet marks CHECKSUM_UNNECESSARY.
   */
  write(packet: Uint8Array, partial?: PartialChecksum, checksumValid?: boolean): void {
    if (!this.coalescer) {
      if (partial) finishChecksum(packet, partial.start, partial.offset);
      writeSync(this.fd, packet);
      return;
    }
    this.coalescer.push(packet, partial, checksumValid);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushNow);
    }
  }

  /** Packets written that were joined into another (one kernel write saved each). */
  get joined(): number {
    return this.coalescer?.joined ?? 0;
  }

  /** Closes the fd, which deletes the interface (it is not persistent). */
  close(): void {
    if (this.isClosed) return;
    this.coalescer?.flush();
    if (this.watch) native().unwatch(this.watch);
    this.watch = null;
    this.isClosed = true;
    closeSync(this.fd);
  }

  private readable(status: number): void {
    if (status < 0) return this.fail(new Error(`TUN ${this.name}: poll failed (${status})`));
    for (let i = 0; i < READ_BATCH && this.watch !== null; i++) {
      let length: number;
      try {
        length = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        return this.fail(new Error(`TUN ${this.name}: ${(e as Error).message}`));
      }
      if (!this.vnet) this.listener.packet(this.buffer.subarray(0, length));
      else {
        if (this.buffer[1] !== 0) this.superPackets++;
        const dropped = segment(this.buffer.subarray(0, length), this.scratch!, this.emit, this.partialChecksums);
        if (dropped) this.drops[dropped]++;
      }
    }
  }

  private fail(error: Error): void {
    this.close();
    this.listener.error(error);
  }
}
