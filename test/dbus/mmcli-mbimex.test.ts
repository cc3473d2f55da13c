/**
 * An MBIM modem that speaks MBIMEx 3.0 under the real mmcli: the daemon agrees on 3.0 when it opens the
 * modem (as ModemManager 1.20 does), so the revised layouts carry the session, registration and cells;
 * `-m 0` shows the 5G registration settings the modem holds and
 * `--3gpp-set-nr5g-registration-settings` stores new ones in it (MBIMEx 3.0's registration parameters);
 * `--get-cell-info` lists the NR cell; `-i` says whether the card can be removed.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PROFILES } from '../../src/sim/profiles.js';
import { field, mmcliOn, simsOnBus, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const base = PROFILES['mbim-usb'];

describe('an MBIMEx 3.0 modem under mmcli', () => {
  let setup: SimsOnBus | undefined;
  let mmcli: ReturnType<typeof mmcliOn>['mmcli'];
  let ok: ReturnType<typeof mmcliOn>['ok'];
  const firmware = () => setup!.sim.modems[0]!.firmware;

  beforeAll(async () => {
    if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
    setup = await simsOnBus({ tag: 'mbimex', profile: { ...base, firmware: { ...base.firmware, mbimex: 0x0300, rat: '5gnr' } }, seed: 29 });
    ({ mmcli, ok } = mmcliOn(setup.bus.address, { timeoutMs: 30_000 }));
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('connects and disconnects a bearer in the 3.0 layouts', async () => {
    expect((await ok('-m', '0', '--simple-connect=apn=internet,ip-type=ipv4')).trim()).toBe('successfully connected the modem');
    // The modem's data bearer (not its initial EPS bearer), with the address the simulator gave.
    const session = [...firmware().sessions.values()];
    expect(session).toHaveLength(1);
    const bearer = [...setup!.daemon.manager.get('modem0').bearers.values()][0]!;
    expect(bearer.connected?.ipv4?.address).toBe(session[0]!.ipv4?.address);
    await ok('-m', '0', '--simple-disconnect');
    expect(firmware().sessions.size).toBe(0);
  }, 60_000);

  it('shows the 5G registration settings the modem holds and stores new ones in it', async () => {
    const before = await ok('-m', '0');
    // The simulator's defaults: MICO disabled, the DRX cycle not specified (left out, as ModemManager does).
    expect([field(before, 'mico mode'), field(before, 'drx cycle')]).toEqual(['disabled', undefined]);
    await ok('-m', '0', '--3gpp-set-nr5g-registration-settings=mico-mode=enabled,drx-cycle=64');
    expect(firmware().registrationParameters).toMatchObject({ micoMode: 'enabled', drxCycle: '64', ladnInfo: 'not-needed', defaultPduActivationHint: 'likely', reRegisterIfNeeded: true });
    const after = await ok('-m', '0');
    expect([field(after, 'mico mode'), field(after, 'drx cycle')]).toEqual(['enabled', '64']);
    // The same settings again: nothing to store (ModemManager skips them too), still no error.
    await ok('-m', '0', '--3gpp-set-nr5g-registration-settings=mico-mode=enabled,drx-cycle=64');
    await ok('-m', '0', '--3gpp-set-nr5g-registration-settings=mico-mode=disabled,drx-cycle=256');
    expect(firmware().registrationParameters).toMatchObject({ micoMode: 'disabled', drxCycle: '256' });
    // MICO "unsupported" is only ever an answer: the modem refuses it, as ModemManager reports.
    const refused = await mmcli('-m', '0', '--3gpp-set-nr5g-registration-settings=mico-mode=unsupported');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/InvalidParameters|invalid parameters/i);
    expect(firmware().registrationParameters).toMatchObject({ micoMode: 'disabled', drxCycle: '256' });
  }, 60_000);

  it('lists the NR serving cell with its numbers', async () => {
    const out = await ok('-m', '0', '--get-cell-info');
    const serving = firmware().radio.cellInfo()!.serving;
    expect(out).toMatch(/cell type: 5gnr/);
    expect(out).toContain(`physical ci: ${serving.pci.toString(16).toUpperCase().padStart(4, '0')}`);
    expect(out).toContain(`nrarfcn: ${serving.arfcn}`);
  }, 30_000);

  it('says the UICC in use can be removed (MBIMEx 3.0 ready-status flags)', async () => {
    const sim = await ok('-i', '0');
    expect(field(sim, 'removability')).toBe('removable');
  }, 30_000);
});
