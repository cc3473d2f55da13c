/**
 * When an open transfer leaves the pipe: the one flush policy of host and simulator. Without a
 * negotiated time limit, packets queued in one tick share a transfer that leaves at the end of the
 * tick. With one, the framing's aggregation timer sends a transfer at most that long after its first
 * packet (or sooner once full), so packets trickling in a few ticks apart still share a transfer —
 * but a tick that filled a transfer was a burst, and its tail leaves at the end of that tick: the
 * next packets come a round trip later, and holding the tail for the timer (Node's fire after a
 * millisecond at best) would add that to every burst's round trip.
 */
import type { PipeFraming, PipeFormat } from '../mux/pipe.js';

/** The time limit a format gives what this side sends; 0 when it has none. */
export function timeLimitMs(format: PipeFormat): number {
  return format.framing === 'qmap' || format.framing === 'ntb' ? (format.timeLimitMs ?? 0) : 0;
}

export class Pump {
  private flushQueued = false;
  private readonly timed: boolean;
  /** The pipe's transfer count when this tick's first packet was queued. */
  private transfersBefore = 0;
  private readonly endOfTick = (): void => {
    this.flushQueued = false;
    if (!this.timed || this.framing.transfers !== this.transfersBefore) this.framing.flush();
  };

  constructor(private readonly framing: PipeFraming) {
    this.timed = timeLimitMs(framing.format) > 0;
  }

  /** Packets were queued on the framing. */
  sent(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.transfersBefore = this.framing.transfers;
    queueMicrotask(this.endOfTick);
  }
}
