import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocBytes, allocWithRoom, copyBytes, takeRoom } from '../../src/wire/index.js';

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

describe('room in front of an encoded payload', () => {
  it('is given once, to the array made last, and never overlaps another array', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 64 }), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 40 }), (steps) => {
        const live: [Uint8Array, number][] = [];
        let last: Uint8Array | undefined;
        steps.forEach(([n, room, take, plain], i) => {
          const mark = (i % 250) + 1;
          if (plain) live.push([allocBytes(n).fill(mark), mark]);
          else {
            const a = allocWithRoom(n, room).fill(mark);
            live.push([a, mark]);
            last = a;
          }
          if (take && last) {
            const wide = takeRoom(last, room);
            // Only the latest room-carrying array, only once, only up to its room.
            if (wide) {
              expect(wide.subarray(wide.length - last.length)).toEqual(last);
              expect(wide.subarray(0, wide.length - last.length).every((b) => b === 0)).toBe(true);
              wide.fill(255, 0, wide.length - last.length);
              expect(takeRoom(last, room)).toBeUndefined();
            }
          }
        });
        for (const [a, mark] of live) expect(a.every((b) => b === mark)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('is refused to an array that is not the latest, or for more than was kept', () => {
    const a = allocWithRoom(10, 48);
    const b = allocWithRoom(10, 48);
    expect(takeRoom(a, 48)).toBeUndefined();
    expect(takeRoom(b, 49)).toBeUndefined();
    expect(takeRoom(b, 48)?.length).toBe(58);
    expect(takeRoom(b, 48)).toBeUndefined();
  });
});
