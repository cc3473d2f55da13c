/**
 * Messaging over the ModemManager D-Bus API, driven by the real mmcli on a private dbus-daemon,
 * against two simulated QMI modems that text each other through the simulator's SMS center.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PROFILES } from '../../src/sim/profiles.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { field, mmcliOn, simsOnBus, type SimsOnBus } from '../support/mmcli-bus.js';
import { hasTool, itWithTools } from '../support/tools.js';

const it = itWithTools(['mmcli', 'dbus-daemon']);
let setup: SimsOnBus | undefined;
let sim: Simulator | undefined;
let mmcli: ReturnType<typeof mmcliOn>['mmcli'];
const smsIndex = (out: string): string => /\/SMS\/(\d+)/.exec(out)?.[1] ?? 'none';

beforeAll(async () => {
  if (!hasTool('mmcli') || !hasTool('dbus-daemon')) return;
  setup = await simsOnBus({ tag: 'sms', profile: PROFILES['qmi-rmnet'], modems: 2, seed: 90, policy: true });
  sim = setup.sim;
  ({ mmcli } = mmcliOn(setup.bus.address));
});

afterAll(async () => {
  await setup?.stop();
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
