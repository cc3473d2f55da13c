/**
 * Reassembling concatenated messages on receive: parts may come in any order and more than once; a
 * message whose parts do not all come within the timeout is given up as partial. The clock is
 * injected so tests need no waiting; memory is bounded by `maxPending`.
 */
import type { Concat } from './user-data.js';

export interface IncomingPart<T> {
  /** Who sent it (the concatenation reference is only unique per sender). */
  sender: string;
  concat?: Concat;
  value: T;
}

export interface Reassembled<T> {
  sender: string;
  /** Parts in sequence order; a missing part is absent. */
  parts: (T | undefined)[];
  complete: boolean;
}

export interface ReassemblerOptions {
  timeoutMs: number;
  now?: () => number;
  /** Incomplete messages kept at most; the oldest is given up as partial beyond it. */
  maxPending?: number;
}

interface Pending<T> {
  sender: string;
  parts: (T | undefined)[];
  firstSeen: number;
}

export class Reassembler<T> {
  private readonly pending = new Map<string, Pending<T>>();
  readonly stats = { duplicates: 0, partial: 0 };
  private readonly now: () => number;

  constructor(private readonly options: ReassemblerOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Takes a part. Returns the messages this completes or pushes out: the whole message when this
   * part was its last, and any partial one evicted to stay within `maxPending`.
   */
  add(part: IncomingPart<T>): Reassembled<T>[] {
    const c = part.concat;
    if (!c || c.total <= 1) return [{ sender: part.sender, parts: [part.value], complete: true }];
    const key = `${part.sender}\0${c.bits}\0${c.ref}\0${c.total}`;
    let p = this.pending.get(key);
    const out: Reassembled<T>[] = [];
    if (!p) {
      p = { sender: part.sender, parts: Array.from({ length: c.total }, () => undefined), firstSeen: this.now() };
      this.pending.set(key, p);
      if (this.pending.size > (this.options.maxPending ?? 64)) {
        const [oldKey, old] = this.pending.entries().next().value!;
        this.pending.delete(oldKey);
        this.stats.partial++;
        out.push({ sender: old.sender, parts: old.parts, complete: false });
      }
    }
    if (p.parts[c.seq - 1] !== undefined) {
      this.stats.duplicates++;
      return out;
    }
    p.parts[c.seq - 1] = part.value;
    if (p.parts.every((x) => x !== undefined)) {
      this.pending.delete(key);
      out.push({ sender: p.sender, parts: p.parts, complete: true });
    }
    return out;
  }

  /** Messages waiting longer than the timeout, given up as partial. */
  expire(): Reassembled<T>[] {
    const out: Reassembled<T>[] = [];
    const now = this.now();
    for (const [key, p] of this.pending) {
      if (now - p.firstSeen < this.options.timeoutMs) continue;
      this.pending.delete(key);
      this.stats.partial++;
      out.push({ sender: p.sender, parts: p.parts, complete: false });
    }
    return out;
  }

  /** When the oldest pending message times out (ms from now), or undefined when none waits. */
  nextExpiry(): number | undefined {
    let first: number | undefined;
    for (const p of this.pending.values()) first = first === undefined ? p.firstSeen : Math.min(first, p.firstSeen);
    return first === undefined ? undefined : Math.max(0, first + this.options.timeoutMs - this.now());
  }

  get size(): number {
    return this.pending.size;
  }
}
