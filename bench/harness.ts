/**
 * Benchmarks print one JSON line per figure, always beside a baseline measured in the same run
 * (machines are noisy, so only the ratio to the baseline is comparable across runs).
 */
export interface Rate {
  /** Operations per second. */
  opsPerSec: number;
  /** Operations timed. */
  ops: number;
  ms: number;
  /**
   * Operations per second of this process's CPU time (all its threads, the collector's included): on a
   * loaded machine the wall-clock rate mostly measures the share of a core the process got.
   */
  cpuOpsPerSec: number;
}

/** Runs `fn` (which performs `batch` operations per call) for about `ms` milliseconds after a warm-up. */
export function measure(fn: () => void, batch = 1, ms = Number(process.env.BENCH_MS ?? 400)): Rate {
  const warmEnd = performance.now() + Math.min(100, ms / 4);
  while (performance.now() < warmEnd) fn();
  let calls = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let now = start;
  const end = start + ms;
  while (now < end) {
    for (let i = 0; i < 16; i++) fn();
    calls += 16;
    now = performance.now();
  }
  const elapsed = now - start;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: (calls * batch * 1000) / elapsed, ops: calls * batch, ms: elapsed, cpuOpsPerSec: (calls * batch * 1e6) / Math.max(1, used.user + used.system) };
}

/** Like measure(), for an async operation run sequentially. */
export async function measureAsync(fn: () => Promise<void>, ms = Number(process.env.BENCH_MS ?? 400)): Promise<Rate> {
  const warmEnd = performance.now() + Math.min(100, ms / 4);
  while (performance.now() < warmEnd) await fn();
  let calls = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now < start + ms) {
    await fn();
    calls++;
    now = performance.now();
  }
  const elapsed = now - start;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: (calls * 1000) / elapsed, ops: calls, ms: elapsed, cpuOpsPerSec: (calls * 1e6) / Math.max(1, used.user + used.system) };
}

export interface Figure {
  /** Dotted name, e.g. `qmi.decode.getIds`. */
  bench: string;
  unit: string;
  value: number;
  baseline: { name: string; value: number };
  /** Extra facts: bytes per op, packet size, Gbit/s… */
  [extra: string]: unknown;
}

export function report(f: Figure): void {
  const round = (v: number): number => (v >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000);
  const out = {
    ...f,
    value: round(f.value),
    baseline: { ...f.baseline, value: round(f.baseline.value) },
    ratioToBaseline: round(f.value / f.baseline.value),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** A figure's rate and its baseline's per CPU second (see Rate.cpuOpsPerSec), as extra facts beside the wall-clock ones. */
export const perCpuSecond = (r: Rate, base: Rate): { perCpuSecond: number; baselinePerCpuSecond: number } => ({
  perCpuSecond: Math.round(r.cpuOpsPerSec),
  baselinePerCpuSecond: Math.round(base.cpuOpsPerSec),
});

/** The common baseline: copying the same bytes, one copy per op. */
export function memcpyRate(size: number, ms?: number): Rate {
  const src = new Uint8Array(size).fill(7);
  const dst = new Uint8Array(size);
  return measure(() => dst.set(src), 1, ms);
}
