/** The radio values in ModemManager's terms (src/dbus/radio.ts); UnlockRetries' a{uu} is shown by mmcli in mmcli-radio.test.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { depersonalizationError, enabledFacilityLocks, MODE_ANY, mmBand, personalizationOf, modeMask, modeSet, modesToSet, preferredEntries, preferredFromDbus, radioBand, registrationError } from '../../src/dbus/radio.js';
import * as refuse from '../../src/dbus/mm-refusals.js';
import dbus from 'dbus-next';
import { epsProperties, parseEpsSettings } from '../../src/dbus/values.js';
import { ConfigError } from '../../src/modem/types.js';
import type { RadioModes } from '../../src/modem/radio-driver.js';
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

  it('checks SetCurrentModes as ModemManager does: ANY is the widest set, unlisted pairs are Unsupported, the current pair is nothing to do', () => {
    const modes: RadioModes = { current: { allowed: ['umts', 'lte'], preferred: 'lte' }, supported: [{ allowed: ['umts'] }, { allowed: ['lte'] }, { allowed: ['umts', 'lte'] }, { allowed: ['umts', 'lte'], preferred: 'umts' }, { allowed: ['umts', 'lte'], preferred: 'lte' }] };
    expect(modesToSet([MODE_ANY, 0], modes)).toEqual({ allowed: ['umts', 'lte'] });
    expect(modesToSet([MODE_ANY, 0], { ...modes, current: { allowed: ['umts', 'lte'] } })).toBeNull();
    expect(modesToSet([4 | 8, 8], modes)).toBeNull();
    expect(modesToSet([4, 0], modes)).toEqual({ allowed: ['umts'] });
    expect(() => modesToSet([2 | 8, 0], modes)).toThrow('The given combination of allowed and preferred modes is not supported');
    expect(() => modesToSet([MODE_ANY, 0], { ...modes, supported: [{ allowed: ['lte'] }] })).toThrow('only one combination supported');
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, p) => {
      try {
        const r = modesToSet([a, p], modes);
        if (r) expect(modes.supported).toContainEqual(r);
      } catch (e) {
        expect((e as { type: string }).type).toBe('org.freedesktop.ModemManager1.Error.Core.Unsupported');
      }
    }), { numRuns: 300 });
  });

  it('maps preferred networks to and from (MCCMNC, access technology mask)', () => {
    const list = [{ mcc: '001', mnc: '02', techs: ['lte' as const] }, { mcc: '310', mnc: '410', techs: ['gsm' as const, 'umts' as const, 'nr5g' as const] }, { mcc: '001', mnc: '03', techs: [] }];
    const entries = preferredEntries(list);
    expect(entries).toEqual([['00102', 1 << 14], ['310410', (1 << 1) | (1 << 5) | (1 << 15)], ['00103', 0]]);
    expect(preferredFromDbus(entries)).toEqual(list);
    expect(() => preferredFromDbus([['0010', 2]])).toThrow(/not an MCC and MNC/);
  });

  it('refuses the methods wwankit does not carry out with ModemManager\'s errors', () => {
    expect(() => refuse.setCapabilities([12], 12, 12)).toThrow('only one combination supported');
    expect(() => refuse.setCapabilities([4, 12], 12, 8)).toThrow('The given combination of capabilities is not supported');
    expect(() => refuse.setCapabilities([4, 12], 12, 12)).not.toThrow();
    expect(() => refuse.setEpsUeMode(0, 0)).not.toThrow();
    expect(() => refuse.setEpsUeMode(0, 2)).toThrow('operation not supported');
    expect(() => refuse.facilityToDisable([1, '1234'])).toThrow('Invalid type of facility lock');
    expect(() => refuse.facilityToDisable([4, '1234'])).toThrow('Invalid type of facility lock');
    expect(() => refuse.facilityToDisable([0, '1234'])).toThrow('Not supported type of facility lock.');
    expect(() => refuse.facilityToDisable([16 | 128, '1234'])).toThrow('Not supported type of facility lock.');
    expect(refuse.facilityToDisable([32, '1234'])).toBe(32);
    expect(() => refuse.setPreferredNetworks()).toThrow('SIM not currently active');
  });

  it('EnabledFacilityLocks and DisableFacilityLock in MMModem3gppFacility bits, refusals as libqmi names them', () => {
    expect(enabledFacilityLocks(undefined)).toBe(0);
    expect(enabledFacilityLocks(true, [{ facility: 'network' }, { facility: 'corporate' }])).toBe(1 | 16 | 128);
    expect(enabledFacilityLocks(false, [{ facility: 'network-subset' }, { facility: 'service-provider' }, { facility: 'phone-sim' }])).toBe(32 | 64 | 4);
    expect([16, 32, 64, 128, 1].map(personalizationOf)).toEqual(['network', 'network-subset', 'service-provider', 'corporate', undefined]);
    const e = depersonalizationError('incorrect-key', 'qmi');
    expect([e.type, e.text]).toEqual(['org.freedesktop.libqmi.Error.Protocol.IncorrectPin', "QMI message Depersonalization failed: QMI protocol error (12): 'IncorrectPin'"]);
    expect(depersonalizationError('not-enabled', 'qmi').text).toBe("QMI message Depersonalization failed: QMI protocol error (26): 'NoEffect'");
    expect(depersonalizationError('blocked', 'qmi').type).toMatch(/\.PinBlocked$/);
    // MBIM: the Pin set's status as libmbim names it, a wrong key and a blocked lock alike.
    for (const refusal of ['incorrect-key', 'blocked', 'permanently-blocked'] as const) expect([depersonalizationError(refusal, 'mbim').type, depersonalizationError(refusal, 'mbim').text]).toEqual(['org.freedesktop.libmbim.Error.Status.Failure', 'Failure']);
    expect([depersonalizationError('not-enabled', 'mbim').type, depersonalizationError('not-enabled', 'mbim').text]).toEqual(['org.freedesktop.libmbim.Error.Status.PinDisabled', 'PinDisabled']);
    expect(enabledFacilityLocks(false, [{ facility: 'network' }], true)).toBe(2 | 16);
  });

  it('reads SetInitialEpsBearerSettings dictionaries as ModemManager keys them, refusing what an attach has no use for', () => {
    const V = (sig: string, v: unknown) => new dbus.Variant(sig, v);
    const settings = parseEpsSettings({ apn: V('s', 'attach.example'), 'ip-type': V('u', 1), 'allowed-auth': V('u', 4), user: V('s', 'joe'), password: V('s', 'pw'), 'profile-id': V('i', -1) });
    expect(settings).toEqual({ apn: 'attach.example', ipType: 'ipv4', auth: 'chap', user: 'joe', password: 'pw' });
    // Shown back without the password; MMBearerIpFamily and MMBearerAllowedAuth numbers.
    expect(Object.fromEntries(Object.entries(epsProperties(settings)).map(([k, v]) => [k, v.value]))).toEqual({ apn: 'attach.example', 'ip-type': 1, 'allowed-auth': 4, user: 'joe' });
    // ANY ip type and unknown auth leave the choice to the modem.
    expect(parseEpsSettings({ apn: V('s', 'x'), 'ip-type': V('u', 0xffffffff), 'allowed-auth': V('u', 0) })).toEqual({ apn: 'x' });
    expect(() => parseEpsSettings({ apn: V('s', 'x'), multiplex: V('u', 1) })).toThrow(ConfigError);
    expect(() => parseEpsSettings({ apn: V('u', 1) })).toThrow(/signature 's'/);
    expect(() => parseEpsSettings({ 'ip-type': V('u', 16) })).toThrow(/ip-type/);
    expect(() => parseEpsSettings({ 'allowed-auth': V('u', 8) })).toThrow(/allowed-auth/);
    expect(() => parseEpsSettings({ 'profile-id': V('i', 3) })).toThrow(/profile-id/);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('apn', 'ip-type', 'allowed-auth', 'user', 'password', 'profile-id', 'other'), fc.oneof(fc.string().map((x) => V('s', x)), fc.nat().map((x) => V('u', x)), fc.integer().map((x) => V('i', x)))), (props) => {
        try {
          parseEpsSettings(props);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
