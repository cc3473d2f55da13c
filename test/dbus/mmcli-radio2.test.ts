/**
 * The attach side of ModemManager's D-Bus API, driven by the real mmcli on a private dbus-daemon
 * against a simulated QMI modem and a simulated MBIM modem: the initial EPS bearer (its settings in
 * the modem's attach profile / LTE attach configuration, its Bearer object), packet service attach
 * and detach (the simulator detached: no data calls), PCO, the SIM's emergency numbers from EF_ECC,
 * and PropertiesChanged for each as a D-Bus client of its own sees it.
 */
import dbus from 'dbus-next';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Daemon } from '../../src/daemon/server.js';
import { plmnOctets } from '../../src/sim/pco.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { field, mmcliOn, simsOnBus, watchProperties, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const MODEM = '/org/freedesktop/ModemManager1/Modem/0';
const M3GPP = 'org.freedesktop.ModemManager1.Modem.Modem3gpp';
const PASSWORD = 'attach-secret-7731';

describe.each<[ProfileName]>([['qmi-rmnet'], ['mbim-usb']])('initial EPS bearer, packet service, PCO and emergency numbers under mmcli (%s simulator)', (profile) => {
  const qmi = PROFILES[profile].control === 'qmi';
  let setup: SimsOnBus | undefined;
  let daemon: Daemon | undefined;
  let mmcli: ReturnType<typeof mmcliOn>['mmcli'];
  let ok: ReturnType<typeof mmcliOn>['ok'];
  const firmware = () => setup!.sim.modems[0]!.firmware;
  /** The simulator's LTE attach profile (QMI's WDS profile; MBIM's home configuration is the same). */
  const attachProfile = () => firmware().profiles.find((p) => p.index === firmware().dataSettings.attachProfiles[0])!;

  beforeAll(async () => {
    if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
    setup = await simsOnBus({ tag: `radio2-${profile}`, profile: PROFILES[profile], seed: 23, goneAfterMs: 60_000 });
    daemon = setup.daemon;
    ({ mmcli, ok } = mmcliOn(setup.bus.address, { timeoutMs: 30_000 }));
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('shows the initial EPS bearer the modem attached with, sets new settings into the modem, and signals them', async () => {
    const before = await ok('-m', '0');
    expect(field(before, 'initial bearer apn')).toBe(attachProfile().apn);
    const path = field(before, 'initial bearer path') ?? expect.fail(`no initial bearer:\n${before}`);
    // The attach bearer: ModemManager's default-attach type, connected without a data interface.
    const bearer = await ok('-b', path);
    expect(field(bearer, 'type')).toBe('default-attach');
    expect(field(bearer, 'connected')).toBe('yes');
    expect(field(bearer, 'apn')).toBe(attachProfile().apn);

    const watch = await watchProperties(setup!.bus.address, MODEM);
    try {
      const set = await mmcli('-m', '0', `--3gpp-set-initial-eps-bearer-settings=apn=attach.example,ip-type=ipv4,user=joe,password=${PASSWORD},allowed-auth=chap`);
      expect(set.code, set.stderr).toBe(0);
      // Stored in the modem: the simulator's attach profile holds them (QMI: WDS Modify Profile; MBIM: LTE attach configuration).
      expect(attachProfile()).toMatchObject({ apn: 'attach.example', family: 'ipv4', username: 'joe', password: PASSWORD, auth: 'chap' });
      const out = await ok('-m', '0');
      expect([field(out, 'initial bearer apn'), field(out, 'initial bearer ip type'), field(out, 'initial bearer user')]).toEqual(['attach.example', 'ipv4', 'joe']);
      expect(out).not.toContain(PASSWORD);
      await expect.poll(() => (watch.last(M3GPP, 'InitialEpsBearerSettings') as Record<string, { value: unknown }> | undefined)?.apn?.value, { timeout: 5000 }).toBe('attach.example');
      // Attached again with the new settings: a new attach bearer object carries them.
      await expect.poll(async () => { const p = field(await ok('-m', '0'), 'initial bearer path'); return p && p !== path ? field(await ok('-b', p), 'apn') : undefined; }, { timeout: 20_000 }).toBe('attach.example');
      expect(watch.last(M3GPP, 'InitialEpsBearer')).not.toBe(path);
    } finally {
      watch.stop();
    }
    // The same settings again: nothing to do, still success (as ModemManager).
    await ok('-m', '0', '--3gpp-set-initial-eps-bearer-settings=apn=attach.example,ip-type=ipv4,user=joe');
    // A key that is not an attach setting is refused before the modem is asked.
    const bad = await mmcli('-m', '0', '--3gpp-set-initial-eps-bearer-settings=apn=x,multiplex=required');
    expect(bad.stderr).toMatch(/InvalidArgs: unsupported initial EPS bearer settings: multiplex/);
    expect(attachProfile().apn).toBe('attach.example');
    // Back to the network's APN so the other cases connect.
    await ok('-m', '0', '--3gpp-set-initial-eps-bearer-settings=apn=internet,ip-type=ipv4v6');
    expect(attachProfile().apn).toBe('internet');
  }, 90_000);

  it('detaches from and attaches to the packet domain: -m 0 follows, a detached modem makes no data call', async () => {
    await expect.poll(async () => field(await ok('-m', '0'), 'packet service state'), { timeout: 20_000 }).toBe('attached');
    const watch = await watchProperties(setup!.bus.address, MODEM);
    try {
      await ok('-m', '0', '--3gpp-set-packet-service-state=detached');
      expect(firmware().packetAttached).toBe(false);
      expect(await daemon!.request('packetService', { modem: 'modem0' })).toEqual({ state: 'detached' });
      const out = await ok('-m', '0');
      expect(field(out, 'packet service state')).toBe('detached');
      // Not attached: no attach bearer, as ModemManager clears it.
      expect(field(out, 'initial bearer path')).toBeUndefined();
      await expect.poll(() => watch.last(M3GPP, 'PacketServiceState'), { timeout: 5000 }).toBe(1);
      const refused = await mmcli('-m', '0', '--simple-connect=apn=internet');
      expect(refused.code).not.toBe(0);
      expect(firmware().sessions.size).toBe(0);
      await ok('-m', '0', '--3gpp-set-packet-service-state=attached');
      expect(firmware().packetAttached).toBe(true);
      await expect.poll(() => watch.last(M3GPP, 'PacketServiceState'), { timeout: 5000 }).toBe(2);
      await expect.poll(async () => field(await ok('-m', '0'), 'initial bearer path'), { timeout: 20_000 }).toMatch(/Bearer\/\d+$/);
    } finally {
      watch.stop();
    }
    // A state that is neither attached nor detached (mmcli will not send one; a client of its own does): ModemManager's InvalidArgs.
    const bus = dbus.sessionBus({ busAddress: setup!.bus.address });
    try {
      const m3gpp = (await bus.getProxyObject('org.freedesktop.ModemManager1', MODEM)).getInterface(M3GPP);
      await expect(m3gpp.SetPacketServiceState!(0)).rejects.toMatchObject({ type: 'org.freedesktop.ModemManager1.Error.Core.InvalidArgs', text: 'Invalid packet service state requested' });
    } finally {
      bus.disconnect();
    }
  }, 90_000);

  it('shows the PCO the network sent with a connection (MBIM; QMI modems pass none, as ModemManager)', async () => {
    const watch = await watchProperties(setup!.bus.address, MODEM);
    try {
      await ok('-m', '0', '--simple-connect=apn=internet');
      const out = await ok('-m', '0');
      if (!qmi) {
        // The operator's container (FF00H) carrying the simulated network's PLMN, passed on as a partial PCO.
        const { mcc, mnc } = firmware().operator;
        const plmn = Buffer.from(plmnOctets(mcc, mnc)).toString('hex').toUpperCase();
        expect(field(out, 'pco')).toMatch(new RegExp(`^\\d+: \\(partial\\) '27[0-9A-F]{2}80FF00[0-9A-F]{2}${plmn}00'$`));
        await expect.poll(() => (watch.last(M3GPP, 'Pco') as unknown[] | undefined)?.length, { timeout: 5000 }).toBe(1);
      } else {
        expect(field(out, 'pco')).toBeUndefined();
      }
      await ok('-m', '0', '--simple-disconnect');
      if (!qmi) await expect.poll(async () => field(await ok('-m', '0'), 'pco'), { timeout: 10_000 }).toBeUndefined();
    } finally {
      watch.stop();
    }
  }, 60_000);

  it('reads the emergency numbers from the card in use (EF_ECC): slot 2 has others', async () => {
    expect(field(await ok('-i', '0'), 'emergency numbers')).toBe('112, 911');
    await ok('-m', '0', '--set-primary-sim-slot=2');
    await expect.poll(async () => /slot 2: \S+ \(active\)/.test(await ok('-m', '0')), { timeout: 20_000 }).toBe(true);
    const simPath = /slot 2: (\S+) \(active\)/.exec(await ok('-m', '0'))![1]!;
    await expect.poll(async () => field(await ok('-i', simPath), 'emergency numbers'), { timeout: 20_000 }).toBe('112, 999, 000');
    const sim = await ok('-i', simPath);
    // MBIM's slot state says the eUICC has profiles; ModemManager 1.20 shows nothing of it for QMI.
    expect(field(sim, 'esim status')).toBe(qmi ? undefined : 'with-profiles');
    await ok('-m', '0', '--set-primary-sim-slot=1');
    await expect.poll(async () => field(await ok('-i', '0'), 'emergency numbers'), { timeout: 20_000 }).toBe('112, 911');
  }, 90_000);
});
