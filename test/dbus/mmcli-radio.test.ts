/**
 * Radio and SIM control through ModemManager's D-Bus API, driven by the real mmcli on a private
 * dbus-daemon against a simulated QMI modem: scan, registration (the forbidden operator refused with
 * its cause), modes and bands, cells, signal thresholds, PIN/PUK, the eUICC slot, power and reset.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Daemon } from '../../src/daemon/server.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { field, mmcliOn, simsOnBus, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const PIN = '1234';
const PUK = '12345678';
const NEW_PIN = '7395';
const WRONG_PIN = '8642';
let setup: SimsOnBus | undefined;
let daemon: Daemon | undefined;
let mmcli: ReturnType<typeof mmcliOn>['mmcli'];
let ok: ReturnType<typeof mmcliOn>['ok'];
const registration = async (): Promise<string | undefined> => (await daemon!.request('info', { modem: 'modem0' })).registration?.operator?.mnc;

beforeAll(async () => {
  if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
  const base = PROFILES['qmi-rmnet'];
  setup = await simsOnBus({ tag: 'radio', profile: { ...base, firmware: { ...base.firmware, scanMs: 1500 } }, seed: 17, goneAfterMs: 60_000 });
  daemon = setup.daemon;
  ({ mmcli, ok } = mmcliOn(setup.bus.address, { timeoutMs: 30_000 }));
}, 60_000);

afterAll(async () => {
  await setup?.stop();
});

describe('radio and SIM control under mmcli (QMI simulator)', () => {
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
    await ok('-m', '0', '--set-allowed-modes=3g|4g', '--set-preferred-mode=3g');
    let out = await ok('-m', '0');
    expect(out).toMatch(/current: allowed: 3g, 4g; preferred: 3g/);
    await expect.poll(async () => (await daemon!.request('info', { modem: 'modem0' })).registration?.tech, { timeout: 15_000 }).toBe('umts');
    await ok('-m', '0', '--set-allowed-modes=4g');
    await expect.poll(async () => (await daemon!.request('info', { modem: 'modem0' })).registration?.tech, { timeout: 15_000 }).toBe('lte');
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
    const refused = await mmcli('-m', '0', '--signal-setup-thresholds=error-rate-threshold=yes');
    expect(refused.stderr).toMatch(/Core\.Unsupported/);
  }, 30_000);

  it('enables, changes, blocks and recovers the PIN; the retries show in -m 0', async () => {
    expect(field(await ok('-m', '0'), 'unlock retries')).toMatch(/sim-pin \(3\), sim-puk \(10\)/);
    const wrong = await mmcli('-i', '0', `--pin=${WRONG_PIN}`, '--enable-pin');
    expect(wrong.stderr).toMatch(/IncorrectPassword/);
    expect(wrong.stderr).not.toContain(WRONG_PIN);
    expect(field(await ok('-m', '0'), 'unlock retries')).toMatch(/sim-pin \(2\)/);
    await ok('-i', '0', `--pin=${PIN}`, '--enable-pin');
    await ok('-i', '0', `--pin=${PIN}`, `--change-pin=${NEW_PIN}`);
    // Three wrong tries block it; the PUK sets the new PIN.
    for (let i = 0; i < 3; i++) await mmcli('-i', '0', `--pin=${WRONG_PIN}`, '--disable-pin');
    await expect.poll(async () => (await daemon!.request('info', { modem: 'modem0' })).sim?.status, { timeout: 15_000 }).toBe('puk-required');
    await expect.poll(async () => field(await ok('-m', '0'), 'lock'), { timeout: 15_000 }).toMatch(/sim-puk/);
    await ok('-i', '0', `--puk=${PUK}`, `--pin=${PIN}`);
    await expect.poll(async () => (await daemon!.request('info', { modem: 'modem0' })).sim?.status, { timeout: 15_000 }).toBe('ready');
    await ok('-i', '0', `--pin=${PIN}`, '--disable-pin');
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

  it('disables (radio low power) and enables the modem, and resets it', async () => {
    await ok('-m', '0', '-d');
    expect(field(await ok('-m', '0'), 'power state')).toBe('low');
    expect((await daemon!.request('power', { modem: 'modem0' })).state).toBe('low');
    await ok('-m', '0', '-e');
    expect(field(await ok('-m', '0'), 'power state')).toBe('on');
    await ok('-m', '0', '-r');
    await expect.poll(async () => (await daemon!.request('info', { modem: 'modem0' })).state, { timeout: 30_000 }).toBe('registered');
  }, 60_000);
});
