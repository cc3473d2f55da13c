/**
 * A network device as the datapath sees it: packets the stack sends (toward the modem) come out of
 * it, packets from the modem go into it. Backends: in memory, TUN, the kernel's own netdevs.
 */
import type { Ipv4Config, Ipv6Config } from '../wire/ip.js';

/** Packet and byte counters of a netdev. */
export interface NetdevCounters {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
}

/** Addresses and MTU given to a netdev when its bearer connects. */
export interface NetdevConfig {
  ipv4?: Ipv4Config;
  ipv6?: Ipv6Config;
  mtu?: number;
}

/** A link's network interface as the modem sees it: named, counted, configured, closed (in memory, TUN, or the kernel's own). */
export interface Netdev {
  readonly name: string;
  readonly kind: 'memory' | 'tun' | 'kernel';
  readonly counters: NetdevCounters;
  /** Addresses, routes, MTU, link up. */
  configure(config: NetdevConfig): Promise<void>;
  close(): Promise<void>;
}

/** A netdev whose packets pass through this thread: the userspace datapath takes and gives them here. */
export interface PacketNetdev extends Netdev {
  /** Packets the stack sends toward the modem. */
  onTransmit(listener: (packet: Uint8Array) => void): void;
  /** A packet from the modem for the stack; `checksumValid`: the modem verified its TCP/UDP checksum (QMAP checksum offload). */
  deliver(packet: Uint8Array, checksumValid?: boolean): void;
  /**
   * The link's framing asks the modem to finish TCP/UDP checksums (QMAPv5 checksum offload): packets
   * the stack sends may keep the partial checksum it left, where the modem finds the field. Netdevs
   * without the notion send finished checksums, as before.
   */
  partialChecksums?(on: boolean): void;
  /**
   * The pipe to the modem is full: stop taking packets from the stack (on) until released, as a
   * driver stops its queue, so they wait in the kernel instead of being taken and dropped.
   */
  holdTransmit?(on: boolean): void;
}

export const emptyCounters = (): NetdevCounters => ({ rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txDropped: 0 });

const COUNTER_NAMES = ['rxPackets', 'rxBytes', 'txPackets', 'txBytes', 'txDropped'] as const satisfies readonly (keyof NetdevCounters)[];
/** The bytes a netdev's counters take in memory shared between threads. */
export const SHARED_COUNTERS_BYTES = COUNTER_NAMES.length * Float64Array.BYTES_PER_ELEMENT;

/**
 * Counters kept in `memory` (SHARED_COUNTERS_BYTES of a SharedArrayBuffer): the thread that moves the
 * packets counts, and any other thread reads the same figures at once, without a message between them.
 */
export function sharedCounters(memory: SharedArrayBuffer): NetdevCounters {
  const cells = new Float64Array(memory, 0, COUNTER_NAMES.length);
  const counters = {} as NetdevCounters;
  COUNTER_NAMES.forEach((name, i) =>
    Object.defineProperty(counters, name, {
      enumerable: true,
      get: () => cells[i]!,
      set: (v: number) => void (cells[i] = v),
    }),
  );
  return counters;
}
