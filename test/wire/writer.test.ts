import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/wire/writer.js';
import { toHex } from '../../src/wire/hex.js';

describe('Writer', () => {
  it('keeps every byte when a write grows the buffer (each width, LE and BE)', () => {
    const w = new Writer(1);
    w.u8(0x01).u16(0x0302).u32(0x07060504).u16(0x0809, false).u32(0x0a0b0c0d, false).i8(-1).i16(-2).i32(-3);
    w.u64(0x1112131415161718n).bytes(new Uint8Array([0xaa, 0xbb])).zeros(2).utf16le('A');
    expect(toHex(w.finish(), '')).toBe('01' + '0203' + '04050607' + '0809' + '0a0b0c0d' + 'ff' + 'feff' + 'fdffffff' + '1817161514131211' + 'aabb' + '0000' + '4100');
  });
  it('appends another writer, small and large, while growing', () => {
    for (const n of [3, 64, 65, 300]) {
      const src = new Writer(1);
      for (let i = 0; i < n; i++) src.u8(i);
      const dst = new Writer(2).u8(0xee);
      dst.append(src).append(src);
      const out = dst.finish();
      expect(out.length).toBe(1 + 2 * n);
      expect(out[0]).toBe(0xee);
      expect([...out.subarray(1, 1 + n)]).toEqual(Array.from({ length: n }, (_, i) => i & 0xff));
      expect([...out.subarray(1 + n)]).toEqual(Array.from({ length: n }, (_, i) => i & 0xff));
      const copy = new Uint8Array(n + 2);
      src.copyTo(copy, 2);
      expect([...copy.subarray(2)]).toEqual(Array.from({ length: n }, (_, i) => i & 0xff));
    }
  });
});
