/**
 * Messaging over the ModemManager D-Bus API, driven by the real mmcli on a private dbus-daemon,
 * against two simulated QMI modems that text each other through the simulator's SMS center.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { ModemManagerService } from '../../src/dbus/service.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { hasTool, itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const it = itWithTools(['mmcli', 'dbus-daemon']);
const dir = mkdtempSync(join(tmpdir(), 'wwan-dbus-sms-'));
let bus: ChildProcess | undefined;
let address = '';
let sim: Simulator | undefined;
let daemon: Daemon | undefined;
let service: ModemManagerService | undefined;

const mmcli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  run('mmcli', args, { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address }, timeout: 15_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const field = (out: string, name: string): string | undefined => new RegExp(`\\|\\s+${name}: (.*)$`, 'm').exec(out)?.[1]?.replace(/\x1b\[[0-9;]*m/g, '').trim();
const smsIndex = (out: string): string => /\/SMS\/(\d+)/.exec(out)?.[1] ?? 'none';

beforeAll(async () => {
  if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${join(dir, 'bus.sock')}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
<include>${resolve('dbus/org.freedesktop.ModemManager1.conf')}</include></busconfig>
`,
  );
  bus = spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--print-address', '--nofork', '--nopidfile', '--nosyslog'], { stdio: ['ignore', 'pipe', 'inherit'] });
  address = await new Promise<string>((ok, fail) => {
    createInterface({ input: bus!.stdout! }).once('line', (l) => ok(l.trim()));
    bus!.once('exit', (code) => fail(new Error(`dbus-daemon exited with ${code}`)));
  });
  sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], modems: 2, seed: 90, dir });
  daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, name) => new MemoryNetdev(name) });
  for (const m of sim.ready().modems) await daemon.manager.add({ id: m.id, control: 'qmi', port: `unix:${m.ports[0]!.socket}` });
  service = await ModemManagerService.start(daemon, { bus: address });
});

afterAll(async () => {
  await service?.stop();
  await daemon?.stop();
  await sim?.stop();
  bus?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('Modem.Messaging and Sms under mmcli', () => {
  it('shows the messaging interface: storages', async () => {
    const m = await mmcli('-m', '0', '--messaging-status');
    expect(m.code).toBe(0);
    expect(field(m.stdout, 'supported storages')).toBe('me, sm');
    expect(field(m.stdout, 'default storages')).toBe('me');
  });

  it('creates a message, sends it with -s N --send, and the other modem lists and shows it', async () => {
    const to = sim!.ready().modems[1]!.number;
    const created = await mmcli('-m', '0', `--messaging-create-sms=text='Hallo Welt 😀 from mmcli',number='${to}'`);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/successfully created new SMS: \/org\/freedesktop\/ModemManager1\/SMS\/\d+/i);
    const n = smsIndex(created.stdout);
    const before = await mmcli('-s', n);
    expect(field(before.stdout, 'number')).toBe(to);
    // Not sent, not stored: mmcli shows no state for it yet.
    expect(field(before.stdout, 'pdu type')).toBe('submit');
    expect(field(before.stdout, 'state')).toBeUndefined();
    const sent = await mmcli('-s', n, '--send');
    expect([sent.code, sent.stdout.trim()]).toEqual([0, 'successfully sent the SMS']);
    const after = await mmcli('-s', n);
    expect(field(after.stdout, 'state')).toBe('sent');
    expect(field(after.stdout, 'pdu type')).toBe('submit');
    expect(sim!.smsCenter.records.at(-1)).toMatchObject({ to, text: 'Hallo Welt 😀 from mmcli', deliveredTo: 'modem1' });

    const list = await mmcli('-m', '1', '--messaging-list-sms');
    expect(list.stdout).toMatch(/\/org\/freedesktop\/ModemManager1\/SMS\/\d+ \(received\)/);
    const got = smsIndex(list.stdout);
    const shown = await mmcli('-s', got);
    expect(field(shown.stdout, 'number')).toBe(sim!.ready().modems[0]!.number);
    expect(field(shown.stdout, 'text')).toBe('Hallo Welt 😀 from mmcli');
    expect(field(shown.stdout, 'state')).toBe('received');
    expect(field(shown.stdout, 'pdu type')).toBe('deliver');
    expect(field(shown.stdout, 'timestamp')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(field(shown.stdout, 'storage')).toBe('me');

    const del = await mmcli('-m', '1', `--messaging-delete-sms=${got}`);
    expect([del.code, del.stdout.trim()]).toEqual([0, 'successfully deleted SMS from modem']);
    expect((await mmcli('-m', '1', '--messaging-list-sms')).stdout).toMatch(/No sms messages were found/);
    expect(sim!.modems[1]!.firmware.sms.list('me')).toEqual([]);
  });

  it('stores a created message in the modem with -s N --store, then sends it from the store', async () => {
    const created = await mmcli('-m', '0', "--messaging-create-sms=text='to send later',number='+15550002222'");
    const n = smsIndex(created.stdout);
    const stored = await mmcli('-s', n, '--store');
    expect([stored.code, stored.stdout.trim()]).toEqual([0, 'successfully stored the SMS']);
    const shown = await mmcli('-s', n);
    expect(field(shown.stdout, 'state')).toBe('stored');
    expect(field(shown.stdout, 'storage')).toBe('me');
    expect(sim!.modems[0]!.firmware.sms.list('me').map((x) => x.tag)).toEqual(['unsent']);
    expect((await mmcli('-m', '0', '--messaging-list-sms')).stdout).toContain(`/SMS/${n} (stored)`);
    const sent = await mmcli('-s', n, '--send');
    expect([sent.code, sent.stdout.trim()]).toEqual([0, 'successfully sent the SMS']);
    expect(field((await mmcli('-s', n)).stdout, 'state')).toBe('sent');
    expect(sim!.smsCenter.records.at(-1)).toMatchObject({ to: '+15550002222', text: 'to send later' });
    // QMI Send From Memory Storage: the modem tagged its copy sent.
    expect(sim!.modems[0]!.firmware.sms.list('me').map((x) => x.tag)).toEqual(['sent']);
    expect((await mmcli('-m', '0', '--messaging-list-sms')).stdout).toContain(`/SMS/${n} (sent)`);
  });

  it('a message delivered by sim ctl is listed by mmcli and readable', async () => {
    expect(sim!.fault({ fault: 'sms', to: 'modem1', from: '+4930123456', text: 'incoming via the SMS center' })).toMatchObject({ ok: true });
    let list = '';
    for (let i = 0; i < 50 && !/\(received\)/.test(list); i++) list = (await mmcli('-m', '1', '--messaging-list-sms')).stdout;
    const shown = await mmcli('-s', smsIndex(list));
    expect(field(shown.stdout, 'number')).toBe('+4930123456');
    expect(field(shown.stdout, 'text')).toBe('incoming via the SMS center');
  });

  it('refuses a message without a number, with ModemManager\'s error', async () => {
    const r = await mmcli('-m', '0', "--messaging-create-sms=text='no number'");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/number/);
  });
});
