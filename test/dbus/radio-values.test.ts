/** The radio values in ModemManager's terms (src/dbus/radio.ts); UnlockRetries' a{uu} is shown by mmcli in mmcli-radio.test.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mmBand, modeMask, modeSet, radioBand, registrationError } from '../../src/dbus/radio.js';
import type { AccessTech } from '../../src/modem/radio-driver.js';

const techs: AccessTech[] = ['gsm', 'umts', 'lte', 'nr5g'];

describe('radio values for D-Bus', () => {
  it('turns mode sets into MMModemMode pairs and back; pairs that are no set are refused, never thrown', () => {
    expect(modeMask({ allowed: ['umts', 'lte'], preferred: 'umts' })).toEqual([4 | 8, 4]);
    fc.assert(
      fc.property(fc.subarray(techs, { minLength: 1 }), fc.nat(4), (allowed, i) => {
        const set = { allowed, ...(i < allowed.length ? { preferred: allowed[i] } : {}) };
        expect(modeSet(modeMask(set))).toEqual(set);
      }),
      { numRuns: 200 },
    );
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, p) => void modeSet([a, p])), { numRuns: 500 });
    expect(modeSet([0, 0])).toBeUndefined();
    expect(modeSet([8, 4])).toBeUndefined();
  });

  it("numbers bands as MMModemBand and back (EUTRAN_1 = 31, NGRAN_1 = 301, UTRAN_1 = 5, EGSM = 1)", () => {
    expect([mmBand({ tech: 'lte', band: 1 }), mmBand({ tech: 'nr5g', band: 78 }), mmBand({ tech: 'umts', band: 1 }), mmBand({ tech: 'gsm', band: 900 })]).toEqual([31, 378, 5, 1]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (mm) => {
        const b = radioBand(mm);
        if (b) expect(mmBand(b)).toBe(mm);
      }),
      { numRuns: 1001 },
    );
  });

  it('maps registration causes to MobileEquipment errors', () => {
    expect(registrationError(11)).toBe('org.freedesktop.ModemManager1.Error.MobileEquipment.GprsPlmnNotAllowed');
    expect(registrationError(undefined)).toBe('org.freedesktop.ModemManager1.Error.MobileEquipment.NoNetwork');
  });

});
