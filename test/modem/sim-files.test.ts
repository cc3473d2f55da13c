/** SIM elementary files beside the IMSI (src/modem/sim-files.ts): EF_AD's MNC length, EF_SPN's name and EF_ECC's numbers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alphaIdentifier, emergencyNumber, operatorIdOf, serviceProviderName, simFileValues } from '../../src/modem/sim-files.js';

describe('SIM files', () => {
  it("takes the MNC's length from EF_AD byte 4, 2 when it does not say", () => {
    expect(operatorIdOf('310260123456789', [0x00, 0x00, 0x00, 0x03])).toBe('310260');
    expect(operatorIdOf('262011234567890', [0x00, 0x00, 0x00, 0x02])).toBe('26201');
    expect(operatorIdOf('262011234567890', undefined)).toBe('26201');
    expect(operatorIdOf('262011234567890', [0x00, 0x00, 0x00, 0x0f])).toBe('26201');
    expect(operatorIdOf('26201', [0, 0, 0, 2])).toBeUndefined();
    expect(operatorIdOf('2620x1234567890', [0, 0, 0, 2])).toBeUndefined();
  });

  it('reads EF_SPN in the GSM alphabet and the three UCS2 forms', () => {
    const gsm = [0x01, ...Buffer.from('wwankit'), ...new Array(9).fill(0xff)];
    expect(serviceProviderName(gsm)).toBe('wwankit');
    // '@' is GSM 0x00, '$' 0x02: the default alphabet, not ASCII.
    expect(alphaIdentifier([0x00, 0x02, 0xff])).toBe('@$');
    expect(alphaIdentifier([0x80, 0x04, 0x1f, 0x04, 0x40, 0xff, 0xff])).toBe('Пр');
    // 0x81: count, base >> 7, then GSM characters or offsets from the base.
    expect(alphaIdentifier([0x81, 0x03, 0x08, 0x41, 0x9f, 0xa0])).toBe('AПР');
    // 0x82: count, a 16-bit base.
    expect(alphaIdentifier([0x82, 0x02, 0x04, 0x00, 0x9f, 0x41])).toBe('ПA');
    expect(serviceProviderName([0x01, ...new Array(16).fill(0xff)])).toBeUndefined();
    expect(serviceProviderName([0x01])).toBeUndefined();
    expect(simFileValues('001012167246656', [0, 0, 0, 2], gsm)).toEqual({ operatorId: '00101', operatorName: 'wwankit' });
  });

  it("reads EF_ECC records: swapped BCD digits up to the first F, nothing from an empty or malformed record", () => {
    const alpha = new Array<number>(8).fill(0xff);
    expect(emergencyNumber([0x11, 0xf2, 0xff, ...alpha, 0x00])).toBe('112');
    expect(emergencyNumber([0x19, 0xf1, 0xff, ...alpha, 0x00])).toBe('911');
    expect(emergencyNumber([0x21, 0x43, 0x65, 0x00])).toBe('123456');
    expect(emergencyNumber([0xff, 0xff, 0xff, ...alpha, 0x00])).toBeUndefined();
    // A digit nibble above 9 that is not the F filler: not a number.
    expect(emergencyNumber([0x1a, 0xf2, 0xff])).toBeUndefined();
    expect(emergencyNumber([])).toBeUndefined();
  });

  it('never throws on arbitrary file contents', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), fc.option(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }), { nil: undefined }), fc.string({ maxLength: 16 }), (bytes, ad, imsi) => {
        expect(typeof alphaIdentifier(bytes)).toBe('string');
        const ecc = emergencyNumber(bytes);
        if (ecc !== undefined) expect(ecc).toMatch(/^\d{1,6}$/);
        const v = simFileValues(imsi, ad, bytes);
        if (v.operatorId) expect(v.operatorId).toMatch(/^\d{5,6}$/);
      }),
      { numRuns: 500 },
    );
  });
});
