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
});
