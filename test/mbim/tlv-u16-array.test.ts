/**
 * MBIMEx 3.0's tlv-guint16-array (MS Basic Connect Extensions Device Caps v3 bands): its wire layout, the
 * refusals libmbim makes (another TLV type, an odd data size, a TLV running past the buffer) as typed
 * errors, and a bounded fuzz of the decoder on mutated and cut encodings: it never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBuffer, struct, tlvU16Array, u32 } from '../../src/mbim/schema.js';
import { DeviceCapsV3 } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { arbitrary } from '../support/mbim-arbitrary.js';

const Bands = struct({ before: u32, lte: tlvU16Array, nr: tlvU16Array });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('tlv-guint16-array', () => {
  it('lays out type 11, the padding length, the data size, the u16s and zero padding to 4', () => {
    expect(hex(Bands.encode({ before: 7, lte: [1, 3, 7], nr: [] }))).toBe('07000000' + '0b000002' + '06000000' + '010003000700' + '0000' + '0b000000' + '00000000');
    expect(decodeBuffer(Bands, Bands.encode({ before: 7, lte: [1, 3, 7], nr: [78, 0xffff] }))).toEqual({ ok: true, value: { before: 7, lte: [1, 3, 7], nr: [78, 0xffff] } });
  });

  it('refuses another TLV type, an odd data size and a TLV past the end with the field and offset', () => {
    const empty = '0b000000 00000000';
    const cases: [string, string, number, RegExp][] = [
      ['07000000 0a000000 00000000' + empty, 'lte', 4, /TLV type 10 is not a UINT16 array \(11\)/],
      ['07000000 0b000001 03000000 01000200' + empty, 'lte', 8, /not a multiple of 2/],
      ['07000000 ' + empty + ' 0b000000 08000000 0100', 'nr', 12, /runs past/],
      ['07000000 ' + empty + ' 0b00', 'nr', 12, /needs 8 bytes/],
    ];
    for (const [h, field, offset, message] of cases) {
      const d = decodeBuffer(Bands, bytes(h));
      expect(d.ok).toBe(false);
      if (!d.ok) expect({ field: d.error.field, offset: d.error.offset, message: d.error.message }).toMatchObject({ field, offset, message: expect.stringMatching(message) });
    }
  });

  it('never throws on mutated or cut Device Caps v3 buffers, and what decodes re-encodes to itself', () => {
    fc.assert(
      fc.property(
        arbitrary(DeviceCapsV3),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
        fc.nat(),
        (value, flips, cut) => {
          const b = Uint8Array.from(DeviceCapsV3.encode(value as never));
          for (const [at, x] of flips) b[at % b.length] = x;
          const d = decodeBuffer(DeviceCapsV3, b.subarray(0, b.length - (cut % 9)));
          if (!d.ok) {
            expect(d.error.offset).toBeGreaterThanOrEqual(0);
            expect(d.error.offset).toBeLessThanOrEqual(b.length);
          } else expect(decodeBuffer(DeviceCapsV3, DeviceCapsV3.encode(d.value))).toEqual(d);
        },
      ),
      { numRuns: 600 },
    );
  });
});
