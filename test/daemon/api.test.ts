/**
 * The API contract (src/daemon/api.ts) through the socket: every method and every event of the table,
 * each answer and event checked against its declared shape, and malformed requests answered with the
 * declared error codes (JSON-RPC 2.0 framing).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, EVENTS, METHODS, type ApiEvent, type ErrorName, type EventName, type Method, type Params, type Result } from '../../src/daemon/api.js';
import { DaemonClient, DaemonError } from '../../src/daemon/client.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { DSS_SERVICES } from '../../src/sim/mbim-dss.js';
import { pdc } from '../../src/qmi/services/pdc.js';
import { until } from '../support/managed.js';
import { simControl } from '../support/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), `wwan-api-${process.pid}-`));
const socket = join(dir, 'wwand.sock');
const config = join(dir, 'wwankit.toml');
let daemon: Daemon;
let open: Simulator;
let locked: Simulator;
let mbim: Simulator;
let client: DaemonClient;
const events: ApiEvent[] = [];
const called = new Set<Method>();
const errorsSeen = new Set<ErrorName>();

/** A call through the socket whose answer must match the method's declared result. */
async function call<M extends Method>(method: M, ...params: {} extends Params<M> ? [Params<M>?] : [Params<M>]): Promise<Result<M>> {
  const r = await client.call(method, ...params);
  expect(METHODS[method].result.check(r, 'result'), `${method} answered off its declaration`).toBeUndefined();
  called.add(method);
  return r;
}

/** A call that must be refused with the declared error `name`; returns the message. */
async function refused(name: ErrorName, method: string, params: unknown): Promise<string> {
  const [answer] = await raw([JSON.stringify({ jsonrpc: '2.0', id: 7, method, params })]);
  expect(answer).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: ERRORS[name].code, data: { name } } });
  errorsSeen.add(name);
  if (method in METHODS) called.add(method as Method);
  return (answer as { error: { message: string } }).error.message;
}

/** Sends lines on a fresh connection and collects the answers to them, in order. */
async function raw(lines: string[], answers = lines.length): Promise<Record<string, unknown>[]> {
  const sock = net.connect(socket);
  await new Promise((r) => sock.once('connect', r));
  const got: Record<string, unknown>[] = [];
  const done = new Promise<void>((resolve) => {
    createInterface({ input: sock }).on('line', (l) => {
      got.push(JSON.parse(l) as Record<string, unknown>);
      if (got.length === answers) resolve();
    });
  });
  sock.write(lines.map((l) => `${l}\n`).join(''));
  await done;
  sock.destroy();
  return got;
}

beforeAll(async () => {
  const base = PROFILES['qmi-rmnet'];
  // Network scans take 20 s by default (as on real modems); here half a second.
  open = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, scanMs: 500 } }, seed: 7 });
  locked = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, pin: '1357', pinLocked: true } }, seed: 8 });
  mbim = await Simulator.start({ profile: PROFILES['mbim-usb'], seed: 9 });
  writeFileSync(config, '[[modem]]\nautoconnect = false\n\n[[modem.bearer]]\napns = ["internet"]\nip-type = "ipv4"\n');
  daemon = await Daemon.start({ socket, config, netdev: async (_m, n) => new MemoryNetdev(n) });
  client = await DaemonClient.connect(socket);
  client.onEvent((e) => events.push(e));
  await call('subscribe');
  await call('trace');
});
afterAll(async () => {
  client?.close();
  await daemon?.stop();
  await open?.stop();
  await locked?.stop();
  await mbim?.stop();
});

describe('the API contract through the socket', () => {
  it('adds modems from this process only (the socket may not open paths), then lists, shows and reports them', async () => {
    for (const [id, sim] of [['sim0', open], ['sim1', locked]] as const) {
      const m = sim.ready().modems[0]!;
      expect(await daemon.request('add', { id, control: 'qmi', port: `unix:${m.ports[0]!.socket}`, dataPipe: m.data })).toEqual({ added: id });
    }
    called.add('add');
    expect(await refused('no-method', 'add', { id: 'x', control: 'qmi', port: '/etc/shadow' })).not.toContain('add,');
    expect((await call('list')).map((m) => [m.id, m.state, Array.isArray(m.bearers)])).toEqual([['sim0', 'registered', true], ['sim1', 'locked', true]]);
    expect(await call('info', { modem: 'sim1' })).toMatchObject({ sim: { status: 'pin-required' }, bearers: [] });
    expect(await call('status')).toMatchObject({ modemCount: 2, clients: { connected: 1 } });
  });

  it('unlocks a SIM, answering its state and retries, never the PIN', async () => {
    expect(await call('unlock', { modem: 'sim1', pin: '1357' })).toMatchObject({ unlocked: true, sim: 'ready' });
    await until(() => daemon.manager.get('sim1').state === 'registered', 15_000, 'sim1 registered');
  });

  it('connects, shows links, disconnects by link and by all; bearers have the same shape in list, info and events', async () => {
    const b = await call('connect', { modem: 'sim0', apn: 'internet' });
    expect(b).toMatchObject({ status: 'connected', request: { apns: ['internet'] } });
    await call('connect', { modem: 'sim0', apns: ['ims'], ipType: 'ipv4v6', linkId: 5 });
    expect((await call('links')).map((l) => [l.modem, l.linkId, l.backend])).toEqual([['sim0', b.linkId, 'memory'], ['sim0', 5, 'memory']]);
    const listed = (await call('list')).find((m) => m.id === 'sim0')!.bearers;
    expect((await call('info', { modem: 'sim0' })).bearers).toEqual(listed);
    expect(await call('disconnect', { modem: 'sim0', linkId: 5 })).toEqual({ disconnected: 1 });
    expect(await call('disconnect', { modem: 'sim0', all: true })).toEqual({ disconnected: 1 });
  });

  it('shows the configured profiles and reloads the configuration', async () => {
    expect(await call('profiles', { modem: 'sim0' })).toMatchObject({ config, autoconnect: false, pin: false, bearers: [{ apns: ['internet'], bearer: null }] });
    expect(await call('reload')).toEqual({ config, kept: 0, replaced: 0 });
  });

  it('short messages: SMSC, send, receive, list, read, delete', async () => {
    expect((await call('smsc', { modem: 'sim0' })).smsc).toMatch(/^\+?\d+$/);
    expect(await call('smsSend', { modem: 'sim0', to: '+15550100', text: 'contract' })).toMatchObject({ pduType: 'submit', number: '+15550100' });
    expect(await simControl(open.ready().control, { fault: 'sms', to: 'modem0', from: '+15550199', text: 'hello contract' })).toMatchObject({ ok: true });
    await until(() => events.some((e) => e.event === 'sms' && e.kind === 'received'), 15_000, 'the message');
    const { messages } = await call('smsList', { modem: 'sim0' });
    const got = messages.find((m) => m.text === 'hello contract')!;
    expect(await call('smsRead', { modem: 'sim0', id: got.id })).toMatchObject({ number: '+15550199', read: true });
    expect(await call('smsDelete', { modem: 'sim0', id: got.id })).toEqual({ deleted: got.id });
    const stored = await call('smsStore', { modem: 'sim0', to: '+15550100', text: 'later' });
    expect(stored).toMatchObject({ pduType: 'submit', state: 'stored' });
    expect(stored.parts.length).toBeGreaterThan(0);
    expect(await call('smsSendStored', { modem: 'sim0', id: stored.id })).toMatchObject({ id: stored.id, state: 'sent' });
    expect(await refused('not-found', 'smsRead', { modem: 'sim0', id: got.id })).toMatch(/^no message/);
  });

  it('radio and SIM control: scan, register, modes, bands, cells, signal, locks, slots, APDUs, numbers, power, resets; refusals carry their reason', async () => {
    const { networks } = await call('scan', { modem: 'sim0' });
    const forbidden = networks.find((n) => n.status === 'forbidden')!;
    expect(await refused('refused', 'register', { modem: 'sim0', mcc: forbidden.mcc, mnc: forbidden.mnc })).toMatch(/cause 11|11/);
    expect(await call('register', { modem: 'sim0' })).toEqual({});
    const modes = await call('modes', { modem: 'sim0' });
    expect(await call('setModes', { modem: 'sim0', ...modes.current })).toEqual(modes);
    const bands = await call('bands', { modem: 'sim0' });
    expect((await call('setBands', { modem: 'sim0', bands: [] })).supported).toEqual(bands.supported);
    expect((await call('cells', { modem: 'sim0' })).cells.filter((c) => c.serving)).toHaveLength(1);
    expect(await call('signalSetup', { modem: 'sim0', rssiDelta: 3 })).toEqual({});
    expect(await call('simLocks', { modem: 'sim0' })).toMatchObject({ retries: { pin1: 3 }, personalization: [] });
    expect(await call('simLockDisable', { modem: 'sim0', facility: 'network', key: '12345678' })).toEqual({ ok: false, refusal: 'not-enabled' });
    expect(await refused('bad-params', 'simLockDisable', { modem: 'sim0', facility: 'phone-sim', key: '12345678' })).toMatch(/^params\.facility must be/);
    expect(await call('pinEnable', { modem: 'sim0', lock: 'pin2', pin: '4321', enable: true })).toMatchObject({ ok: true });
    expect(await call('pinChange', { modem: 'sim0', lock: 'pin2', pin: '4321', newPin: '4321' })).toMatchObject({ ok: true });
    expect(await refused('bad-params', 'pinChange', { modem: 'sim0', lock: 'pin2', pin: '4321', newPin: '43' })).toBe('params.newPin must be a PIN of 4 to 8 digits');
    expect((await call('slots', { modem: 'sim0' })).slots.map((s) => s.kind)).toEqual(['uicc', 'euicc']);
    // The eUICC's ISD-R answers the EID request.
    expect((await call('setSlot', { modem: 'sim0', slot: 2 })).slots.find((s) => s.active)?.kind).toBe('euicc');
    const { channel } = await call('apduOpen', { modem: 'sim0', aid: 'a0000005591010ffffffff8900000100' });
    expect((await call('apdu', { modem: 'sim0', channel, apdu: `8${channel}cabf3e00` })).response).toMatch(/9000$/);
    expect(await call('apduClose', { modem: 'sim0', channel })).toEqual({});
    expect((await call('setSlot', { modem: 'sim0', slot: 1 })).slots.find((s) => s.active)?.kind).toBe('uicc');
    expect((await call('numbers', { modem: 'sim0' })).numbers).toHaveLength(1);
    const preferred = [{ mcc: '001', mnc: '02', techs: ['lte' as const] }, { mcc: '310', mnc: '410', techs: ['gsm' as const, 'umts' as const] }];
    expect((await call('preferredNetworks', { modem: 'sim0', networks: preferred })).networks).toEqual(preferred);
    expect((await call('preferredNetworks', { modem: 'sim0' })).networks).toEqual(preferred);
    expect(await refused('bad-params', 'preferredNetworks', { modem: 'sim0', networks: [{ mcc: '01', mnc: '02', techs: [] }] })).toMatch(/an MCC of 3 digits/);
    expect(await call('power', { modem: 'sim0' })).toEqual({ state: 'on' });
    // The initial EPS bearer's settings go to the attach profile; answers never carry the password.
    const eps = await call('initialEps', { modem: 'sim0', settings: { apn: 'attach.example', ipType: 'ipv4', auth: 'chap', user: 'joe', password: 'pw-never-shown' } });
    expect(eps.settings).toEqual({ apn: 'attach.example', ipType: 'ipv4', auth: 'chap', user: 'joe' });
    expect(JSON.stringify(eps)).not.toContain('pw-never-shown');
    expect(await call('packetService', { modem: 'sim0', state: 'detached' })).toEqual({ state: 'detached' });
    expect(await call('packetService', { modem: 'sim0', state: 'attached' })).toEqual({ state: 'attached' });
    expect(await refused('bad-params', 'packetService', { modem: 'sim0', state: 'gone' })).toMatch(/state/);
    // 5G registration settings are MBIMEx 3.0's (test/dbus/mmcli-mbimex.test.ts): a QMI modem has none.
    expect(await refused('refused', 'nr5gRegistration', { modem: 'sim0' })).toMatch(/no 5G registration settings/);
    expect(await refused('bad-params', 'nr5gRegistration', { modem: 'sim0', settings: { micoMode: 'on', drxCycle: '32' } })).toMatch(/micoMode/);
    // QMI modems pass no PCO on (as ModemManager has none for them); the card's EF_ECC.
    expect(await refused('refused', 'pco', { modem: 'sim0' })).toMatch(/no PCO/);
    expect((await call('emergencyNumbers', { modem: 'sim0' })).numbers).toEqual(['112', '911']);
    // The simulator's selected carrier configuration, over PDC.
    expect(await call('carrierConfig', { modem: 'sim0' })).toEqual({ name: 'ROW_Generic_3GPP', revision: '0501081F' });
    expect(await refused('refused', 'factoryReset', { modem: 'sim0', code: '999999' })).toBe('the modem refused the service programming code');
    expect(await call('reset', { modem: 'sim0' })).toEqual({});
    await until(() => daemon.manager.get('sim0').state === 'registered', 30_000, 'sim0 back after its reset');
    expect(events.some((e) => e.event === 'radio' && e.what === 'scan' && e.done === true)).toBe(true);
  }, 60_000);

  it('lets go of a modem and takes it back by its port (inhibit), then removes it', async () => {
    const { port } = await call('info', { modem: 'sim1' });
    expect(await call('inhibit', { modem: 'sim1' })).toEqual({ port });
    expect((await call('list')).map((m) => m.id)).toEqual(['sim0']);
    expect(await refused('not-found', 'uninhibit', { port: '/dev/nothing' })).toBe('no inhibited modem at "/dev/nothing"');
    expect(await call('uninhibit', { port })).toEqual({ added: 'sim1' });
    expect((await call('list')).map((m) => m.id)).toEqual(['sim0', 'sim1']);
  });

  it('opens a device service stream as a stream link with its terminal, and closes it', async () => {
    const m = mbim.ready().modems[0]!;
    expect(await daemon.request('add', { id: 'mbim0', control: 'mbim', port: `unix:${m.ports[0]!.socket}`, dataPipe: m.data })).toEqual({ added: 'mbim0' });
    const view = await call('dssOpen', { modem: 'mbim0', session: 0, service: DSS_SERVICES.nmea.uuid });
    expect(view).toMatchObject({ modem: 'mbim0', session: 0, status: 'open', service: DSS_SERVICES.nmea.uuid });
    expect((await call('links')).filter((l) => l.kind === 'stream').map((l) => [l.modem, l.linkId, l.path])).toEqual([['mbim0', 0, view.path]]);
    expect(await call('dssClose', { modem: 'mbim0', session: 0 })).toEqual({ closed: true });
    await until(() => events.some((e) => e.event === 'stream' && e.status === 'closed'), 15_000, 'the stream closed event');
    // The same selected configuration as on QMI, read through QMI over MBIM; its PDC client id goes back with the modem.
    expect(await call('carrierConfig', { modem: 'mbim0' })).toEqual({ name: 'ROW_Generic_3GPP', revision: '0501081F' });
    const hub = mbim.modems[0]!.endpoint;
    expect(hub.allocated().get(pdc.id)).toHaveLength(1);
    await daemon.request('remove', { modem: 'mbim0' });
    await until(() => !hub.allocated().has(pdc.id), 5_000, 'the PDC client id released with the modem');
  });

  it('removes a modem', async () => {
    expect(await call('remove', { modem: 'sim1' })).toEqual({ removed: true });
    await until(() => events.some((e) => e.event === 'modem-removed'), 15_000, 'modem-removed');
  });

  it('answers malformed requests with the declared codes, naming the field and never echoing a code', async () => {
    const answers = await raw(['not json', '[{"jsonrpc":"2.0","id":1,"method":"list"}]', '{"id":2,"method":"list"}', '{"jsonrpc":"2.0","id":{},"method":"list"}', '{"jsonrpc":"2.0","id":"s","method":7}']);
    expect(answers.map((a) => [a.id, (a.error as { data: { name: string } }).data.name])).toEqual([[null, 'parse-error'], [null, 'bad-request'], [2, 'bad-request'], [null, 'bad-request'], ['s', 'bad-request']]);
    for (const a of answers) expect(a.jsonrpc).toBe('2.0');
    for (const n of ['parse-error', 'bad-request'] as const) errorsSeen.add(n);
    expect(await refused('no-method', 'nosuch', {})).toMatch(/^no method "nosuch"; methods: status, list/);
    expect(await refused('bad-params', 'info', {})).toBe('params.modem is missing');
    expect(await refused('bad-params', 'info', { modem: 12 })).toBe('params.modem must be a modem id, not a number');
    expect(await refused('bad-params', 'list', { verbose: true })).toBe('params has an unknown field "verbose" (known: none)');
    expect(await refused('bad-params', 'connect', { modem: 'sim0', apns: ['a', 3] })).toBe('params.apns[1] must be a string, not a number');
    expect(await refused('bad-params', 'connect', { modem: 'sim0' })).toBe('give apn or apns');
    expect(await refused('bad-params', 'disconnect', { modem: 'sim0', linkId: 300 })).toBe('params.linkId must be a whole number from 0 to 255');
    expect(await refused('bad-params', 'unlock', { modem: 'sim0', pin: '12x45' })).toBe('params.pin must be a PIN of 4 to 8 digits');
    expect(await refused('bad-params', 'list', [])).toBe('params must be an object, not an array');
    expect(await refused('not-found', 'info', { modem: 'sim9' })).toMatch(/^no modem "sim9"/);
    expect(await refused('not-found', 'disconnect', { modem: 'sim0', linkId: 9 })).toBe('no bearer on link 9');
    expect(await refused('config', 'connect', { modem: 'sim0', apn: 'bad apn!' })).toContain('letters, digits');
    expect(await refused('connect', 'connect', { modem: 'sim0', apn: 'nope' })).toContain('unknown-apn');
    // A notification (no id) gets no answer: the only answer is the request's after it.
    expect(await raw(['{"jsonrpc":"2.0","method":"status"}', '{"jsonrpc":"2.0","id":"after","method":"status"}'], 1)).toMatchObject([{ id: 'after' }]);
    // The client maps the codes back to their names.
    await expect(client.call('info', { modem: 'sim9' })).rejects.toMatchObject(new DaemonError('not-found', 'no modem "sim9"; known: sim0 (see `wwan list`)'));
    // What this suite cannot provoke on purpose: `busy` is bounds.test.ts's, `internal` is a bug's.
    expect(Object.keys(ERRORS).filter((n) => !errorsSeen.has(n as ErrorName))).toEqual(['internal', 'busy']);
  });

  it('has exercised every method, and streamed every event in its declared shape', async () => {
    // The simulator reports new signal measurements every 2 s.
    await until(() => events.some((e) => e.event === 'signal'), 10_000, 'a signal event');
    expect(Object.keys(METHODS).filter((m) => !called.has(m as Method))).toEqual([]);
    for (const e of events) {
      const { event, ...fields } = e;
      expect(EVENTS[event].fields.check(fields, event), JSON.stringify(e).slice(0, 200)).toBeUndefined();
    }
    // `dropped` goes to a connection that fell behind: bounds.test.ts makes one.
    const expected = (Object.keys(EVENTS) as EventName[]).filter((n) => n !== 'dropped');
    expect(expected.filter((n) => !events.some((e) => e.event === n))).toEqual([]);
  });
});
