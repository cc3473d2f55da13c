import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocBytes, copyBytes } from '../../src/wire/index.js';

describe('pooled byte arrays', () => {
  // A slab is replaced when the next array does not fit: an array must never be cut from the old slab's
  // start again (an earlier version did, overwriting messages still queued: wrong bytes on the wire).
  it('never hands out bytes another live array holds, across slab changes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 60 }), (sizes) => {
        const arrays = sizes.map((n, i) => allocBytes(n).fill((i % 250) + 1));
        arrays.forEach((a, i) => {
          expect(a.length).toBe(sizes[i]);
          expect(a.every((b) => b === (i % 250) + 1)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('gives zero-filled arrays and copies', () => {
    const a = allocBytes(40);
    expect([...a].every((b) => b === 0)).toBe(true);
    const c = copyBytes(new Uint8Array([1, 2, 3]));
    expect([...c]).toEqual([1, 2, 3]);
  });
});
