/**
 * Short messages end to end through the simulator, for a QMI and an MBIM modem: two simulated modems
 * text each other through the SMS center, `sim ctl`'s messages arrive as events, delete, a full store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import type { ControlDriver } from '../../src/modem/driver.js';
import { MbimDriver } from '../../src/modem/mbim-driver.js';
import { Messaging, type SmsMessage } from '../../src/modem/messaging.js';
import { encodePdu, timestampOf } from '../../src/sms/index.js';
import { Modem } from '../../src/modem/modem.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(profile: 'qmi-rmnet' | 'mbim-usb', capacity?: number): Promise<{ sim: Simulator; modems: Modem[] }> {
  const p = PROFILES[profile];
  const sim = await Simulator.start({ profile: { ...p, firmware: { ...p.firmware, ...(capacity ? { smsCapacity: { sm: capacity, me: capacity } } : {}) } }, modems: 2, seed: 40 });
  cleanups.push(() => sim.stop());
  const modems: Modem[] = [];
  for (const sm of sim.modems) {
    const socket = sm.ports[0]!.socket;
    const driver: ControlDriver = p.control === 'qmi' ? new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(socket))), { pipe: 'usb' }) : new MbimDriver(await MbimDevice.open(await connectUnix(socket)));
    const modem = new Modem(sm.id, driver, { linkPrefix: `${sm.id}.`, netdev: async (name) => new MemoryNetdev(name) });
    cleanups.push(() => modem.close());
    await modem.probe();
    await modem.messaging.ready();
    expect(modem.messaging.enabled).toBe(true);
    modems.push(modem);
  }
  return { sim, modems };
}

const next = (modem: Modem, event: 'received' | 'full' = 'received'): Promise<SmsMessage> => new Promise((resolve) => modem.messaging.once(event, resolve as never));

// 300 characters with emoji: UCS-2, where each emoji takes two units, so more than three parts of 67.
const LONG = [...`Grüße aus dem Simulator 😀 — ${'Ωμέγα 📡 '.repeat(40)}`].slice(0, 300).join('');

for (const profile of ['qmi-rmnet', 'mbim-usb'] as const) {
  describe(`messaging over ${profile}`, () => {
    it('one modem texts another a long UCS-2 message with emoji; it arrives whole, once', async () => {
      const { sim, modems } = await setup(profile);
      const [a, b] = modems as [Modem, Modem];
      const bNumber = sim.modems[1]!.firmware.sms.number;
      const received = next(b);
      const sent = await a.messaging.send({ to: bNumber, text: LONG, statusReport: true });
      expect(sent.state).toBe('sent');
      expect(sent.encoding).toBe('ucs2');
      expect(sent.total).toBeGreaterThanOrEqual(3);
      expect(sent.references).toHaveLength(sent.total);
      const m = await received;
      expect(m).toMatchObject({ pduType: 'deliver', state: 'received', complete: true, number: sim.modems[0]!.firmware.sms.number, text: LONG, total: sent.total });
      expect(m.parts).toHaveLength(sent.total);
      // The SMS center recorded every part, delivered to modem1.
      expect(sim.smsCenter.records.filter((r) => r.deliveredTo === 'modem1')).toHaveLength(sent.total);
      // The sender asked for a status report: it comes back as a message of its own.
      const report = await new Promise<SmsMessage>((resolve) => {
        const check = (x: SmsMessage): void => void (x.pduType === 'status-report' && resolve(x));
        a.messaging.on('received', check);
        for (const x of a.messaging.list()) check(x);
      });
      expect(report).toMatchObject({ number: bNumber, deliveryState: 0 });
      const listed = await b.messaging.refresh();
      expect(listed.filter((x) => x.pduType === 'deliver').map((x) => x.text)).toEqual([LONG]);
    });

    it('a message from sim ctl arrives as an event, is listed, read and deleted', async () => {
      const { sim, modems } = await setup(profile);
      const b = modems[1]!;
      const got = next(b);
      const answer = sim.fault({ fault: 'sms', to: 'modem1', from: '+4915112345678', text: 'Your code is 123456' });
      expect(answer).toMatchObject({ ok: true, parts: 1, stored: 1 });
      const m = await got;
      expect(m).toMatchObject({ number: '+4915112345678', text: 'Your code is 123456', encoding: 'gsm7' });
      // QMI keeps a message unread until the host says otherwise; over MBIM, reading it made it old.
      expect(m.read).toBe(profile === 'mbim-usb');
      expect((await b.messaging.refresh()).map((x) => x.id)).toEqual([m.id]);
      expect((await b.messaging.read(m.id)).read).toBe(true);
      await b.messaging.delete(m.id);
      expect(await b.messaging.refresh()).toEqual([]);
      expect(sim.modems[1]!.firmware.sms.list('me')).toEqual([]);
      await expect(b.messaging.delete(m.id)).rejects.toThrow(/no message/);
    });

    it('a full store refuses messages until one is deleted', async () => {
      const { sim, modems } = await setup(profile, 2);
      const b = modems[1]!;
      for (const text of ['one', 'two']) expect(sim.fault({ fault: 'sms', to: 'modem1', from: '+1555', text })).toMatchObject({ ok: true });
      const third = sim.fault({ fault: 'sms', to: 'modem1', from: '+1555', text: 'three' });
      expect(third).toEqual({ ok: false, error: 'memory-full: 0 of 1 part(s) stored' });
      const list = await b.messaging.refresh();
      expect(list.map((x) => x.text)).toEqual(['one', 'two']);
      // A modem texting a full modem: the center records the refusal and the report says so.
      const a = modems[0]!;
      await a.messaging.send({ to: sim.modems[1]!.firmware.sms.number, text: 'are you there?', statusReport: true });
      expect(sim.smsCenter.records.at(-1)).toMatchObject({ text: 'are you there?', error: 'memory-full' });
      await b.messaging.delete(list[0]!.id);
      expect(sim.fault({ fault: 'sms', to: 'modem1', from: '+1555', text: 'three' })).toMatchObject({ ok: true });
    });

    it('a message whose second part never comes is announced as partial after the timeout; a duplicate part counts once', async () => {
      const { sim, modems } = await setup(profile);
      const driver = modems[1]!.driver.sms!;
      const messaging = new Messaging({ partTimeoutMs: 150 });
      await messaging.attach(driver);
      const part = (seq: number, text: string): string => {
        const e = encodePdu({ type: 'deliver', smsc: { type: 'international', value: '+15550000000' }, originator: { type: 'international', value: '+4477001' }, pid: 0, timestamp: timestampOf(new Date()), userData: { encoding: 'gsm7', text, concat: { ref: 42, total: 3, seq, bits: 8 } } });
        return e.ok ? Buffer.from(e.value).toString('hex') : '';
      };
      const got = new Promise<SmsMessage>((resolve) => messaging.once('received', resolve));
      const started = Date.now();
      for (const [seq, text] of [[3, 'three'], [1, 'one '], [1, 'one ']] as const) expect(sim.fault({ fault: 'sms', to: 'modem1', pdu: part(seq, text) })).toMatchObject({ ok: true });
      const m = await got;
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(m).toMatchObject({ number: '+4477001', state: 'receiving', complete: false, total: 3 });
      // The duplicate is stored (the modem keeps what it is given) but the message has each part once.
      expect(m.text).toBe('one three');
      messaging.close();
    });
  });
}

