/**
 * ModemManager's connection monitor for a whole manager: connected bearers' calls are checked with
 * their modems so that a lost call-ended indication cannot leave a bearer 'connected' with no call.
 * One timer for every modem, rolling through them: each modem is checked once a period (10 s,
 * stretched to 25 ms a modem for fleets, so a thousand modems cost ~40 checks a second), a batch per
 * tick, so the load is even instead of a burst of every modem at once.
 */
export interface CallChecked {
  checkSessions(): Promise<unknown>;
}

export interface CallMonitorOptions {
  /** How often each modem is checked, at least. */
  periodMs?: number;
  /** The period is stretched to this much per modem. */
  perModemMs?: number;
  /** The shortest tick: a fleet's modems are checked in batches, not a wake-up each. */
  minTickMs?: number;
}

/** How often the monitor wakes and how many modems it checks each time. */
export function callCheckSchedule(modems: number, o: Required<CallMonitorOptions>): { tickMs: number; batch: number } {
  const period = Math.max(o.periodMs, modems * o.perModemMs);
  const tickMs = Math.max(o.minTickMs, period / Math.max(1, modems));
  return { tickMs, batch: Math.min(modems, Math.ceil((modems * tickMs) / period)) };
}

export class CallMonitor {
  private timer: NodeJS.Timeout | undefined;
  private cursor = 0;
  private stopped = false;
  private readonly o: Required<CallMonitorOptions>;

  constructor(
    private readonly modems: () => readonly CallChecked[],
    options: CallMonitorOptions = {},
  ) {
    this.o = { periodMs: 10_000, perModemMs: 25, minTickMs: 250, ...options };
  }

  /** Starts the first round a period from now; again is a no-op. */
  start(): void {
    if (!this.stopped) this.timer ??= setTimeout(() => this.tick(), this.o.periodMs).unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    const modems = this.modems();
    const { tickMs, batch } = callCheckSchedule(modems.length, this.o);
    const due = Array.from({ length: batch }, (_, i) => modems[(this.cursor + i) % modems.length]!);
    this.cursor = modems.length > 0 ? (this.cursor + batch) % modems.length : 0;
    // The next tick waits for this batch, so a slow modem never piles checks up.
    void Promise.all(due.map((m) => m.checkSessions().catch(() => undefined))).then(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), tickMs).unref();
    });
  }
}
