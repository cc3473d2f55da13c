/**
 * Radio and SIM control through the daemon's API, against the QMI and the MBIM simulator: scans that
 * join and that a reset aborts, registration (the forbidden network refused with its 3GPP cause), modes
 * and bands, cells, PIN change/enable and a SIM blocked for good by wrong PUKs, slots with the eUICC's
 * EID, APDUs with bad lengths and channels, power. Codes never reach the log or the trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS, type ApiEvent, type Method, type Params, type Result } from '../../src/daemon/api.js';
import { errorOf } from '../../src/daemon/protocol.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { until } from '../support/managed.js';

/** The codes this test uses, each distinctive so a leak is found in any text. */
const PIN = '1234';
const NEW_PIN = '7395';
const WRONG_PIN = '8642';
const WRONG_PUK = '97531864';
const ISD_R = 'a0000005591010ffffffff8900000100';
/** A code as the control protocols carry it: ASCII digits (QMI) or UTF-16LE (MBIM). */
const encodings = (code: string): string[] => [code, Buffer.from(code).toString('hex'), Buffer.from(code, 'utf16le').toString('hex')];
/** CLA with the logical channel (ISO 7816-4: 1–3 in the low bits, 4–19 in the further interindustry class). */
const cla = (base: number, channel: number): string => (channel < 4 ? base | channel : (base & 0x80) | 0x40 | (channel - 4)).toString(16).padStart(2, '0');

for (const profile of ['qmi-rmnet', 'mbim-usb'] as const) {
  describe(`radio and SIM control on ${profile}`, () => {
    const dir = mkdtempSync(join(tmpdir(), `wwan-radio-${process.pid}-`));
    let sim: Simulator;
    let daemon: Daemon;
    const log: string[] = [];
    const traces: string[] = [];
    const events: ApiEvent[] = [];
    const call = async <M extends Method>(method: M, params: Params<M>): Promise<Result<M>> => {
      const r = await daemon.request(method as Exclude<M, 'subscribe' | 'trace'>, params as never);
      expect(METHODS[method].result.check(r, 'result'), `${method} answered off its declaration`).toBeUndefined();
      return r as Result<M>;
    };
    /** The error body a refused call answers (as the socket sends it). */
    const refusal = (method: Method, params: Record<string, unknown>): Promise<ReturnType<typeof errorOf>> =>
      daemon.request(method as 'scan', params as never).then(
        () => expect.fail(`${method} was not refused`),
        (e: unknown) => errorOf(e),
      );
    const radioEvents = (what: string): ApiEvent<'radio'>[] => events.filter((e): e is ApiEvent<'radio'> => e.event === 'radio' && e.what === what);

    beforeAll(async () => {
      const base = PROFILES[profile];
      sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, scanMs: 1500 } }, modems: 2, seed: 17, dir });
      daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n), log: (l) => log.push(l) });
      daemon.onEvent((e) => events.push(e));
      daemon.onTrace((t) => traces.push(t.hex));
      for (const m of sim.ready().modems) await daemon.manager.add({ id: m.id, control: base.control, port: `unix:${m.ports[0]!.socket}`, goneAfterMs: 60_000 });
    }, 30_000);
    afterAll(async () => {
      await daemon?.stop();
      await sim?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('scans once for two callers, lists the forbidden network as such, and registers: the forbidden one refused with cause 11', async () => {
      const [a, b] = await Promise.all([call('scan', { modem: 'modem0' }), call('scan', { modem: 'modem0' })]);
      expect(b).toEqual(a);
      expect(radioEvents('scan').map((e) => e.done)).toEqual([false, true]);
      const names = new Map(a.networks.map((n) => [n.name, n]));
      expect(names.get('Initech Wireless')).toMatchObject({ status: 'forbidden', tech: 'lte' });
      expect(a.networks.filter((n) => n.status === 'current').length).toBeGreaterThan(0);
      const northwind = names.get('Northwind Mobile')!;
      expect(northwind.status).toBe('available');

      const initech = names.get('Initech Wireless')!;
      const refused = await refusal('register', { modem: 'modem0', mcc: initech.mcc, mnc: initech.mnc });
      expect(refused).toMatchObject({ data: { name: 'refused', reason: 'network-refused', cause: 11 } });
      expect(await refusal('register', { modem: 'modem0', mcc: '999', mnc: '99' })).toMatchObject({ data: { name: 'refused', reason: 'no-such-network' } });
      expect(await call('register', { modem: 'modem0', mcc: northwind.mcc, mnc: northwind.mnc })).toEqual({});
      await expect.poll(async () => (await call('info', { modem: 'modem0' })).registration?.operator?.name === 'Northwind Mobile', { timeout: 15_000, message: 'registration on Northwind' }).toBe(true);
      expect(await call('register', { modem: 'modem0' })).toEqual({});
      await expect.poll(async () => (await call('info', { modem: 'modem0' })).registration?.state === 'home', { timeout: 15_000, message: 'home registration again' }).toBe(true);
    }, 30_000);

    it('sets modes and bands, which change what the modem registers on and the serving cell', async () => {
      const modes = await call('modes', { modem: 'modem0' });
      expect(modes.supported.length).toBeGreaterThan(1);
      const umtsOnly = modes.supported.find((s) => s.allowed.length === 1 && s.allowed[0] === 'umts');
      expect(umtsOnly, JSON.stringify(modes.supported)).toBeDefined();
      expect((await call('setModes', { modem: 'modem0', allowed: ['umts'] })).current.allowed).toEqual(['umts']);
      await expect.poll(async () => (await call('cells', { modem: 'modem0' })).cells.find((c) => c.serving)?.tech === 'umts', { timeout: 15_000, message: 'a UMTS serving cell' }).toBe(true);
      expect(radioEvents('modes').length).toBeGreaterThan(0);
      await call('setModes', { modem: 'modem0', allowed: modes.current.allowed, ...(modes.current.preferred ? { preferred: modes.current.preferred } : {}) });
      expect(await refusal('setModes', { modem: 'modem0', allowed: ['lte'], preferred: 'umts' })).toMatchObject({ data: { name: 'bad-params' } });

      if (profile === 'mbim-usb') {
        // MBIM has no band selection (Basic Connect and its Microsoft extensions have none).
        expect(await refusal('bands', { modem: 'modem0' })).toMatchObject({ data: { name: 'refused', reason: 'not-supported' } });
        expect(await refusal('setBands', { modem: 'modem0', bands: [] })).toMatchObject({ data: { name: 'refused', reason: 'not-supported' } });
        const { cells } = await call('cells', { modem: 'modem0' });
        expect(cells.find((c) => c.serving)).toMatchObject({ mcc: expect.any(String), cellId: expect.any(Number) });
        return;
      }
      const bands = await call('bands', { modem: 'modem0' });
      expect(bands.supported).toContainEqual({ tech: 'lte', band: 3 });
      const only3 = await call('setBands', { modem: 'modem0', bands: [{ tech: 'lte', band: 3 }] });
      expect(only3.current).toEqual([{ tech: 'lte', band: 3 }]);
      // Band 3's EARFCNs are 1200–1949 (TS 36.101); QMI's cell info gives no band number.
      const inBand3 = (c: { serving: boolean; tech: string; band?: number; arfcn?: number }): boolean => c.serving && c.tech === 'lte' && (c.band ?? 3) === 3 && c.arfcn !== undefined && c.arfcn >= 1200 && c.arfcn <= 1949;
      await expect.poll(async () => (await call('cells', { modem: 'modem0' })).cells.some(inBand3), { timeout: 15_000, message: 'a band 3 serving cell' }).toBe(true);
      const { cells } = await call('cells', { modem: 'modem0' });
      expect(cells.find((c) => c.serving)).toMatchObject({ tech: 'lte', mcc: expect.any(String), cellId: expect.any(Number), areaCode: expect.any(Number), arfcn: expect.any(Number), pci: expect.any(Number) });
      expect(cells.filter((c) => !c.serving).map((c) => c.tech)).toContain('lte');
      expect(await refusal('setBands', { modem: 'modem0', bands: [{ tech: 'lte', band: 250 }] })).toMatchObject({ data: { name: 'refused', reason: 'not-supported' } });
      expect((await call('setBands', { modem: 'modem0', bands: [] })).current.length).not.toBe(1);

      expect(await call('signalSetup', { modem: 'modem0', rssiDelta: 5, rateSeconds: 10 })).toEqual({});
    }, 60_000);

    it('aborts a running scan on a reset; the modem comes back registered', async () => {
      const scan = refusal('scan', { modem: 'modem0' });
      await until(() => radioEvents('scan').filter((e) => !e.done).length === 2, 5000, 'the second scan started');
      const before = events.length;
      expect(await call('reset', { modem: 'modem0' })).toEqual({});
      expect(await scan).toMatchObject({ data: { name: 'refused', reason: 'aborted' } });
      // The control port closes, the modem is probed again on the new one.
      const states = (): string[] => events.slice(before).flatMap((e) => (e.event === 'state' && e.modem === 'modem0' ? [e.state] : []));
      await until(() => states().includes('probing') && states().at(-1) === 'registered', 30_000, 'the modem back after the reset');
    }, 45_000);

    it('changes and turns on the PIN, a wrong one costing a try; the codes are in no log or trace', async () => {
      // MBIM tells tries only for the code the SIM is waiting for, or in the answer to a code operation.
      if (profile === 'qmi-rmnet') expect((await call('simLocks', { modem: 'modem0' })).retries).toMatchObject({ pin1: 3, puk1: 10 });
      // A SIM changes only a PIN it checks (TS 102 221): turn it on first.
      expect(await call('pinEnable', { modem: 'modem0', lock: 'pin1', pin: WRONG_PIN, enable: true })).toEqual({ ok: false, retries: 2 });
      expect(await call('pinEnable', { modem: 'modem0', lock: 'pin1', pin: PIN, enable: true })).toMatchObject({ ok: true });
      expect(await call('pinChange', { modem: 'modem0', lock: 'pin1', pin: PIN, newPin: NEW_PIN })).toMatchObject({ ok: true });
      expect(await call('simLocks', { modem: 'modem0' })).toMatchObject({ ...(profile === 'qmi-rmnet' ? { retries: { pin1: 3 } } : {}), pin1Enabled: true });
      expect((await call('info', { modem: 'modem0' })).sim?.status).toBe('ready');
      expect(radioEvents('locks').length).toBeGreaterThan(0);
      // Off again with the new PIN, so the slot switches below find a SIM that asks for none.
      expect(await call('pinEnable', { modem: 'modem0', lock: 'pin1', pin: NEW_PIN, enable: false })).toMatchObject({ ok: true });
      expect(await call('simLocks', { modem: 'modem0' })).toMatchObject({ pin1Enabled: false });
      for (const code of [NEW_PIN, WRONG_PIN]) {
        for (const text of encodings(code)) {
          expect(log.filter((l) => l.includes(text))).toEqual([]);
          expect(traces.filter((t) => t.includes(text))).toEqual([]);
        }
      }
    }, 30_000);

    it('switches to the eUICC slot and reads its EID over a logical channel to the ISD-R; bad slots, channels and APDUs are refused', async () => {
      const { slots } = await call('slots', { modem: 'modem0' });
      expect(slots.map((s) => [s.slot, s.kind, s.active])).toEqual([
        [1, 'uicc', true],
        [2, 'euicc', false],
      ]);
      expect(await refusal('setSlot', { modem: 'modem0', slot: 3 })).toMatchObject({ data: { name: 'refused', reason: 'no-such-slot' } });
      expect(await refusal('setSlot', { modem: 'modem0', slot: 0 })).toMatchObject({ data: { name: 'bad-params' } });
      const iccidBefore = (await call('info', { modem: 'modem0' })).sim?.iccid;
      // The EID: QMI's slot status tells it for every slot, MBIM's driver reads it from the active eUICC.
      const eid = (await call('setSlot', { modem: 'modem0', slot: 2 })).slots.find((s) => s.active && s.slot === 2)?.eid;
      expect(eid).toMatch(/^\d{32}$/);
      await expect.poll(async () => (await call('info', { modem: 'modem0' })).sim?.iccid !== iccidBefore, { timeout: 15_000, message: 'the eUICC probed' }).toBe(true);

      const { channel } = await call('apduOpen', { modem: 'modem0', aid: ISD_R });
      expect(channel).toBeGreaterThan(0);
      const { response } = await call('apdu', { modem: 'modem0', channel, apdu: `${cla(0x80, channel)}cabf3e00` });
      expect(response.toLowerCase()).toBe(`bf3e125a10${eid}9000`);
      expect(await refusal('apdu', { modem: 'modem0', channel, apdu: `${cla(0x80, channel)}e2910005bf2e` })).toMatchObject({ data: { name: 'refused', reason: 'bad-apdu' } });
      expect(await refusal('apdu', { modem: 'modem0', channel, apdu: '80ca' })).toMatchObject({ data: { name: 'bad-params' } });
      expect(await refusal('apdu', { modem: 'modem0', channel: channel + 1, apdu: '80cabf3e00' })).toMatchObject({ data: { name: 'refused', reason: 'no-such-channel' } });
      expect(await call('apduClose', { modem: 'modem0', channel })).toEqual({});
      expect(await refusal('apduClose', { modem: 'modem0', channel })).toMatchObject({ data: { name: 'refused', reason: 'no-such-channel' } });
      expect((await call('setSlot', { modem: 'modem0', slot: 1 })).slots.find((s) => s.active)?.slot).toBe(1);
      expect(radioEvents('slots').length).toBeGreaterThan(0);
    }, 45_000);

    it('turns the radio to low power and back; lists own numbers', async () => {
      expect(await call('power', { modem: 'modem0' })).toEqual({ state: 'on' });
      expect(await call('power', { modem: 'modem0', state: 'low' })).toEqual({ state: 'low' });
      await expect.poll(async () => (await call('info', { modem: 'modem0' })).state === 'searching', { timeout: 15_000, message: 'deregistered in low power' }).toBe(true);
      expect(await refusal('scan', { modem: 'modem0' })).toMatchObject({ data: { name: 'refused' } });
      expect(await call('power', { modem: 'modem0', state: 'on' })).toEqual({ state: 'on' });
      await expect.poll(async () => (await call('info', { modem: 'modem0' })).state === 'registered', { timeout: 15_000, message: 'registered again' }).toBe(true);
      const { numbers } = await call('numbers', { modem: 'modem0' });
      expect(numbers.length).toBe(1);
      expect(numbers[0]).toMatch(/^\+?\d+$/);
    }, 30_000);

    it('blocks a SIM with wrong PINs, then for good with wrong PUKs: every try counted, never retried on its own', async () => {
      for (const left of [2, 1, 0]) expect(await call('pinEnable', { modem: 'modem1', lock: 'pin1', pin: WRONG_PIN, enable: true })).toEqual({ ok: false, retries: left });
      await expect.poll(async () => (await call('info', { modem: 'modem1' })).sim?.status === 'puk-required', { timeout: 10_000, message: 'the SIM asking for its PUK' }).toBe(true);
      expect(await refusal('pinEnable', { modem: 'modem1', lock: 'pin1', pin: PIN, enable: false })).toMatchObject({ data: { name: 'refused', reason: 'wrong-state' } });
      for (let left = 9; left >= 1; left--) expect(await call('unlock', { modem: 'modem1', puk: WRONG_PUK, pin: NEW_PIN })).toMatchObject({ unlocked: false, retries: left, sim: 'puk-required' });
      const last = await call('unlock', { modem: 'modem1', puk: WRONG_PUK, pin: NEW_PIN });
      expect(last).toMatchObject({ unlocked: false, retries: 0 });
      expect(last.sim).not.toBe('ready');
      expect((await call('simLocks', { modem: 'modem1' })).retries).toMatchObject({ pin1: 0, puk1: 0 });
      // The guard sent nothing by itself: exactly the tries asked for were used.
      for (const text of encodings(WRONG_PUK)) expect([...log, ...traces].filter((l) => l.includes(text))).toEqual([]);
    }, 45_000);
  });
}

describe('the PIN guard and codes changed through the API', () => {
  it('a PIN changed through the API makes the configured old PIN one never sent again: after a reset the SIM waits, its tries untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), `wwan-radio-guard-${process.pid}-`));
    const base = PROFILES['qmi-rmnet'];
    const sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, pinLocked: true } }, seed: 23, dir });
    const log: string[] = [];
    const daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n), pin: PIN, log: (l) => log.push(l) });
    try {
      const m = sim.ready().modems[0]!;
      await daemon.manager.add({ id: 'modem0', control: 'qmi', port: `unix:${m.ports[0]!.socket}` });
      // The configured PIN unlocked the SIM at the probe.
      expect((await daemon.request('info', { modem: 'modem0' })).sim?.status).toBe('ready');
      expect(await daemon.request('pinChange', { modem: 'modem0', lock: 'pin1', pin: PIN, newPin: NEW_PIN })).toMatchObject({ ok: true });
      const before = log.length;
      await daemon.request('reset', { modem: 'modem0' });
      await until(() => log.slice(before).some((l) => l.includes('the configured PIN is not sent')), 30_000, `the guard holding the configured PIN back: ${log.slice(before).join(' | ')}`);
      await expect.poll(async () => (await daemon.request('info', { modem: 'modem0' })).sim, { timeout: 15_000 }).toMatchObject({ status: 'pin-required', pinRetries: 3 });
      // Entered by hand, the new PIN unlocks; the codes are in no log line.
      expect(await daemon.request('unlock', { modem: 'modem0', pin: NEW_PIN })).toMatchObject({ unlocked: true, sim: 'ready' });
      expect(log.filter((l) => l.includes(PIN) || l.includes(NEW_PIN))).toEqual([]);
    } finally {
      await daemon.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 45_000);
});
