/**
 * Radio and SIM control through ModemManager's D-Bus API, driven by the real mmcli on a private
 * dbus-daemon against a simulated QMI modem and a simulated MBIM modem: scan, registration (the
 * forbidden operator refused with its cause), modes and bands, cells, signal thresholds, PIN/PUK, the
 * eUICC slot, power and reset; the properties filled from the modem, PropertiesChanged as a D-Bus
 * client sees it, and the methods refused as ModemManager refuses them.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Daemon } from '../../src/daemon/server.js';
import { CARRIER_CONFIGS } from '../../src/sim/qmi-pdc.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { field, mmcliOn, simsOnBus, watchProperties, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const PIN = '1234';
const PUK = '12345678';
const NEW_PIN = '7395';
const WRONG_PIN = '8642';
const MODEM = '/org/freedesktop/ModemManager1/Modem/0';

describe.each<[ProfileName]>([['qmi-rmnet'], ['mbim-usb']])('radio and SIM control under mmcli (%s simulator)', (profile) => {
  const qmi = PROFILES[profile].control === 'qmi';
  let setup: SimsOnBus | undefined;
  let daemon: Daemon | undefined;
  let mmcli: ReturnType<typeof mmcliOn>['mmcli'];
  let ok: ReturnType<typeof mmcliOn>['ok'];
  const info = async () => daemon!.request('info', { modem: 'modem0' });
  const registration = async (): Promise<string | undefined> => (await info()).registration?.operator?.mnc;

  beforeAll(async () => {
    if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
    const base = PROFILES[profile];
    setup = await simsOnBus({ tag: `radio-${profile}`, profile: { ...base, firmware: { ...base.firmware, scanMs: 1500 } }, seed: 17, goneAfterMs: 60_000 });
    daemon = setup.daemon;
    ({ mmcli, ok } = mmcliOn(setup.bus.address, { timeoutMs: 30_000 }));
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

    it('scans, registers in another operator and back, and refuses the forbidden one with its cause', async () => {
      const scan = await ok('-m', '0', '--3gpp-scan', '--timeout=60');
      expect(scan).toMatch(/Northwind Mobile/);
      expect(scan).toMatch(/Initech Wireless.*forbidden/);
      const code = (name: string): string => new RegExp(`(\\d{5,6}) - ${name}`).exec(scan)?.[1] ?? expect.fail(`${name} not in the scan:\n${scan}`);
      const before = await registration();
      await ok('-m', '0', `--3gpp-register-in-operator=${code('Northwind Mobile')}`);
      await expect.poll(registration, { timeout: 15_000 }).toBe(code('Northwind Mobile').slice(3));
      const refused = await mmcli('-m', '0', `--3gpp-register-in-operator=${code('Initech Wireless')}`);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/GprsPlmnNotAllowed|PLMN not allowed|cause 11/i);
      await ok('-m', '0', '--3gpp-register-home');
      await expect.poll(registration, { timeout: 15_000 }).toBe(before);
    }, 90_000);

    it('sets allowed modes and bands, which -m 0 shows and the simulator registers on', async () => {
      // MBIM has no preferred mode: its supported combinations name none.
      await ok('-m', '0', '--set-allowed-modes=3g|4g', ...(qmi ? ['--set-preferred-mode=3g'] : []));
      let out = await ok('-m', '0');
      expect(out).toMatch(qmi ? /current: allowed: 3g, 4g; preferred: 3g/ : /current: allowed: 3g, 4g; preferred: none/);
      if (qmi) await expect.poll(async () => (await info()).registration?.tech, { timeout: 15_000 }).toBe('umts');
      await ok('-m', '0', '--set-allowed-modes=3g');
      await expect.poll(async () => (await info()).registration?.tech, { timeout: 15_000 }).toBe('umts');
      // On UMTS the extended signal is UMTS's (QMI: RSSI and Ec/Io; MBIM's RSSI under the data class it is on), not LTE's.
      await ok('-m', '0', '--signal-setup=1');
      const rssi = setup!.sim.modems[0]!.firmware.signal.rssi;
      await expect.poll(async () => /UMTS\s+\|\s+rssi: (-?[\d.]+) dBm/.exec(await ok('-m', '0', '--signal-get'))?.[1], { timeout: 10_000 }).toBe(rssi.toFixed(2));
      const umts = await ok('-m', '0', '--signal-get');
      expect(umts).not.toMatch(/LTE\s+\|/);
      // QMI's Ec/Io, in its range (0 to -24 dB).
      if (qmi) expect(Number(/ecio: (-?[\d.]+) dB\n/.exec(umts)?.[1] ?? NaN)).toSatisfy((e: number) => e <= 0 && e >= -24);
      await ok('-m', '0', '--signal-setup=0');
      // A combination the modem does not list is refused before the modem is asked, as ModemManager does.
      const refused = await mmcli('-m', '0', '--set-allowed-modes=2g|4g', '--set-preferred-mode=3g');
      expect(refused.stderr).toMatch(/Core\.Unsupported: The given combination of allowed and preferred modes is not supported/);
      // ANY with no preference: every mode the modem supports (QMI reads a preferred one back from its acquisition order).
      await ok('-m', '0', '--set-allowed-modes=any');
      expect(await ok('-m', '0')).toMatch(qmi ? /current: allowed: 2g, 3g, 4g, 5g; preferred: \w+/ : /current: allowed: 2g, 3g, 4g; preferred: none/);
      await ok('-m', '0', '--set-allowed-modes=4g');
      await expect.poll(async () => (await info()).registration?.tech, { timeout: 15_000 }).toBe('lte');
      if (!qmi) {
        // MBIM has no band selection: ModemManager's Unsupported.
        expect((await mmcli('-m', '0', '--set-current-bands=eutran-3')).stderr).toMatch(/Core\.Unsupported/);
        return;
      }
      expect(await ok('-m', '0', '--set-current-bands=eutran-3')).toBeDefined();
      out = await ok('-m', '0');
      expect(out).toMatch(/current: eutran-3\s*$/m);
      expect((await daemon!.request('bands', { modem: 'modem0' })).current).toEqual([{ tech: 'lte', band: 3 }]);
      await ok('-m', '0', '--set-current-bands=any');
      expect((await daemon!.request('bands', { modem: 'modem0' })).current.length).toBeGreaterThan(1);
    }, 60_000);

    it('gets the cell info and sets signal thresholds', async () => {
      const cells = await ok('-m', '0', '--get-cell-info');
      expect(cells).toMatch(/cell type: lte/);
      expect(cells).toMatch(/serving: yes/);
      expect(cells).toMatch(/earfcn: \d+/);
      await ok('-m', '0', '--signal-setup-thresholds=rssi-threshold=5');
      expect(await ok('-m', '0', '--signal-get')).toMatch(/rssi threshold: 5/);
      // QMI has no error-rate threshold: the driver's refusal is ModemManager's Unsupported.
      const errorRate = await mmcli('-m', '0', '--signal-setup-thresholds=error-rate-threshold=yes');
      if (qmi) expect(errorRate.stderr).toMatch(/Core\.Unsupported/);
      else expect(field(await ok('-m', '0', '--signal-get'), 'error rate threshold')).toBe('yes');
    }, 30_000);

    it('enables, changes, blocks and recovers the PIN; the retries and the SIM lock show in -m 0, PropertiesChanged follows', async () => {
      const watch = await watchProperties(setup!.bus.address, MODEM);
      try {
        // MBIM's PIN query tells the tries of a code the card asks for only.
        if (qmi) expect(field(await ok('-m', '0'), 'unlock retries')).toMatch(/sim-pin \(3\), sim-puk \(10\)/);
        // PIN2 is checked on the card (QMI card status, MBIM's PIN list): ModemManager shows it as the fixed-dialing lock.
        expect(field(await ok('-m', '0'), 'enabled locks')).toBe('fixed-dialing');
        const wrong = await mmcli('-i', '0', `--pin=${WRONG_PIN}`, '--enable-pin');
        expect(wrong.stderr).toMatch(/IncorrectPassword/);
        expect(wrong.stderr).not.toContain(WRONG_PIN);
        if (qmi) {
          expect(field(await ok('-m', '0'), 'unlock retries')).toMatch(/sim-pin \(2\)/);
          await expect.poll(() => watch.last('org.freedesktop.ModemManager1.Modem', 'UnlockRetries'), { timeout: 5000 }).toMatchObject({ 2: 2 });
        }
        await ok('-i', '0', `--pin=${PIN}`, '--enable-pin');
        // PIN1 checked, as the card says: the SIM facility lock, signalled to a watching client.
        await expect.poll(() => watch.last('org.freedesktop.ModemManager1.Modem.Modem3gpp', 'EnabledFacilityLocks'), { timeout: 5000 }).toBe(1 | 2);
        expect(field(await ok('-m', '0'), 'enabled locks')).toBe('sim, fixed-dialing');
      } finally {
        watch.stop();
      }
      await ok('-i', '0', `--pin=${PIN}`, `--change-pin=${NEW_PIN}`);
      // Three wrong tries block it; the PUK sets the new PIN.
      for (let i = 0; i < 3; i++) await mmcli('-i', '0', `--pin=${WRONG_PIN}`, '--disable-pin');
      await expect.poll(async () => (await info()).sim?.status, { timeout: 15_000 }).toBe('puk-required');
      await expect.poll(async () => field(await ok('-m', '0'), 'lock'), { timeout: 15_000 }).toMatch(/sim-puk/);
      await ok('-i', '0', `--puk=${PUK}`, `--pin=${PIN}`);
      await expect.poll(async () => (await info()).sim?.status, { timeout: 15_000 }).toBe('ready');
      await ok('-i', '0', `--pin=${PIN}`, '--disable-pin');
      expect(field(await ok('-m', '0'), 'enabled locks')).toBe('fixed-dialing');
    }, 90_000);

    it('switches to the eUICC slot, whose SIM object shows its EID', async () => {
      const before = await ok('-m', '0');
      expect(before).toMatch(/slot 2: \/org\/freedesktop\/ModemManager1\/SIM\/\d+/);
      await ok('-m', '0', '--set-primary-sim-slot=2');
      await expect.poll(async () => field(await ok('-m', '0'), 'primary sim path') ?? field(await ok('-m', '0'), 'path'), { timeout: 15_000 }).toBeDefined();
      const simPath = /slot 2: (\S+) \(active\)/.exec(await ok('-m', '0'))?.[1] ?? expect.fail('slot 2 not active');
      const simOut = await ok('-i', simPath);
      expect(field(simOut, 'eid')).toMatch(/^\d{32}$/);
      await ok('-m', '0', '--set-primary-sim-slot=1');
      await expect.poll(async () => /slot 1: \S+ \(active\)/.test(await ok('-m', '0')), { timeout: 15_000 }).toBe(true);
    }, 60_000);

    it('fills the hardware revision, and the SIM operator and group ids from the card', async () => {
      const i = await info();
      const modem = await ok('-m', '0');
      const hw = field(modem, 'h/w revision');
      expect(hw).toBe(qmi ? setup!.sim.modems[0]!.firmware.identity.hardwareRevision : setup!.sim.modems[0]!.firmware.identity.model);
      // The carrier configuration the simulator selects, over QMI PDC (its version as 8 hex digits); on
      // MBIM through QMI over MBIM, as ModemManager reads it from a Qualcomm-based function.
      const selected = CARRIER_CONFIGS[0]!;
      expect([field(modem, 'carrier config'), field(modem, 'carrier config revision')]).toEqual([selected.description, selected.version.toString(16).toUpperCase().padStart(8, '0')]);
      const simOut = await ok('-i', '0');
      const home = setup!.sim.modems[0]!.firmware.home;
      expect([field(simOut, 'operator id'), field(simOut, 'operator name')]).toEqual([home.mcc + home.mnc, home.name]);
      // The operator id is the IMSI's MCC and MNC (EF_AD's length).
      expect(i.sim?.imsi?.startsWith(home.mcc + home.mnc)).toBe(true);
      // EF_GID1/GID2 as the simulated card holds them (unset: all FF); MBIM's Basic Connect cannot read them.
      if (qmi) expect([field(simOut, 'gid1'), field(simOut, 'gid2')]).toEqual(['FFFFFFFFFFFFFFFF', 'FFFFFFFFFFFFFFFF']);
    }, 30_000);

    it('sets the SIM\'s preferred networks, which -i 0 shows from the card (QMI; MBIM refuses)', async () => {
      const r = await mmcli('-i', '0', '--sim-set-preferred-networks=00102,lte,310410,gsm|umts,00103');
      if (!qmi) {
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/Core\.Unsupported: preferred networks are not supported over MBIM/);
        return;
      }
      expect(r.code, r.stderr).toBe(0);
      // The simulated card's EF_PLMNwAcT holds what was set, in order (a 3-digit MNC kept as such).
      const card = setup!.sim.modems[0]!.firmware.card!;
      expect(card.preferredNetworks().map((n) => `${n.mcc}${n.mnc}`)).toEqual(['00102', '310410', '00103']);
      const out = await ok('-i', '0');
      expect(out).toMatch(/00102 \(lte\)/);
      expect(out).toMatch(/310410 \(gsm, umts\)/);
      await expect.poll(async () => (await daemon!.request('preferredNetworks', { modem: 'modem0' })).networks).toEqual([
        { mcc: '001', mnc: '02', techs: ['lte'] },
        { mcc: '310', mnc: '410', techs: ['gsm', 'umts'] },
        { mcc: '001', mnc: '03', techs: [] },
      ]);
      // Not a code of 5 or 6 digits: mmcli itself refuses it before asking.
      expect((await mmcli('-i', '0', '--sim-set-preferred-networks=0010')).code).not.toBe(0);
    }, 30_000);

    it('sends PropertiesChanged for CurrentModes to a D-Bus client after SetCurrentModes', async () => {
      const watch = await watchProperties(setup!.bus.address, MODEM);
      try {
        await ok('-m', '0', '--set-allowed-modes=3g|4g');
        // The allowed modes as set; the preferred one is what the modem reads back (QMI: its acquisition order's first allowed).
        const allowed = () => (watch.last('org.freedesktop.ModemManager1.Modem', 'CurrentModes') as [number, number] | undefined)?.[0];
        await expect.poll(allowed, { timeout: 5000 }).toBe(4 | 8);
        await ok('-m', '0', '--set-allowed-modes=any');
        await expect.poll(allowed, { timeout: 5000 }).toBe(qmi ? 2 | 4 | 8 | 16 : 2 | 4 | 8);
      } finally {
        watch.stop();
      }
    }, 30_000);

    it('refuses the methods wwankit does not carry out with the errors ModemManager gives for this modem', async () => {
      const refusals: [string[], RegExp][] = [
        [['-m', '0', '--set-current-capabilities=lte'], /Core\.Unsupported: Cannot change capabilities: only one combination supported/],
        [['-m', '0', '--3gpp-set-eps-ue-mode-operation=ps-2'], /Core\.Unsupported: Cannot set UE mode of operation for EPS/],
        [['-m', '0', '--3gpp-set-nr5g-registration-settings=mico-mode=disabled'], /Core\.Unsupported: Cannot set 5GNR registration settings/],
        [['-m', '0', '--3gpp-disable-facility-lock=ph-sim,12345678'], /Core\.Unsupported: Invalid type of facility lock/],
        // An unlocked modem answers the depersonalization itself (test/dbus/mmcli-simlock.test.ts locks one): QMI no effect, MBIM the PIN disabled.
        [['-m', '0', '--3gpp-disable-facility-lock=net-pers,12345678'], qmi ? /libqmi\.Error\.Protocol\.NoEffect: QMI message Depersonalization failed/ : /libmbim\.Error\.Status\.PinDisabled: PinDisabled/],
      ];
      for (const [args, error] of refusals) {
        const r = await mmcli(...args);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.stderr, args.join(' ')).toMatch(error);
      }
    }, 60_000);

    it('disables (radio low power) and enables the modem, and resets it', async () => {
      await ok('-m', '0', '-d');
      expect(field(await ok('-m', '0'), 'power state')).toBe('low');
      expect((await daemon!.request('power', { modem: 'modem0' })).state).toBe('low');
      await ok('-m', '0', '-e');
      expect(field(await ok('-m', '0'), 'power state')).toBe('on');
      await ok('-m', '0', '-r');
      await expect.poll(async () => (await info()).state, { timeout: 30_000 }).toBe('registered');
    }, 60_000);
});

// The real ModemManager shows none on iosm (test/sim/modemmanager.test.ts): the function lists no QMI service.
describe('the carrier configuration under mmcli on an MBIM function without QMI over MBIM (iosm simulator)', () => {
  let setup: SimsOnBus | undefined;

  beforeAll(async () => {
    if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
    setup = await simsOnBus({ tag: 'radio-iosm', profile: PROFILES.iosm, seed: 17 });
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('shows none, as ModemManager does, and the API names the refusal', async () => {
    const { ok } = mmcliOn(setup!.bus.address, { timeoutMs: 30_000 });
    const out = await ok('-K', '-m', '0');
    const key = (k: string): string | undefined => new RegExp(`^modem\\.generic\\.${k}\\s+:\\s(.*)$`, 'm').exec(out)?.[1]?.trim();
    expect([key('carrier-configuration'), key('carrier-configuration-revision')]).toEqual(['--', '--']);
    await expect(setup!.daemon.request('carrierConfig', { modem: 'modem0' })).rejects.toThrow(/carries no QMI/);
  }, 60_000);
});
