/**
 * SIM locks (personalizations) through ModemManager's D-Bus API, driven by the real mmcli against a
 * simulated QMI modem locked to its network and its corporate group: `3gpp.enabled-locks`, and
 * `--3gpp-disable-facility-lock` refused for a wrong key and for other facilities with ModemManager
 * 1.20's errors, then lifting one lock with its key (PropertiesChanged, the other lock kept).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PROFILES } from '../../src/sim/profiles.js';
import { field, mmcliOn, simsOnBus, watchProperties, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const NCK = '12345678';
const CCK = '24680';
const MODEM = '/org/freedesktop/ModemManager1/Modem/0';
const MODEM_3GPP = 'org.freedesktop.ModemManager1.Modem.Modem3gpp';

describe('SIM locks under mmcli (qmi-rmnet simulator locked to its network and corporate group)', () => {
  let setup: SimsOnBus | undefined;
  let mmcli: ReturnType<typeof mmcliOn>['mmcli'];
  let ok: ReturnType<typeof mmcliOn>['ok'];
  const locks = async (): Promise<string[]> => (field(await ok('-m', '0'), 'enabled locks') ?? '').split(/,\s*/).filter((x) => x !== '' && x !== 'none');
  const personalization = async () => (await setup!.daemon.request('simLocks', { modem: 'modem0' })).personalization;

  beforeAll(async () => {
    if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
    const base = PROFILES['qmi-rmnet'];
    const firmware = { ...base.firmware, personalization: [{ feature: 'gw-network' as const, key: NCK }, { feature: 'gw-corporate' as const, key: CCK }] };
    setup = await simsOnBus({ tag: 'simlock', profile: { ...base, firmware }, seed: 23 });
    ({ mmcli, ok } = mmcliOn(setup.bus.address, { timeoutMs: 30_000 }));
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('shows the enabled personalizations, and the daemon their tries left', async () => {
    await expect.poll(locks, { timeout: 15_000 }).toEqual(['net-pers', 'corp-pers']);
    expect(await personalization()).toEqual([
      { facility: 'network', retries: 3, unblockRetries: 10 },
      { facility: 'corporate', retries: 3, unblockRetries: 10 },
    ]);
  });

  it('refuses other facilities before asking the modem, as ModemManager does', async () => {
    for (const [lock, error] of [
      ['sim,1234', /Core\.Unsupported: Invalid type of facility lock to disable or empty key/],
      ['ph-sim,1234', /Core\.Unsupported: Invalid type of facility lock to disable or empty key/],
      ['fixed-dialing,1234', /Core\.Unsupported: Invalid type of facility lock to disable or empty key/],
    ] as const) {
      const r = await mmcli('-m', '0', `--3gpp-disable-facility-lock=${lock}`);
      expect(r.code, lock).not.toBe(0);
      expect(r.stderr, lock).toMatch(error);
    }
    expect((await personalization())?.map((l) => l.retries)).toEqual([3, 3]);
  }, 60_000);

  it('a wrong key is refused with the modem\'s QMI error and uses a try; the right one lifts that lock only', async () => {
    const watch = await watchProperties(setup!.bus.address, MODEM);
    try {
      const wrong = await mmcli('-m', '0', '--3gpp-disable-facility-lock=net-pers,WRONG');
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/org\.freedesktop\.libqmi\.Error\.Protocol\.IncorrectPin: QMI message Depersonalization failed: QMI protocol error \(12\): 'IncorrectPin'/);
      expect(wrong.stderr).not.toContain(NCK);
      expect(await personalization()).toContainEqual({ facility: 'network', retries: 2, unblockRetries: 10 });
      expect(await locks()).toEqual(['net-pers', 'corp-pers']);

      await ok('-m', '0', `--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(await locks()).toEqual(['corp-pers']);
      expect(await personalization()).toEqual([{ facility: 'corporate', retries: 3, unblockRetries: 10 }]);
      await expect.poll(() => watch.last(MODEM_3GPP, 'EnabledFacilityLocks'), { timeout: 5000 }).toBe(1 << 7);

      // The lock is gone: the modem has nothing to deactivate.
      const again = await mmcli('-m', '0', `--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/org\.freedesktop\.libqmi\.Error\.Protocol\.NoEffect: QMI message Depersonalization failed: QMI protocol error \(26\): 'NoEffect'/);
    } finally {
      watch.stop();
    }
  }, 60_000);
});
