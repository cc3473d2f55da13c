/** The simulator's MBIM function in-process: protocol rules, firmware answers, notifications, DSS data, faults. */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MbimDevice, MbimTimeoutError } from '../../src/mbim/client.js';
import { ContextType } from '../../src/mbim/context-types.js';
import { MbimFramer } from '../../src/mbim/framer.js';
import { decodeFragment, encodeFragments, fragmentToMessage, type MbimFragment, type MbimMessage } from '../../src/mbim/message.js';
import { MbimProtocolError, MbimStatus, MbimStatusError, QUERY, SET } from '../../src/mbim/protocol.js';
import { Reassembler } from '../../src/mbim/reassembly.js';
import { decodeBuffer } from '../../src/mbim/schema.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';
import { dss } from '../../src/mbim/services/dss.js';
import { qmi } from '../../src/mbim/services/qmi.js';
import { dssLink, ipLink, type Link } from '../../src/mux/framing.js';
import { PipeFraming } from '../../src/mux/pipe.js';
import { DSS_SERVICES, nmeaGga } from '../../src/sim/mbim-dss.js';
import { PROFILES, type SimProfile } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { encodeRecord, RecordFramer } from '../../src/transport/records.js';
import { connectUnix } from '../../src/transport/unix.js';
import type { Transport } from '../../src/transport/types.js';

const bc = basicConnect.cids;
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let sim: Simulator | undefined;
const logs: string[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await sim?.stop();
  sim = undefined;
  logs.length = 0;
});

async function start(profile: SimProfile = PROFILES['mbim-usb'], extra: Partial<Parameters<typeof Simulator.start>[0]> = {}): Promise<Simulator> {
  sim = await Simulator.start({ profile, seed: 5, log: (l) => logs.push(l), ...extra });
  return sim;
}

async function device(s: Simulator, opts: { timeoutMs?: number } = {}): Promise<MbimDevice> {
  const dev = await MbimDevice.open(await connectUnix(s.modems[0]!.ports[0]!.socket), { timeoutMs: opts.timeoutMs ?? 2000 });
  closers.push(() => dev.close({ timeoutMs: 200 }));
  return dev;
}

/** A bare connection: raw messages in, decoded messages (or fragments of long ones) out, in order. */
async function raw(s: Simulator): Promise<{ t: Transport; send(m: MbimMessage, max?: number): void; next(): Promise<MbimFragment | MbimMessage> }> {
  const t = await connectUnix(s.modems[0]!.ports[0]!.socket);
  closers.push(() => t.close());
  const queue: (MbimFragment | MbimMessage)[] = [];
  let wake: (() => void) | undefined;
  const framer = new MbimFramer({
    message(bytes) {
      const d = decodeFragment(bytes.slice());
      if (!d.ok) throw d.error;
      const f = 'fragment' in d.value ? d.value.fragment : undefined;
      // Whole messages as messages; pieces of a longer one as fragments.
      queue.push(!f ? (d.value as { message: MbimMessage }).message : f.total === 1 && f.first ? fragmentToMessage({ ...f, first: f.first }) : f);
      wake?.();
    },
  });
  t.onData((c) => framer.push(c));
  return {
    t,
    send: (m, max) => encodeFragments(m, max).forEach((f) => t.write(f)),
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return queue.shift()!;
    },
  };
}

const command = (cid: number, commandType: number, buffer: Uint8Array = new Uint8Array(0), transactionId = 2, service = basicConnect.uuid): MbimMessage => ({ type: 'command', transactionId, service, cid, commandType, buffer });

describe('MBIM protocol rules', () => {
  it('answers commands before OPEN with NotOpened, a reused transaction with DuplicatedTid, unknown services and CIDs with NoDeviceSupport', async () => {
    const c = await raw(await start());
    c.send(command(bc.deviceCaps.id, QUERY));
    expect(await c.next()).toMatchObject({ type: 'functionError', transactionId: 2, error: MbimProtocolError.NotOpened });
    c.send({ type: 'open', transactionId: 1, maxControlTransfer: 4096 });
    expect(await c.next()).toMatchObject({ type: 'openDone', status: 0 });
    // SMS answers CIDs 1-5; 6 is no SMS command.
    c.send(command(6, QUERY, undefined, 3, '533fbeeb-14fe-4467-9f90-33a223e56c3f'));
    expect(await c.next()).toMatchObject({ transactionId: 3, status: MbimStatus.NoDeviceSupport });
    c.send(command(24, QUERY, undefined, 4));
    expect(await c.next()).toMatchObject({ transactionId: 4, status: MbimStatus.NoDeviceSupport });
    // A second COMMAND with a transaction id still being answered.
    c.t.write(Buffer.concat([...encodeFragments(command(bc.radioState.id, QUERY, undefined, 6)), ...encodeFragments(command(bc.pin.id, QUERY, undefined, 6))]));
    expect(await c.next()).toMatchObject({ type: 'functionError', transactionId: 6, error: MbimProtocolError.DuplicatedTid });
    expect(await c.next()).toMatchObject({ type: 'commandDone', transactionId: 6, cid: bc.radioState.id, status: 0 });
    c.send({ type: 'close', transactionId: 5 });
    expect(await c.next()).toMatchObject({ type: 'closeDone', status: 0 });
  });

  it('reassembles fragmented commands, splits responses at the negotiated size, and rejects fragments out of order', async () => {
    const s = await start();
    const c = await raw(s);
    c.send({ type: 'open', transactionId: 1, maxControlTransfer: 64 });
    await c.next();
    // A Connect set of 100+ bytes in 64-byte pieces, then Device Services back in 64-byte pieces.
    const set = bc.connect.set.encode({ sessionId: 1, activationCommand: 1, accessString: 'internet', userName: 'u', password: 'p', compression: 0, authProtocol: 0, ipType: 1, contextType: ContextType.internet });
    c.send(command(bc.connect.id, SET, set, 2), 64);
    // Every answer comes in pieces of at most 64 bytes (the Connect notification too: skipped here).
    const whole = async (): Promise<MbimMessage> => {
      const r = new Reassembler();
      for (;;) {
        const f = await c.next();
        if (f.type === 'indicateStatus') continue;
        if (!('total' in f)) return f;
        expect(f.length).toBeLessThanOrEqual(64);
        const out = r.push(f, Date.now());
        if (out.kind === 'message') return out.message;
        expect(out.kind).toBe('pending');
      }
    };
    expect(await whole()).toMatchObject({ type: 'commandDone', status: 0 });
    expect(s.modems[0]!.firmware.sessions.size).toBe(1);
    c.send(command(bc.deviceServices.id, QUERY, undefined, 3));
    const services = decodeBuffer(bc.deviceServices.response, ((await whole()) as { buffer: Uint8Array }).buffer);
    expect(services.ok && services.value.deviceServices.map((x) => x.deviceServiceId)).toContain(DSS_SERVICES.echo.uuid);
    const [first, second] = encodeFragments(command(bc.connect.id, SET, set, 9), 64);
    c.t.write(second!);
    expect(await c.next()).toMatchObject({ type: 'functionError', transactionId: 9, error: MbimProtocolError.FragmentOutOfSequence });
    c.t.write(first!);
    await wait(1400);
    expect(await c.next()).toMatchObject({ type: 'functionError', transactionId: 9, error: MbimProtocolError.TimeoutFragment });
  });

  it('sends notifications to opened connections only, and only what a subscribe list asks for', async () => {
    const s = await start();
    const a = await device(s);
    const b = await device(s);
    const unopened = await raw(s);
    const seenA: number[] = [];
    const seenB: number[] = [];
    a.on(bc.radioState, (v) => seenA.push(v.swRadioState));
    b.on(bc.radioState, (v) => seenB.push(v.swRadioState));
    await b.set(bc.deviceServiceSubscribeList, { events: [{ deviceServiceId: qmi.uuid, cids: [1] }] });
    expect((await a.set(bc.radioState, { radioState: 0 })).swRadioState).toBe(0);
    await wait(30);
    expect(seenA).toEqual([0]);
    expect(seenB).toEqual([]);
    unopened.send(command(bc.radioState.id, QUERY));
    expect(await unopened.next()).toMatchObject({ type: 'functionError' });
    expect(s.modems[0]!.firmware.operatingMode).toBe('low-power');
  });
});

describe('Basic Connect from the firmware', () => {
  it('PIN1: a wrong PIN costs a retry, the right one unlocks and the SIM becomes initialized; the PIN never reaches the log', async () => {
    const p = PROFILES['mbim-usb'];
    const s = await start({ ...p, firmware: { ...p.firmware, pinLocked: true, pin: '4321' } });
    const dev = await device(s);
    expect((await dev.query(bc.subscriberReadyStatus)).readyState).toBe(6); // device-locked
    expect(await dev.query(bc.pin)).toEqual({ pinType: 2, pinState: 1, remainingAttempts: 3 });
    const ready: number[] = [];
    dev.on(bc.subscriberReadyStatus, (v) => ready.push(v.readyState));
    const wrong = await dev.set(bc.pin, { pinType: 2, pinOperation: 0, pin: '0000', newPin: '' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(MbimStatusError);
    expect(decodeBuffer(bc.pin.response, (wrong as MbimStatusError).buffer)).toMatchObject({ ok: true, value: { remainingAttempts: 2 } });
    expect(await dev.set(bc.pin, { pinType: 2, pinOperation: 0, pin: '4321', newPin: '' })).toMatchObject({ pinState: 0 });
    await wait(20);
    expect(ready).toEqual([1]);
    expect(logs.join('\n')).not.toMatch(/4321|0000/);
  });

  it('refuses connects as a network would, and a detach ends sessions', async () => {
    const s = await start();
    const dev = await device(s);
    const connect = (sessionId: number, accessString: string, ipType = 0) =>
      dev.set(bc.connect, { sessionId, activationCommand: 1, accessString, userName: '', password: '', compression: 0, authProtocol: 0, ipType, contextType: ContextType.internet });
    const refusal = async (p: Promise<unknown>): Promise<[string, number]> => {
      const e = (await p.catch((x: unknown) => x)) as MbimStatusError;
      const info = decodeBuffer(bc.connect.response, e.buffer);
      return [e.statusName, info.ok ? info.value.nwError : -1];
    };
    expect(await refusal(connect(0, 'nope'))).toEqual(['Failure', 27]);
    expect(await refusal(connect(0, 'mms', 2))).toEqual(['Failure', 50]);
    expect(await connect(0, 'internet')).toMatchObject({ activationState: 1, ipType: 3 });
    expect(await refusal(connect(1, 'internet'))).toEqual(['Failure', 55]);
    expect(await refusal(connect(4, 'ims'))).toEqual(['InvalidParameters', 0]);
    const states: number[] = [];
    dev.on(bc.connect, (v) => states.push(v.activationState));
    expect((await dev.set(bc.packetService, { packetServiceAction: 1 })).packetServiceState).toBe(4);
    await wait(20);
    expect(states).toEqual([3]);
    expect(await refusal(connect(0, 'internet'))).toEqual(['PacketServiceDetached', 0]);
  });

  it('counts the data plane in Packet Statistics: in is downlink, out is uplink', async () => {
    const s = await start(PROFILES['mbim-usb'], { respond: (_s, packet, reply) => reply(packet) });
    const dev = await device(s);
    await dev.set(bc.connect, { sessionId: 0, activationCommand: 1, accessString: 'internet', userName: '', password: '', compression: 0, authProtocol: 0, ipType: 1, contextType: ContextType.internet });
    const host = await dataHost(s);
    const ip = new Uint8Array(28);
    ip[0] = 0x45;
    host.send(ipLink(0), ip);
    await host.until((got) => got.length === 1);
    expect(await dev.query(bc.packetStatistics)).toMatchObject({ inPackets: 1n, inOctets: 28n, outPackets: 1n, outOctets: 28n });
  });
});

/** The host end of the modem's NTB data pipe. */
async function dataHost(s: Simulator) {
  const t = await connectUnix(join(s.dir, 'modem0.data.sock'));
  closers.push(() => t.close());
  const got: { link: Link; payload: Uint8Array }[] = [];
  const pipe = new PipeFraming({ framing: 'ntb' }, 'host', (transfer) => t.write(encodeRecord(transfer)), { packet: (link, payload) => got.push({ link, payload: payload.slice() }) });
  const records = new RecordFramer((r) => pipe.receive(r), (m) => { throw new Error(m); });
  t.onData((c) => records.push(c));
  await wait(20);
  return {
    got,
    send(link: Link, payload: Uint8Array) {
      pipe.send(link, payload);
      pipe.flush();
    },
    async until(ok: (g: typeof got) => boolean, ms = 3000) {
      const end = Date.now() + ms;
      while (!ok(got)) {
        if (Date.now() > end) throw new Error(`data pipe: only ${got.length} datagram(s)`);
        await wait(20);
      }
    },
  };
}

describe('DSS streams on the NTB data pipe', () => {
  it('echoes on the echo service, streams NMEA once a second, stalls on the dss-stall fault', async () => {
    const s = await start();
    const dev = await device(s);
    const host = await dataHost(s);
    const open = (uuid: string, id: number, on = 1) => dev.set(dss.cids.connect, { deviceServiceId: uuid, dssSessionId: id, dssLinkState: on });
    await open(DSS_SERVICES.echo.uuid, 3);
    host.send(dssLink(3), new TextEncoder().encode('ping'));
    await host.until((g) => g.some((d) => d.link.kind === 'dss' && d.link.id === 3));
    expect(new TextDecoder().decode(host.got[0]!.payload)).toBe('ping');

    await open(DSS_SERVICES.nmea.uuid, 1);
    await expect(open(DSS_SERVICES.nmea.uuid, 2)).rejects.toMatchObject({ statusName: 'DssInstanceLimit' });
    await host.until((g) => g.some((d) => d.link.id === 1));
    const sentence = new TextDecoder().decode(host.got.find((d) => d.link.id === 1)!.payload);
    expect(sentence).toMatch(/^\$GPGGA,\d{6}\.00,.*\*[0-9A-F]{2}\r\n$/);
    expect(nmeaGga(new Date(0))).toBe('$GPGGA,000000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*64\r\n');

    expect(s.fault({ fault: 'dss-stall' })).toEqual({ ok: true });
    await wait(50);
    const before = host.got.length;
    host.send(dssLink(3), new TextEncoder().encode('lost'));
    await wait(1200);
    expect(host.got.length).toBe(before);
    s.fault({ fault: 'dss-stall', on: false });
    await host.until((g) => g.length > before);

    await open(DSS_SERVICES.nmea.uuid, 1, 0);
    await expect(open(DSS_SERVICES.nmea.uuid, 1, 0)).rejects.toMatchObject({ statusName: 'InvalidDeviceServiceOperation' });
    await expect(open('01234567-89ab-cdef-0123-456789abcdef', 5)).rejects.toMatchObject({ statusName: 'InvalidDeviceServiceOperation' });
  });
});

describe('faults on an MBIM modem', () => {
  it('reset: the session must be opened again (the client does it) and sessions are gone', async () => {
    const s = await start();
    const pty = await device(s);
    await pty.set(bc.connect, { sessionId: 0, activationCommand: 1, accessString: 'internet', userName: '', password: '', compression: 0, authProtocol: 0, ipType: 1, contextType: ContextType.internet });
    s.fault({ fault: 'reset' });
    await wait(20);
    // The socket client was dropped, as a re-enumerated port would be; a new one works.
    expect(pty.closed).toBe(true);
    const again = await device(s);
    expect((await again.query(bc.connect, { sessionId: 0, activationState: 0, voiceCallState: 0, ipType: 0, contextType: ContextType.none, nwError: 0 })).activationState).toBe(3);
  });

  it('signal loss: register state searching and the session deactivated, by notification', async () => {
    const s = await start();
    const dev = await device(s);
    await dev.set(bc.connect, { sessionId: 2, activationCommand: 1, accessString: 'ims', userName: '', password: '', compression: 0, authProtocol: 0, ipType: 3, contextType: ContextType.ims });
    const reg: number[] = [];
    const conn: [number, number][] = [];
    dev.on(bc.registerState, (v) => reg.push(v.registerState));
    dev.on(bc.connect, (v) => conn.push([v.sessionId, v.activationState]));
    expect(s.fault({ fault: 'signal-loss' })).toMatchObject({ ok: true, registration: 'searching' });
    await wait(30);
    expect(reg).toEqual([2]);
    expect(conn).toEqual([[2, 3]]);
    expect((await dev.query(bc.signalState)).rssi).toBe(99);
  });

  it('dropped responses time out; garbage and an indication storm leave the client working', async () => {
    const s = await start();
    const dev = await device(s, { timeoutMs: 300 });
    s.fault({ fault: 'drop-responses', count: 1 });
    await expect(dev.query(bc.radioState)).rejects.toThrow(MbimTimeoutError);
    let seen = 0;
    dev.on(bc.signalState, () => seen++);
    s.fault({ fault: 'malformed-control' });
    expect(s.fault({ fault: 'indication-storm', count: 500 })).toEqual({ ok: true, sent: 500 });
    expect((await dev.query(bc.deviceCaps)).deviceId).toBe(s.modems[0]!.firmware.identity.imei);
    await wait(50);
    expect(seen).toBe(500);
  });
});

describe('captures', () => {
  it('writes MBIM messages as exported PDUs for the mbim.control dissector', async () => {
    const path = join(tmpdir(), `mbim-sim-${process.pid}.pcap`);
    closers.push(async () => rmSync(path, { force: true }));
    const s = await start(PROFILES.iosm, { pcap: path });
    const dev = await device(s);
    await dev.query(bc.deviceCaps);
    // A PIN the SIM does not ask for is refused, but the request is captured: masked.
    await dev.set(bc.pin, { pinType: 2, pinOperation: 0, pin: '8642', newPin: '' }).catch(() => undefined);
    await dev.close();
    const bytes = readFileSync(path);
    expect(bytes.includes(Buffer.from('mbim.control'))).toBe(true);
    expect(bytes.includes(Buffer.from('8642', 'utf16le'))).toBe(false);
    expect(bytes.includes(Buffer.from('****', 'utf16le'))).toBe(true);
    // OPEN_DONE as the modem sent it.
    expect(bytes.includes(Buffer.from([0x01, 0x00, 0x00, 0x80, 0x10, 0x00, 0x00, 0x00]))).toBe(true);
  });
});
