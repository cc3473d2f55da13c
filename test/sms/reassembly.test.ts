import { describe, expect, it } from 'vitest';
import { Reassembler } from '../../src/sms/index.js';

const part = (seq: number, total = 3, ref = 5, sender = '+1') => ({ sender, concat: { ref, total, seq, bits: 8 as const }, value: `p${seq}` });

describe('reassembly', () => {
  it('joins parts that come out of order and ignores duplicates', () => {
    const r = new Reassembler<string>({ timeoutMs: 1000, now: () => 0 });
    expect(r.add(part(3))).toEqual([]);
    expect(r.add(part(1))).toEqual([]);
    expect(r.add(part(3))).toEqual([]);
    expect(r.add(part(2))).toEqual([{ sender: '+1', parts: ['p1', 'p2', 'p3'], complete: true }]);
    expect(r.stats.duplicates).toBe(1);
    expect(r.size).toBe(0);
  });

  it('keeps messages from different senders and references apart', () => {
    const r = new Reassembler<string>({ timeoutMs: 1000, now: () => 0 });
    r.add(part(1, 2, 5, '+1'));
    r.add(part(1, 2, 6, '+1'));
    expect(r.add(part(2, 2, 5, '+2'))).toEqual([]);
    expect(r.add(part(2, 2, 5, '+1'))[0]!.complete).toBe(true);
    expect(r.size).toBe(2);
  });

  it('gives a message whose part never comes up as partial after the timeout (injected clock)', () => {
    let now = 0;
    const r = new Reassembler<string>({ timeoutMs: 60_000, now: () => now });
    r.add(part(1));
    r.add(part(3));
    now = 59_999;
    expect(r.expire()).toEqual([]);
    expect(r.nextExpiry()).toBe(1);
    now = 60_000;
    expect(r.expire()).toEqual([{ sender: '+1', parts: ['p1', undefined, 'p3'], complete: false }]);
    expect(r.nextExpiry()).toBeUndefined();
    // A late part starts a new message rather than reviving the old one.
    expect(r.add(part(2))).toEqual([]);
  });

  it('bounds memory: beyond maxPending the oldest is given up as partial', () => {
    const r = new Reassembler<string>({ timeoutMs: 1000, maxPending: 2, now: () => 0 });
    r.add(part(1, 2, 1));
    r.add(part(1, 2, 2));
    const out = r.add(part(1, 2, 3));
    expect(out).toEqual([{ sender: '+1', parts: ['p1', undefined], complete: false }]);
    expect(r.size).toBe(2);
  });

  it('a single message passes straight through', () => {
    const r = new Reassembler<string>({ timeoutMs: 1000 });
    expect(r.add({ sender: 'x', value: 'v' })).toEqual([{ sender: 'x', parts: ['v'], complete: true }]);
  });
});
