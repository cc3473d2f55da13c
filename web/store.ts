/** What the page knows between renders: histories from the server's hello, kept current by events. */
import type { DaemonEvent, RateSample, SignalSample, TraceEvent } from './types.js';

const SIGNAL_KEEP_S = 10 * 60;
const THROUGHPUT_KEEP_S = 5 * 60;
export const TRACE_KEEP = 2000;

export class Store {
  readonly signal = new Map<string, SignalSample[]>();
  readonly throughput = new Map<string, RateSample[]>();
  trace: TraceEvent[] = [];
  private readonly listeners = new Set<(e: DaemonEvent) => void>();

  /** Listens to every event after the store took it in; returns an unsubscribe. */
  on(listener: (e: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(e: DaemonEvent): void {
    switch (e.event) {
      case 'hello':
        this.signal.clear();
        this.throughput.clear();
        for (const [k, v] of Object.entries(e.signal)) this.signal.set(k, v);
        for (const [k, v] of Object.entries(e.throughput)) this.throughput.set(k, v);
        this.trace = e.trace;
        break;
      case 'signal': {
        const s = e.signal;
        append(this.signal, e.modem, [Date.now() / 1000, s.rssi ?? null, s.rsrp ?? null, s.rsrq ?? null, s.snr ?? null], SIGNAL_KEEP_S);
        break;
      }
      case 'throughput': {
        const live = new Set(e.links.map((l) => l.key));
        for (const k of this.throughput.keys()) if (!live.has(k)) this.throughput.delete(k);
        for (const l of e.links) append(this.throughput, l.key, l.sample, THROUGHPUT_KEEP_S);
        break;
      }
      case 'modem-removed':
        this.signal.delete(e.modem);
        break;
      case 'trace':
        this.trace.push(e);
        if (this.trace.length > TRACE_KEEP) this.trace.splice(0, this.trace.length - TRACE_KEEP);
        break;
    }
    for (const l of this.listeners) l(e);
  }
}

function append<T extends [number, ...unknown[]]>(map: Map<string, T[]>, key: string, sample: T, keepSeconds: number): void {
  const rows = map.get(key) ?? [];
  rows.push(sample);
  const keep = rows.findIndex((r) => r[0] >= sample[0] - keepSeconds);
  if (keep > 0) rows.splice(0, keep);
  map.set(key, rows);
}
