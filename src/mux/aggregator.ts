/**
 * The limits every aggregating framing shares: datagrams per transfer, bytes per transfer (the
 * builder's capacity) and an age limit, as rmnet's uplink aggregation and cdc_ncm's TX timer apply
 * them. The framing-specific layout lives in a TransferBuilder.
 */
import { dropCounts, systemClock } from './framing.js';
import type { Clock, DropCounts, Encapsulator, Link, TimerHandle, TransferSink } from './framing.js';

/** Lays packets into one reusable transfer buffer in a framing's format. */
export interface TransferBuilder<R extends string> {
  /** Every reason reject() may give. */
  readonly dropReasons: readonly R[];
  /** Why this packet can never be sent on this link, or null. */
  reject(link: Link, packet: Uint8Array): R | null;
  /** Writes the packet at the end of the open transfer; false (nothing written) if it does not fit. */
  append(link: Link, packet: Uint8Array, partial?: boolean): boolean;
  /** Packets in the open transfer. */
  readonly count: number;
  /** Bytes in the open transfer, and the most it may hold. */
  readonly length: number;
  readonly capacity: number;
  /** Completes the open transfer, returns it as a view of the buffer and starts an empty one. */
  finish(): Uint8Array;
}

export interface AggregationLimits {
  /** Packets per transfer; 1 sends every packet alone. */
  maxDatagrams: number;
  /** An open transfer is sent this long after its first packet; 0 waits until it is full. */
  timeLimitMs?: number;
  /** A packet arriving after this much silence is sent alone at once (rmnet: 10 ms); 0 disables. */
  idleBypassMs?: number;
}

export type AggregatorDropReason = 'too-large';

export class Aggregator<R extends string> implements Encapsulator<R | AggregatorDropReason> {
  readonly drops: DropCounts<R | AggregatorDropReason>;
  private readonly timeLimitMs: number;
  private readonly idleBypassMs: number;
  private openedAt = 0;
  private lastPacketAt = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | null = null;
  private readonly onTimer = (): void => {
    this.timer = null;
    this.flush();
  };

  constructor(
    private readonly builder: TransferBuilder<R>,
    private readonly limits: AggregationLimits,
    private readonly onTransfer: TransferSink,
    private readonly clock: Clock = systemClock,
  ) {
    this.drops = dropCounts<R | AggregatorDropReason>([...builder.dropReasons, 'too-large']);
    this.timeLimitMs = limits.timeLimitMs ?? 0;
    this.idleBypassMs = limits.idleBypassMs ?? 0;
  }

  send(link: Link, packet: Uint8Array, partial?: boolean): boolean {
    const b = this.builder;
    const rejected = b.reject(link, packet);
    if (rejected !== null) {
      this.drops[rejected]++;
      return false;
    }
    const now = this.timeLimitMs > 0 || this.idleBypassMs > 0 ? this.clock.now() : 0;
    const idle = this.idleBypassMs > 0 && now - this.lastPacketAt > this.idleBypassMs;
    this.lastPacketAt = now;
    if (b.count > 0 && !b.append(link, packet, partial)) this.flush();
    const opened = b.count === 0;
    if (opened) {
      if (!b.append(link, packet, partial)) {
        this.drops['too-large']++;
        return false;
      }
      this.openedAt = now;
    }
    const expired = !opened && this.timeLimitMs > 0 && now - this.openedAt > this.timeLimitMs;
    if (b.count >= this.limits.maxDatagrams || b.length === b.capacity || (opened && idle) || expired) {
      this.flush();
    } else if (opened && this.timeLimitMs > 0) {
      this.timer = this.clock.setTimer(this.timeLimitMs, this.onTimer);
    }
    return true;
  }

  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.builder.count > 0) this.onTransfer(this.builder.finish());
  }
}
