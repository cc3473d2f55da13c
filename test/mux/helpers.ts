/** Shared by the mux tests: a hand-driven clock, IP packets, and a sink that collects. */
import type { Clock, Link, TimerHandle } from '../../src/mux/framing.js';

export class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward without firing timers, as when the event loop is busy. */
  skip(ms: number): void {
    this.time += ms;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

/** An IPv4-looking packet of `length` bytes (≥ 20) whose body is a pattern seeded by `seed`. */
export function ipv4(length: number, seed = 0): Uint8Array {
  const p = new Uint8Array(length);
  for (let i = 0; i < length; i++) p[i] = (i * 7 + seed) & 0xff;
  p[0] = 0x45;
  p[2] = length >> 8;
  p[3] = length & 0xff;
  return p;
}

export function ipv6(length: number, seed = 0): Uint8Array {
  const p = ipv4(length, seed);
  p[0] = 0x60;
  return p;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface Got {
  packets: { link: Link; bytes: Uint8Array; view: Uint8Array }[];
  drops: { reason: string; offset: number }[];
}

/** A sink that keeps copies (and the views, to check where they point). */
export function collector(): Got & {
  packet(link: Link, view: Uint8Array): void;
  drop(reason: string, offset: number): void;
} {
  const got: Got = { packets: [], drops: [] };
  return {
    ...got,
    packet(link, view) {
      got.packets.push({ link, bytes: view.slice(), view });
    },
    drop(reason, offset) {
      got.drops.push({ reason, offset });
    },
  };
}
