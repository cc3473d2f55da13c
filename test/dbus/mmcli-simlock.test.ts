/**
 * SIM locks (personalizations) through ModemManager's D-Bus API, driven by the real mmcli against a
 * simulated modem locked to its network and its corporate group: `3gpp.enabled-locks`, and
 * `--3gpp-disable-facility-lock` refused for a wrong key and for other facilities with ModemManager
 * 1.20's errors, then lifting one lock with its key (PropertiesChanged, the other lock kept). QMI
 * lifts them with UIM Depersonalization, MBIM with Pin set Disable (test/sim/modemmanager.test.ts
 * shows the real ModemManager answering the same).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { field, mmcliOn, simsOnBus, watchProperties, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const NCK = '12345678';
const CCK = '24680';
const MODEM = '/org/freedesktop/ModemManager1/Modem/0';
const MODEM_3GPP = 'org.freedesktop.ModemManager1.Modem.Modem3gpp';

/** A daemon on a private bus over a simulated `profile` modem locked to its network and corporate group. */
function lockedModem(profile: ProfileName) {
  const s = {} as { setup?: SimsOnBus } & Partial<ReturnType<typeof mmcliOn>>;
  beforeAll(async () => {
    if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
    const base = PROFILES[profile];
    const firmware = { ...base.firmware, personalization: [{ feature: 'gw-network' as const, key: NCK }, { feature: 'gw-corporate' as const, key: CCK }] };
    s.setup = await simsOnBus({ tag: `simlock-${profile}`, profile: { ...base, firmware }, seed: 23 });
    Object.assign(s, mmcliOn(s.setup.bus.address, { timeoutMs: 30_000 }));
  }, 60_000);
  afterAll(async () => {
    await s.setup?.stop();
  });
  return {
    mmcli: (...args: string[]) => s.mmcli!(...args),
    ok: (...args: string[]) => s.ok!(...args),
    bus: () => s.setup!.bus.address,
    /** The simulator's card model: one for QMI and MBIM. */
    features: () => s.setup!.sim.modems[0]!.firmware.personalization.status(),
    locks: async (): Promise<string[]> => (field(await s.ok!('-m', '0'), 'enabled locks') ?? '').split(/,\s*/).filter((x) => x !== '' && x !== 'none'),
    personalization: async () => (await s.setup!.daemon.request('simLocks', { modem: 'modem0' })).personalization,
    /** ModemManager checks the facility before asking the modem, the same on QMI and MBIM. */
    refusesOtherFacilities: async () => {
      for (const lock of ['sim,1234', 'ph-sim,1234', 'fixed-dialing,1234']) {
        const r = await s.mmcli!('-m', '0', `--3gpp-disable-facility-lock=${lock}`);
        expect(r.code, lock).not.toBe(0);
        expect(r.stderr, lock).toMatch(/Core\.Unsupported: Invalid type of facility lock to disable or empty key/);
      }
    },
  };
}

describe('SIM locks under mmcli (qmi-rmnet simulator locked to its network and corporate group)', () => {
  const m = lockedModem('qmi-rmnet');

  it('shows the enabled personalizations, and the daemon their tries left', async () => {
    // PIN2 checked on the card is ModemManager's fixed-dialing lock.
    await expect.poll(m.locks, { timeout: 15_000 }).toEqual(['fixed-dialing', 'net-pers', 'corp-pers']);
    expect(await m.personalization()).toEqual([
      { facility: 'network', retries: 3, unblockRetries: 10 },
      { facility: 'corporate', retries: 3, unblockRetries: 10 },
    ]);
  });

  it('refuses other facilities before asking the modem, as ModemManager does', async () => {
    await m.refusesOtherFacilities();
    expect((await m.personalization())?.map((l) => l.retries)).toEqual([3, 3]);
  }, 60_000);

  it('a wrong key is refused with the modem\'s QMI error and uses a try; the right one lifts that lock only', async () => {
    const watch = await watchProperties(m.bus(), MODEM);
    try {
      const wrong = await m.mmcli('-m', '0', '--3gpp-disable-facility-lock=net-pers,WRONG');
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/org\.freedesktop\.libqmi\.Error\.Protocol\.IncorrectPin: QMI message Depersonalization failed: QMI protocol error \(12\): 'IncorrectPin'/);
      expect(wrong.stderr).not.toContain(NCK);
      expect(await m.personalization()).toContainEqual({ facility: 'network', retries: 2, unblockRetries: 10 });
      expect(await m.locks()).toEqual(['fixed-dialing', 'net-pers', 'corp-pers']);

      await m.ok('-m', '0', `--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(await m.locks()).toEqual(['fixed-dialing', 'corp-pers']);
      expect(await m.personalization()).toEqual([{ facility: 'corporate', retries: 3, unblockRetries: 10 }]);
      await expect.poll(() => watch.last(MODEM_3GPP, 'EnabledFacilityLocks'), { timeout: 5000 }).toBe((1 << 1) | (1 << 7));

      // The lock is gone: the modem has nothing to deactivate.
      const again = await m.mmcli('-m', '0', `--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/org\.freedesktop\.libqmi\.Error\.Protocol\.NoEffect: QMI message Depersonalization failed: QMI protocol error \(26\): 'NoEffect'/);
    } finally {
      watch.stop();
    }
  }, 60_000);
});

// What the real ModemManager 1.20 shows for the same simulator state (test/sim/modemmanager.test.ts):
// a key not taken is libmbim's Failure status, a lock
// not enabled its PinDisabled; the PIN list tells no tries.
describe('SIM locks under mmcli (mbim-usb simulator locked to its network and corporate group)', () => {
  const m = lockedModem('mbim-usb');

  it('shows the enabled personalizations from the PIN list, with PIN2 as fixed-dialing; MBIM tells no tries', async () => {
    await expect.poll(m.locks, { timeout: 15_000 }).toEqual(['fixed-dialing', 'net-pers', 'corp-pers']);
    expect(await m.personalization()).toEqual([{ facility: 'network' }, { facility: 'corporate' }]);
  });

  it('refuses other facilities before asking the modem, as ModemManager does', async () => {
    await m.refusesOtherFacilities();
  }, 60_000);

  it('a wrong key is refused with the Pin set\'s Failure status and uses a try; the right one lifts each lock, then nothing is left to lift', async () => {
    const watch = await watchProperties(m.bus(), MODEM);
    try {
      const wrong = await m.mmcli('-m', '0', '--3gpp-disable-facility-lock=net-pers,11111111');
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/GDBus\.Error:org\.freedesktop\.libmbim\.Error\.Status\.Failure: Failure'/);
      expect(wrong.stderr).not.toMatch(/11111111|12345678/);
      expect(await m.locks()).toEqual(['fixed-dialing', 'net-pers', 'corp-pers']);
      // The try went where QMI's Depersonalization would see it.
      expect(m.features()).toContainEqual({ feature: 'gw-network', verifyLeft: 2, unblockLeft: 10 });

      await m.ok('-m', '0', `--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(await m.locks()).toEqual(['fixed-dialing', 'corp-pers']);
      await expect.poll(() => watch.last(MODEM_3GPP, 'EnabledFacilityLocks'), { timeout: 5000 }).toBe((1 << 1) | (1 << 7));
      await m.ok('-m', '0', `--3gpp-disable-facility-lock=corp-pers,${CCK}`);
      expect(await m.locks()).toEqual(['fixed-dialing']);
      expect(await m.personalization()).toEqual([]);

      const again = await m.mmcli('-m', '0', `--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/GDBus\.Error:org\.freedesktop\.libmbim\.Error\.Status\.PinDisabled: PinDisabled'/);
    } finally {
      watch.stop();
    }
  }, 60_000);
});
