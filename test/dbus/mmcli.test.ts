/**
 * The ModemManager D-Bus API driven by the real mmcli (Debian's modemmanager) on a private
 * dbus-daemon, against simulated modems in an in-process daemon. The policy we ship is loaded into
 * that bus, so a user outside root/netdev is shown to read but not change.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Daemon } from '../../src/daemon/server.js';
import { ModemManagerService } from '../../src/dbus/service.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { field, mmcliOn, startPrivateBus, type PrivateBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
const dir = mkdtempSync(join(tmpdir(), `wwan-dbus-${process.pid}-`));
const rsrps: number[] = [];
let bus: PrivateBus | undefined;
let address = '';
let daemon: Daemon | undefined;
let service: ModemManagerService | undefined;
let mmcli: ReturnType<typeof mmcliOn>['mmcli'];

beforeAll(async () => {
  if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
  // Readable by the unprivileged user of the policy test.
  chmodSync(dir, 0o755);
  bus = await startPrivateBus(dir, { policy: true });
  address = bus.address;
  ({ mmcli } = mmcliOn(address));
  daemon = await daemonWithSims({ socket: join(dir, 'wwand.sock'), netdev: async (_m, name) => new MemoryNetdev(name) }, ['qmi-rmnet:2']);
  daemon.manager.on('signal', (_id, s) => s.rsrp !== undefined && rsrps.push(s.rsrp));
  // What the probes read counts too: the D-Bus side may still show it when the first indication lands
  // between its last refresh and mmcli's read.
  for (const id of ['sim0', 'sim1']) {
    const rsrp = daemon.manager.get(id).info?.signal.rsrp;
    if (rsrp !== undefined) rsrps.push(rsrp);
  }
  service = await ModemManagerService.start(daemon, { bus: address });
});

afterAll(async () => {
  await service?.stop();
  await daemon?.stop();
  bus?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The numbers of the bearers modem 0 lists (Modem.Bearers), in its order. */
async function bearerNumbers(): Promise<string[]> {
  const out = (await mmcli('-K', '-m', '0')).stdout;
  return [...out.matchAll(/^modem\.generic\.bearers\.value\[\d+\]\s*:\s*\/org\/freedesktop\/ModemManager1\/Bearer\/(\d+)$/gm)].map((m) => m[1]!);
}

describe('the ModemManager D-Bus API under mmcli', () => {
  it('lists the modems and shows identity, state, signal and SIM', async () => {
    const list = await mmcli('-L');
    expect(list.stdout).toContain('/org/freedesktop/ModemManager1/Modem/0 [Quectel] RM500Q-GL');
    expect(list.stdout).toContain('/org/freedesktop/ModemManager1/Modem/1 [Quectel] RM500Q-GL');
    const m = await mmcli('-m', '0');
    const info = daemon!.manager.get('sim0').info!;
    expect([field(m.stdout, 'manufacturer'), field(m.stdout, 'model'), field(m.stdout, 'firmware revision'), field(m.stdout, 'imei')]).toEqual(['Quectel', 'RM500Q-GL', info.identity.revision, info.identity.imei]);
    expect([field(m.stdout, 'state'), field(m.stdout, 'access tech'), field(m.stdout, 'registration'), field(m.stdout, 'operator name')]).toEqual(['registered', '5gnr', 'home', 'wwankit']);
    expect(field(m.stdout, 'signal quality')).toMatch(/^\d+% \(recent\)$/);
    expect(field(m.stdout, 'primary sim path')).toBe('/org/freedesktop/ModemManager1/SIM/0');
    const simOut = (await mmcli('-i', '0')).stdout;
    expect(simOut).toMatch(/active: yes[\s\S]*type: physical/);
    expect([field(simOut, 'imsi'), field(simOut, 'iccid')]).toEqual([info.sim.imsi, info.sim.iccid]);
    expect(m.stderr).toBe('');
  });

  it('connects with --simple-connect and shows the interface and the IPv4 the simulator assigned', async () => {
    const c = await mmcli('-m', '0', '--simple-connect=apn=internet,ip-type=ipv4');
    expect([c.code, c.stdout.trim()]).toEqual([0, 'successfully connected the modem']);
    const bearer = [...daemon!.manager.get('sim0').bearers.values()][0]!;
    // The initial EPS bearer took a bearer number before it (as ModemManager numbers them): the modem lists its own.
    const [first] = await bearerNumbers();
    expect(first).toBeDefined();
    const b = await mmcli('-b', first!);
    expect([field(b.stdout, 'connected'), field(b.stdout, 'interface'), field(b.stdout, 'apn'), field(b.stdout, 'ip type')]).toEqual(['yes', bearer.netdev!.name, 'internet', 'ipv4']);
    expect([field(b.stdout, 'method'), field(b.stdout, 'address'), field(b.stdout, 'prefix'), field(b.stdout, 'gateway')]).toEqual(['static', bearer.connected!.ipv4!.address, '24', bearer.connected!.ipv4!.gateway]);
    expect(field(b.stdout, 'address')).toMatch(/^10\.64\.\d+\.2$/);
    expect(b.stderr).toBe('');
    expect(field((await mmcli('-m', '0')).stdout, 'state')).toBe('connected');
  });

  it('brings a second multiplexed bearer up beside the first, then --simple-disconnect takes both down', async () => {
    const c = await mmcli('-m', '0', '--simple-connect=apn=ims,ip-type=ipv4v6,multiplex=requested');
    expect(c.code).toBe(0);
    const up = [...daemon!.manager.get('sim0').bearers.values()];
    expect(up.map((b) => [b.status, b.netdev?.name])).toEqual([['connected', 'wwan0.1'], ['connected', 'wwan0.2']]);
    const numbers = await bearerNumbers();
    expect(numbers).toHaveLength(2);
    const b = await mmcli('-b', numbers[1]!);
    expect([field(b.stdout, 'connected'), field(b.stdout, 'multiplexed'), field(b.stdout, 'interface')]).toEqual(['yes', 'yes', 'wwan0.2']);
    expect(b.stdout).toMatch(/IPv6 configuration \|\s+method: static\n\s+\|\s+address: 2001:db8:64:/);
    expect(field((await mmcli('-m', '0')).stdout, 'paths')).toBe(`/org/freedesktop/ModemManager1/Bearer/${numbers[0]}`);
    const d = await mmcli('-m', '0', '--simple-disconnect');
    expect([d.code, d.stdout.trim()]).toEqual([0, 'successfully disconnected all bearers in the modem']);
    expect(daemon!.manager.get('sim0').bearers.size).toBe(0);
    // ModemManager keeps bearers made over D-Bus until they are deleted; they show as disconnected.
    expect(field((await mmcli('-b', numbers[0]!)).stdout, 'connected')).toBe('no');
    expect(field((await mmcli('-m', '0')).stdout, 'state')).toBe('registered');
  });

  it('reports LTE signal values that follow the simulator after --signal-setup', async () => {
    expect((await mmcli('-m', '0', '--signal-setup=1')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1200));
    const s = await mmcli('-m', '0', '--signal-get');
    expect(field(s.stdout, 'refresh rate')).toBe('1 seconds');
    const rsrp = Number(/rsrp: (-?[\d.]+) dBm/.exec(s.stdout)?.[1]);
    const now = daemon!.manager.get('sim0').info!.signal.rsrp!;
    expect([now, ...rsrps]).toContain(rsrp);
    // The 5G section follows the sim's NR measurements (its RSRP is the LTE one + 3 dB).
    const nr = /5G\s+\|[\s\S]*?rsrp: (-?[\d.]+) dBm/.exec(s.stdout)?.[1];
    expect(nr).toBeDefined();
    expect([now + 3, ...rsrps.map((x) => x + 3)]).toContain(Number(nr));
  });

  it('refuses what wwankit does not do, with ModemManager error names', async () => {
    const cmd = await mmcli('-m', '0', '--command=ATI');
    expect(cmd.stderr).toContain('org.freedesktop.ModemManager1.Error.Core.Unsupported');
    const bad = await mmcli('-m', '0', '--simple-connect=apn=nope,ip-type=ipv4');
    expect(bad.stderr).toContain('unknown-apn (3GPP cause 27)');
  });

  it('lets a user outside root and netdev read but not connect (the shipped policy)', async () => {
    if (process.getuid?.() !== 0) return;
    const asNobody = mmcliOn(address, { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] }).mmcli;
    expect((await asNobody('-m', '0')).stdout).toContain('RM500Q-GL');
    const denied = await asNobody('-m', '0', '--simple-connect=apn=internet');
    expect(denied.stderr).toContain('org.freedesktop.DBus.Error.AccessDenied');
    expect(daemon!.manager.get('sim0').bearers.size).toBe(0);
  });

  it('signals state changes to a watching mmcli, and shows bearers the daemon API makes while they are up', async () => {
    const watch = spawn('mmcli', ['-m', '0', '-w'], { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address } });
    let out = '';
    watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await expect.poll(() => out, { timeout: 5000 }).toContain('Initial state');
    const bearer = (await daemon!.request('connect', { modem: 'sim0', apns: ['internet'] })) as { linkId: number };
    expect(field((await mmcli('-m', '0')).stdout, 'paths')).toMatch(/^\/org\/freedesktop\/ModemManager1\/Bearer\/\d+$/);
    await daemon!.request('disconnect', { modem: 'sim0', linkId: bearer.linkId });
    await expect.poll(() => out, { timeout: 5000 }).toContain("'connected' --> 'registered'");
    watch.kill();
    expect(out.match(/'\w+' --> '\w+'/g)).toEqual(["'registered' --> 'connecting'", "'connecting' --> 'connected'", "'connected' --> 'registered'"]);
  });

  it('drops a modem the daemon removes from mmcli -L', async () => {
    await daemon!.request('remove', { modem: 'sim1' });
    const list = await mmcli('-L');
    expect(list.stdout).toContain('Modem/0');
    expect(list.stdout).not.toContain('Modem/1');
  });
});
