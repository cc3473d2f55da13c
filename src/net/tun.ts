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
import { closeSync, readFileSync, readSync, writeSync } from 'node:fs';
import { native, type ReadableWatch } from '../native/index.js';
import { checkNetnsName, IpCommandError, ip } from './iproute.js';

// <linux/if_tun.h>
const IFF_TUN = 0x0001;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_NO_PI = 0x1000;
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
}

export interface TunListener {
  /** One packet the kernel sent out of the interface: a view valid until this returns. */
  packet(packet: Uint8Array): void;
  /** Reading failed (the interface was deleted, say); no more packets follow. */
  error(error: Error): void;
}

export class TunDevice {
  private readonly buffer = new Uint8Array(MAX_PACKET);
  private watch: ReadableWatch | null;
  private currentName: string;
  private currentNetns: string | undefined;

  /** Opens a TUN interface (down, no addresses) in this process's network namespace and starts reading. */
  static open(options: TunOptions, listener: TunListener): TunDevice {
    const template = options.name ?? 'wwantun%d';
    if (template === '' || Buffer.byteLength(template) > MAX_NAME_BYTES) {
      throw new RangeError(`interface name ${JSON.stringify(template)} must be 1..${MAX_NAME_BYTES} bytes`);
    }
    const flags = IFF_TUN | IFF_NO_PI | (options.multiQueue ? IFF_MULTI_QUEUE : 0);
    const { fd, name } = native().tunOpen(template, flags);
    return new TunDevice(fd, name, template, listener);
  }

  private constructor(
    private readonly fd: number,
    name: string,
    private readonly template: string,
    private readonly listener: TunListener,
  ) {
    this.currentName = name;
    this.watch = native().watchReadable(fd, (status) => this.readable(status));
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
    return this.watch === null;
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

  /** Hands one packet to the kernel as if it arrived on the interface. Throws if the kernel refuses it (EIO while down, EINVAL if not IP). */
  write(packet: Uint8Array): void {
    writeSync(this.fd, packet);
  }

  /** Closes the fd, which deletes the interface (it is not persistent). */
  close(): void {
    if (this.watch === null) return;
    native().unwatch(this.watch);
    this.watch = null;
    closeSync(this.fd);
  }

  private readable(status: number): void {
    if (status < 0) return this.fail(new Error(`TUN ${this.name}: poll failed (${status})`));
    for (let i = 0; i < READ_BATCH && this.watch !== null; i++) {
      let length: number;
      try {
        length = readSync(this.fd, this.buffer, 0, MAX_PACKET, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        return this.fail(new Error(`TUN ${this.name}: ${(e as Error).message}`));
      }
      this.listener.packet(this.buffer.subarray(0, length));
    }
  }

  private fail(error: Error): void {
    this.close();
    this.listener.error(error);
  }
}
