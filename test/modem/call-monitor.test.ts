import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMonitor, callCheckSchedule } from '../../src/modem/call-monitor.js';

const defaults = { periodMs: 10_000, perModemMs: 25, minTickMs: 250 };

/** Modems that count their checks; a check takes `delayMs` of (fake) time. */
function modems(n: number, delayMs = 0): { checks: number[]; list: { checkSessions(): Promise<void> }[] } {
  const checks = new Array<number>(n).fill(0);
  const list = checks.map((_, i) => ({
    checkSessions: async (): Promise<void> => {
      checks[i]!++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    },
  }));
  return { checks, list };
}

afterEach(() => vi.useRealTimers());

describe('the call monitor', () => {
  it('checks every modem once a period, in batches, for one modem and for a thousand', () => {
    expect(callCheckSchedule(1, defaults)).toEqual({ tickMs: 10_000, batch: 1 });
    expect(callCheckSchedule(10, defaults)).toEqual({ tickMs: 1000, batch: 1 });
    expect(callCheckSchedule(1000, defaults)).toEqual({ tickMs: 250, batch: 10 });
    expect(callCheckSchedule(0, defaults).batch).toBe(0);
  });

  it('spreads a fleet evenly: over any second the same number of modems are checked, and each once per period', async () => {
    vi.useFakeTimers();
    const { checks, list } = modems(1000);
    const monitor = new CallMonitor(() => list);
    monitor.start();
    await vi.advanceTimersByTimeAsync(9_999); // the first round starts a period after the start
    const perSecond: number[] = [];
    for (let s = 0; s < 25; s++) {
      const before = checks.reduce((a, b) => a + b, 0);
      await vi.advanceTimersByTimeAsync(1000);
      perSecond.push(checks.reduce((a, b) => a + b, 0) - before);
    }
    monitor.stop();
    // 1,000 modems over the stretched 25 s period: 40 a second, never a burst of all of them.
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(50);
    expect(Math.min(...perSecond)).toBeGreaterThanOrEqual(30);
    expect(new Set(checks)).toEqual(new Set([1]));
  });

  it('waits for a slow batch before the next, and stops for good', async () => {
    vi.useFakeTimers();
    const { checks, list } = modems(2, 30_000);
    const monitor = new CallMonitor(() => list);
    monitor.start();
    await vi.advanceTimersByTimeAsync(10_000 + 60_000);
    // Each check hangs 30 s: one modem a tick (5 s), so at most three checks fit in 70 s.
    expect(checks.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3);
    monitor.stop();
    const after = [...checks];
    await vi.advanceTimersByTimeAsync(120_000);
    expect(checks).toEqual(after);
    expect(vi.getTimerCount()).toBe(0);
  });
});
