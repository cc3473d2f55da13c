/** A netdev in memory: for tests and for machines without TUN. `send()` plays the stack's part. */
import { emptyCounters, type NetdevConfig, type PacketNetdev } from './netdev.js';

/** A link as an in-process packet queue (no kernel device): for tests, the demo and the simulator. */
export class MemoryNetdev implements PacketNetdev {
  readonly kind = 'memory';
  readonly counters = emptyCounters();
  config: NetdevConfig = {};
  private transmit: ((packet: Uint8Array) => void)[] = [];
  private readonly received: ((packet: Uint8Array) => void)[] = [];

  constructor(readonly name: string) {}

  onTransmit(listener: (packet: Uint8Array) => void): void {
    this.transmit.push(listener);
  }

  /** As the stack sending a packet out of this device. */
  send(packet: Uint8Array): void {
    this.counters.txPackets++;
    this.counters.txBytes += packet.length;
    for (const l of this.transmit) l(packet);
  }

  /** Packets the modem delivered (copies: the datapath's views are only valid during the call). */
  onReceive(listener: (packet: Uint8Array) => void): void {
    this.received.push(listener);
  }

  deliver(packet: Uint8Array): void {
    this.counters.rxPackets++;
    this.counters.rxBytes += packet.length;
    if (this.received.length === 0) return;
    const copy = packet.slice();
    for (const l of this.received) l(copy);
  }

  async configure(config: NetdevConfig): Promise<void> {
    this.config = config;
  }

  async close(): Promise<void> {
    this.transmit = [];
  }
}
