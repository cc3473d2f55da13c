/**
 * When an open transfer leaves the pipe: the one flush policy of host and simulator. With a negotiated
 * time limit the framing's aggregation timer sends it (at most that long after its first packet, or
 * sooner once full), so packets a few ticks apart still share a transfer; without one, packets queued
 * in one tick share a transfer that leaves at the end of the tick.
 */
import type { PipeFraming, PipeFormat } from '../mux/pipe.js';

/** The time limit a format gives what this side sends; 0 when it has none. */
export function timeLimitMs(format: PipeFormat): number {
  return format.framing === 'qmap' || format.framing === 'ntb' ? (format.timeLimitMs ?? 0) : 0;
}

export class Pump {
  private flushQueued = false;
  private readonly timed: boolean;

  constructor(private readonly framing: PipeFraming) {
    this.timed = timeLimitMs(framing.format) > 0;
  }

  /** Packets were queued on the framing. */
  sent(): void {
    if (this.timed || this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.framing.flush();
    });
  }
}
