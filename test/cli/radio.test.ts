/**
 * `wwan scan|register|modes|bands|cells|slots|numbers|power|initial-eps|packet-service|reset|apdu|sim-pin|sim-lock` through a daemon
 * with a simulated QMI modem (and SIM-locked QMI and MBIM ones for sim-lock): human and --json output, codes read from stdin and files (never
 * needed on the command line), usage errors exit 2, refusals exit 1 with the network's cause.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WWAN } from '../support/capture.js';

describe('wwan radio and SIM commands', () => {
  const dir = mkdtempSync(join(tmpdir(), `wwan-cli-radio-${process.pid}-`));
  const socket = join(dir, 'wwand.sock');
  let sim: Simulator;
  /** A modem locked to its network and corporate group. */
  let locked: Simulator;
  /** An MBIM modem locked to its network. */
  let lockedMbim: Simulator;
  let daemon: Daemon;
  const log: string[] = [];
  /** Runs `wwan …` with `stdin` fed to it. */
  const cli = (args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(process.execPath, [WWAN, ...args], { env: { ...process.env, WWAN_SOCKET: socket } }, (e, stdout, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(stdin);
    });
  const json = async (args: string[], stdin = ''): Promise<unknown> => {
    const r = await cli([...args, '--json'], stdin);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };

  beforeAll(async () => {
    const base = PROFILES['qmi-rmnet'];
    sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, scanMs: 800 } }, seed: 31, dir });
    daemon = await Daemon.start({ socket, netdev: async (_m, n) => new MemoryNetdev(n), log: (l) => log.push(l) });
    const m = sim.ready().modems[0]!;
    await daemon.manager.add({ id: 'modem0', control: 'qmi', port: `unix:${m.ports[0]!.socket}` });
    const personalization = [
      { feature: 'gw-network' as const, key: '31415926', verifyRetries: 2 },
      { feature: 'gw-corporate' as const, key: '2718', verifyRetries: 2 },
    ];
    locked = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, personalization } }, seed: 32, dir: mkdtempSync(join(dir, 'locked-')) });
    await daemon.manager.add({ id: 'modem1', control: 'qmi', port: `unix:${locked.ready().modems[0]!.ports[0]!.socket}` });
    const mbim = PROFILES['mbim-usb'];
    lockedMbim = await Simulator.start({ profile: { ...mbim, firmware: { ...mbim.firmware, personalization: [personalization[0]!] } }, seed: 33, dir: mkdtempSync(join(dir, 'mbim-')) });
    await daemon.manager.add({ id: 'modem2', control: 'mbim', port: `unix:${lockedMbim.ready().modems[0]!.ports[0]!.socket}` });
  }, 90_000);
  afterAll(async () => {
    await daemon?.stop();
    await sim?.stop();
    await locked?.stop();
    await lockedMbim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scans (progress on stderr), registers in an operator and back; the forbidden one exits 1 with its cause', async () => {
    const scan = await cli(['scan', 'modem0']);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toBe('scanning modem0…\n');
    expect(scan.stdout).toMatch(/^MCCMNC\s+NAME\s+TECH\s+STATUS\n/);
    expect(scan.stdout).toMatch(/\n\d{5,6}\s+Initech Wireless\s+lte\s+forbidden\n/);
    const plmn = (name: string): string => new RegExp(`\\n(\\d{5,6})\\s+${name}\\s`).exec(scan.stdout)![1]!;
    const refused = await cli(['register', 'modem0', plmn('Initech Wireless')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^wwan: .*11/);
    expect(await cli(['register', 'modem0', plmn('Northwind Mobile')])).toMatchObject({ code: 0, stdout: `modem0: registering in ${plmn('Northwind Mobile')}\n` });
    expect(await cli(['register', 'modem0', '12ab'])).toMatchObject({ code: 2, stderr: 'wwan register: the operator is MCCMNC (5 or 6 digits) or auto, not "12ab"\n' });
  }, 90_000);

  it('shows and sets modes and bands, lists cells; bad values are usage errors', async () => {
    expect((await cli(['modes', 'modem0'])).stdout).toMatch(/^current {4}\S+.*\nsupported {2}.+\n$/);
    expect(await json(['modes', 'modem0', '--allowed', 'lte,umts', '--preferred', 'lte'])).toMatchObject({ current: { allowed: ['lte', 'umts'], preferred: 'lte' } });
    expect(await cli(['modes', 'modem0', '--allowed', 'lte,4g'])).toMatchObject({ code: 2, stderr: 'wwan modes: a technology is one of gsm, umts, lte, nr5g, not "4g"\n' });
    expect((await cli(['bands', 'modem0', '--set', 'lte:3,lte:20'])).stdout).toMatch(/^current {4}lte:3 lte:20\n/);
    expect(await cli(['bands', 'modem0', '--set', 'lte3'])).toMatchObject({ code: 2, stderr: 'wwan bands: a band is TECH:NUMBER (e.g. lte:3, nr5g:78, gsm:900), not "lte3"\n' });
    const cells = await cli(['cells', 'modem0']);
    expect(cells.stdout).toMatch(/^\s+TECH\s+PLMN\s+CELL ID/);
    expect(cells.stdout).toMatch(/\nserving\s+\S+/);
  }, 90_000);

  it('PIN codes from stdin and files: turn on (a wrong one exits 1 with the tries left), change, turn off; never on the command line or in the log', async () => {
    expect(await cli(['sim-pin', 'enable', 'modem0'], '8642\n')).toMatchObject({ code: 1, stdout: 'modem0: PIN1 enabled: the code was refused (2 tries left)\n' });
    expect(await cli(['sim-pin', 'enable', 'modem0'], '1234\n')).toMatchObject({ code: 0, stdout: 'modem0: PIN1 enabled\n' });
    const oldFile = join(dir, 'old');
    const newFile = join(dir, 'new');
    writeFileSync(oldFile, '1234\n', { mode: 0o600 });
    writeFileSync(newFile, '5927\n', { mode: 0o600 });
    expect((await cli(['sim-pin', 'change', 'modem0', '--pin-file', oldFile, '--new-pin-file', newFile])).code).toBe(0);
    expect(await json(['sim-pin', 'retries', 'modem0'])).toMatchObject({ retries: { pin1: 3 }, pin1Enabled: true });
    expect(await cli(['sim-pin', 'disable', 'modem0'], '5927\n')).toMatchObject({ code: 0 });
    expect(await cli(['sim-pin', 'change', 'modem0'], '5927\n')).toMatchObject({ code: 2, stderr: 'wwan sim-pin: no new PIN on stdin (one code per line; or give its file)\n' });
    for (const code of ['8642', '5927']) expect(log.filter((l) => l.includes(code))).toEqual([]);
  }, 90_000);

  it('SIM locks: listed with their tries; a wrong key exits 1 with the tries left until the lock is blocked; the right key lifts one; never in the log', async () => {
    expect(await cli(['sim-lock', 'modem0'])).toMatchObject({ code: 0, stdout: 'modem0: no SIM lock enabled\n' });
    expect((await cli(['sim-lock', 'modem1'])).stdout).toMatch(/^LOCK\s+TRIES\s+UNBLOCK TRIES\nnetwork\s+2\s+10\ncorporate\s+2\s+10\n$/);
    expect(await cli(['sim-lock', 'modem1', '--disable', 'network'], '1111\n')).toMatchObject({ code: 1, stdout: 'modem1: network lock kept: the key was refused (1 tries left, 10 unblock tries)\n' });
    expect(await cli(['sim-lock', 'modem1', '--disable', 'network'], '2222\n')).toMatchObject({ code: 1, stdout: 'modem1: network lock kept: the lock is blocked: no tries left (0 tries left, 10 unblock tries)\n' });
    // Blocked: the right key no longer deactivates it.
    expect(await cli(['sim-lock', 'modem1', '--disable', 'network'], '31415926\n')).toMatchObject({ code: 1 });
    const keyFile = join(dir, 'cck');
    writeFileSync(keyFile, '2718\n', { mode: 0o600 });
    expect(await cli(['sim-lock', 'modem1', '--disable', 'corporate', '--key-file', keyFile])).toMatchObject({ code: 0, stdout: 'modem1: corporate lock disabled\n' });
    expect(await json(['sim-lock', 'modem1'])).toMatchObject({ personalization: [{ facility: 'network', retries: 0, unblockRetries: 10 }] });
    expect(await cli(['sim-lock', 'modem1', '--disable', 'corporate', '--key-file', keyFile])).toMatchObject({ code: 1, stdout: 'modem1: corporate lock kept: that lock is not enabled\n' });
    expect(await cli(['sim-lock', 'modem1', '--key', '2718'])).toMatchObject({ code: 2, stderr: 'wwan sim-lock: a key is for --disable\n' });
    expect((await cli(['sim-lock', 'modem1', '--disable', 'ph-sim'], '1\n')).code).not.toBe(0);
    for (const key of ['31415926', '2718', '1111']) expect(log.filter((l) => l.includes(key))).toEqual([]);
  }, 90_000);

  it('SIM locks on MBIM: listed from the PIN list with their tries unknown; a wrong key exits 1 with the tries left; the right key lifts it', async () => {
    expect((await cli(['sim-lock', 'modem2'])).stdout).toMatch(/^LOCK\s+TRIES\s+UNBLOCK TRIES\nnetwork\s+unknown\s+unknown\n$/);
    expect(await cli(['sim-lock', 'modem2', '--disable', 'network'], '1111\n')).toMatchObject({ code: 1, stdout: 'modem2: network lock kept: the key was refused (1 tries left, unknown unblock tries)\n' });
    expect(await cli(['sim-lock', 'modem2', '--disable', 'network'], '31415926\n')).toMatchObject({ code: 0, stdout: 'modem2: network lock disabled\n' });
    expect(await cli(['sim-lock', 'modem2'])).toMatchObject({ code: 0, stdout: 'modem2: no SIM lock enabled\n' });
    expect(log.filter((l) => l.includes('31415926'))).toEqual([]);
  }, 90_000);

  it('shows and sets the initial EPS bearer (the password from a file, never shown) and the packet service state', async () => {
    const firmware = sim.modems[0]!.firmware;
    const attachProfile = () => firmware.profiles.find((p) => p.index === firmware.dataSettings.attachProfiles[0])!;
    expect(((await json(['initial-eps', 'modem0'])) as { settings: { apn: string } }).settings.apn).toBe(attachProfile().apn);
    const pw = join(dir, 'attach-password');
    writeFileSync(pw, 'attach-pw-5521\n');
    const set = await cli(['initial-eps', 'modem0', '--apn', 'attach.example', '--ip-type', 'ipv4', '--auth', 'pap', '--user', 'joe', '--password-file', pw]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^modem0: attach settings apn attach\.example, ipv4, auth pap, user joe\n/);
    expect(attachProfile()).toMatchObject({ apn: 'attach.example', family: 'ipv4', auth: 'pap', username: 'joe', password: 'attach-pw-5521' });
    expect(set.stdout + set.stderr + log.join('\n')).not.toContain('attach-pw-5521');
    expect(await cli(['initial-eps', 'modem0', '--user', 'x'])).toMatchObject({ code: 2, stderr: 'wwan initial-eps: give --apn with the other settings\n' });
    expect(await cli(['packet-service', 'modem0', 'detached'])).toMatchObject({ code: 0, stdout: 'modem0: packet service detached\n' });
    expect(firmware.packetAttached).toBe(false);
    expect(await json(['packet-service', 'modem0'])).toEqual({ state: 'detached' });
    expect(await cli(['packet-service', 'modem0', 'attached'])).toMatchObject({ code: 0, stdout: 'modem0: packet service attached\n' });
    expect((await cli(['initial-eps', 'modem0', '--apn', 'internet', '--ip-type', 'ipv4v6'])).code).toBe(0);
  }, 60_000);

  it('slots and the eUICC over APDUs; low power; a refused factory reset; reset', async () => {
    expect((await cli(['slots', 'modem0', '--set', '2'])).stdout).toMatch(/\n2\s+\*\s+euicc\s+yes\s+\d+\s+\d{32}\n$/);
    const channel = (await cli(['apdu', 'open', 'modem0', 'A0000005591010FFFFFFFF8900000100'])).stdout.trim();
    expect(channel).toMatch(/^\d+$/);
    const cla = (0x80 | Number(channel)).toString(16);
    expect((await cli(['apdu', 'send', 'modem0', channel, `${cla} CA BF3E 00`])).stdout).toMatch(/^bf3e125a10[0-9]{32}9000\n$/);
    expect(await cli(['apdu', 'send', 'modem0', channel, `${cla}e2910005bf2e`])).toMatchObject({ code: 1 });
    expect(await cli(['apdu', 'close', 'modem0', channel])).toMatchObject({ code: 0, stdout: `channel ${channel} closed\n` });
    expect((await cli(['slots', 'modem0', '--set', '1'])).stdout).toMatch(/\n1\s+\*\s+uicc/);
    expect(await cli(['power', 'modem0', 'low'])).toMatchObject({ code: 0, stdout: 'modem0: power low\n' });
    expect(await cli(['reset', 'modem0', '--factory'], '111111\n')).toMatchObject({ code: 1, stderr: 'wwan: the modem refused the service programming code\n' });
    // A reset brings the radio back on.
    expect(await cli(['reset', 'modem0'])).toMatchObject({ code: 0, stdout: 'modem0: reset\n' });
  }, 90_000);
});
