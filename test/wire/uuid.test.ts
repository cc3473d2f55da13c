import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Writer, uuidAt, uuidCachedAt, writeUuid } from '../../src/wire/index.js';

describe('UUIDs', () => {
  // uuidCachedAt keeps the last one read: a run of repeats and changes must read each as it is.
  it('reads every UUID of a sequence with repeats as written, and writes it back', () => {
    const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 });
    fc.assert(fc.property(fc.array(fc.oneof(uuid, fc.constant(new Uint8Array(16))), { minLength: 1, maxLength: 12 }), (list) => {
      const seq = list.flatMap((u) => [u, u]);
      for (const [i, u] of seq.entries()) {
        // At an offset, so the cache is keyed by the bytes there, not by where they sit.
        const framed = new Uint8Array(16 + (i % 5));
        framed.set(u, i % 5);
        const text = uuidCachedAt(framed, i % 5);
        expect(text).toBe(uuidAt(u, 0));
        const w = new Writer(16);
        writeUuid(w, text);
        expect(w.finish()).toEqual(u);
      }
    }), { numRuns: 300 });
  });
});
