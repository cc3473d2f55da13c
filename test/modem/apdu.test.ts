/** Command APDU length checks (ISO/IEC 7816-3 cases 1–4, short and extended): the four cases pass, every other length is named. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkApdu } from '../../src/modem/apdu.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('checkApdu', () => {
  it('takes the four cases, short and extended', () => {
    for (const ok of ['00700000', '80CA005A00', '00A4040002 3F00', '00A4040002 3F00 00', '80CA005A 000100', '00D60000 000003 010203', '00B00000 000003 010203 0100']) expect(checkApdu(hex(ok)), ok).toBeUndefined();
  });

  it('names what is wrong with a length', () => {
    expect(checkApdu(hex('00A404'))).toBe('a command APDU has at least 4 bytes (CLA INS P1 P2), not 3');
    expect(checkApdu(hex('00A4040005 3F00'))).toBe('the APDU is 7 bytes but its Lc says 5 bytes of data (10 or 11 in all)');
    expect(checkApdu(hex('00A4040002 3F00 0000'))).toBe('the APDU is 9 bytes but its Lc says 2 bytes of data (7 or 8 in all)');
    expect(checkApdu(hex('00B00000 0001'))).toBe('an extended-length APDU has 7 bytes or more, not 6');
    expect(checkApdu(hex('00B00000 000000 01'))).toBe('an extended-length APDU with data has an Lc from 1');
    expect(checkApdu(hex('00B00000 000004 0102'))).toBe('the APDU is 9 bytes but its extended Lc says 4 bytes of data (11 or 13 in all)');
  });

  it('never throws, and a short APDU passes exactly when its length matches its Lc', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const problem = checkApdu(b);
        expect(problem === undefined || typeof problem === 'string').toBe(true);
        if (b.length > 5 && b[4] !== 0) expect(problem === undefined).toBe(b.length === 5 + b[4]! || b.length === 6 + b[4]!);
      }),
      { numRuns: 500 },
    );
  });
});
