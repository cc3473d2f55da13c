/**
 * One interface's datagrams through an AF_PACKET socket: what arrives is handed over without its
 * link-layer header, what is sent gets one (the broadcast address, a given ethertype) from the kernel.
 * The kernel datapath carries DSS streams this way on cdc_mbim's VLANs 256..511, where each datagram is
 * one DSS payload. Reading waits on the addon's readiness watch (as TunDevice does) and takes what is
 * queued with non-blocking reads; a datagram the kernel will not take is counted, never thrown.
 */
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import { native, type ReadableWatch } from '../native/index.js';
import { dropCounts } from '../wire/drops.js';

/** Why a datagram toward the interface was not sent. */
export const PACKET_DROP_REASONS = ['queue-full', 'too-long', 'link-down', 'closed', 'refused'] as const;
export type PacketDropReason = (typeof PACKET_DROP_REASONS)[number];

/** An ethertype from the IEEE's local experimental range: not IP, so cdc_mbim routes it to a DSS session. */
export const ETHERTYPE_LOCAL_EXPERIMENTAL = 0x88b5;

/** Datagrams taken per readiness callback, so one busy link cannot hold the event loop. */
const READS_PER_WAKEUP = 64;

const { EAGAIN, ENOBUFS, EMSGSIZE, ENETDOWN, ENXIO, ENODEV } = constants.errno;

function dropReason(errno: number): PacketDropReason {
  if (errno === EAGAIN || errno === ENOBUFS) return 'queue-full';
  if (errno === EMSGSIZE) return 'too-long';
  if (errno === ENETDOWN || errno === ENXIO || errno === ENODEV) return 'link-down';
  return 'refused';
}

export class PacketSocket {
  /**
   * readErrors: the interface went down or away. The kernel reports that once (ENETDOWN) and libuv
   * stops watching an fd that reported an error, so the watch is renewed: the socket carries on when
   * the interface is up again, and sends while it is gone are counted as `link-down`.
   */
  readonly counters = { rxDatagrams: 0, rxBytes: 0, txDatagrams: 0, txBytes: 0, readErrors: 0 };
  readonly drops = dropCounts(PACKET_DROP_REASONS);
  private watch: ReadableWatch | null;

  private constructor(
    readonly ifname: string,
    private readonly fd: number,
    private readonly ifindex: number,
    private readonly ethertype: number,
    private readonly receive: (payload: Uint8Array) => void,
  ) {
    this.watch = this.watchFd();
  }

  /** Opens `ifname` (root or CAP_NET_RAW); throws with the kernel's reason. */
  static open(ifname: string, ethertype: number, receive: (payload: Uint8Array) => void): PacketSocket {
    const { fd, ifindex } = native().packetOpen(ifname);
    return new PacketSocket(ifname, fd, ifindex, ethertype, receive);
  }

  get closed(): boolean {
    return this.watch === null;
  }

  /** Sends one datagram; false (and counted by reason) when the kernel did not take it. */
  send(payload: Uint8Array): boolean {
    if (this.closed) {
      this.drops.closed++;
      return false;
    }
    const n = native().packetSend(this.fd, this.ifindex, this.ethertype, payload);
    if (n < 0) {
      this.drops[dropReason(-n)]++;
      return false;
    }
    this.counters.txDatagrams++;
    this.counters.txBytes += payload.length;
    return true;
  }

  close(): void {
    if (!this.watch) return;
    native().unwatch(this.watch);
    this.watch = null;
    closeSync(this.fd);
  }

  private watchFd(): ReadableWatch {
    return native().watchReadable(this.fd, (status) => this.readable(status));
  }

  private readable(status: number): void {
    if (!this.watch) return;
    if (status < 0) {
      this.counters.readErrors++;
      // Takes the pending error, then watches again (the old watch is closed before the new one starts).
      this.recv();
      native().unwatch(this.watch);
      this.watch = this.watchFd();
      return;
    }
    for (let i = 0; i < READS_PER_WAKEUP; i++) {
      const datagram = this.recv();
      if (!datagram) return;
      this.counters.rxDatagrams++;
      this.counters.rxBytes += datagram.length;
      this.receive(datagram);
    }
  }

  /** The next datagram; null when none is queued or the socket reported its error (counted by the caller). */
  private recv(): Buffer | null {
    try {
      return native().packetRecv(this.fd);
    } catch {
      return null;
    }
  }
}
