/**
 * The QMI radio driver against the simulator: scans, manual registration (refused with the 3GPP
 * cause), modes and bands that change what the simulator registers on, cells, PIN/PUK lifecycles,
 * slots and the eUICC's EID, logical channels and APDUs, power and reset; client ids all released.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { pdc } from '../../src/qmi/services/pdc.js';
import { CARRIER_CONFIGS, serveQmiPdc } from '../../src/sim/qmi-pdc.js';
import { imageStore } from '../../src/sim/qmi-dms-images.js';
import { RadioError, type RadioRefusal } from '../../src/modem/radio-driver.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { QmiProtocolError, QmiProtocolErrorResponse } from '../../src/qmi/errors.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { dms } from '../../src/qmi/services/dms.js';
import { nas } from '../../src/qmi/services/nas.js';
import { uim } from '../../src/qmi/services/uim.js';
import type { FirmwareConfig } from '../../src/sim/firmware.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { ISD_R_AID } from '../../src/sim/sim-card.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { startSim, type SimProcess } from '../support/sim-process.js';

let sim: Simulator | undefined;
let driver: QmiDriver | undefined;
let proc: SimProcess | undefined;
afterEach(async () => {
  await driver?.close();
  await sim?.stop();
  await proc?.stop();
  driver = sim = proc = undefined;
});

async function setup(profile: ProfileName = 'qmi-rmnet', firmware: FirmwareConfig = {}) {
  const base = PROFILES[profile];
  sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, scanMs: 150, fixedSignal: true, ...firmware } } });
  const simModem = sim.modems[0]!;
  const dev = new QmiDevice(qmuxPort(await connectUnix(simModem.ports[0]!.socket)), { timeoutMs: 5000 });
  driver = new QmiDriver(dev, { pipe: 'usb', radio: { registerTimeoutMs: 3000 } });
  await driver.probe();
  return { fw: simModem.firmware, ep: simModem.endpoint, radio: driver.radio, driver };
}

/** The refusal a promise ends with. */
async function refusal(p: Promise<unknown>): Promise<{ reason: RadioRefusal; cause?: number; message: string }> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(RadioError);
  const r = e as RadioError;
  return { reason: r.reason, message: r.message, ...(r.cause3gpp !== undefined ? { cause: r.cause3gpp } : {}) };
}

describe('QMI radio driver: network', () => {
  it('scans: every operator on each technology, the current one and the forbidden one marked', async () => {
    const { radio } = await setup();
    const found = await radio.scan();
    const byPlmn = (plmn: string) => found.filter((n) => n.mcc + n.mnc === plmn);
    expect(byPlmn('00101')).toContainEqual({ mcc: '001', mnc: '01', name: 'wwankit', tech: 'nr5g', status: 'current' });
    expect(byPlmn('00101').filter((n) => n.status === 'available').map((n) => n.tech).sort()).toEqual(['gsm', 'lte', 'umts']);
    expect(byPlmn('00102').map((n) => [n.name, n.tech, n.status])).toEqual([['Northwind Mobile', 'lte', 'available'], ['Northwind Mobile', 'umts', 'available']]);
    expect(byPlmn('00104')).toEqual([{ mcc: '001', mnc: '04', name: 'Initech Wireless', tech: 'lte', status: 'forbidden' }]);
  });

  it('registers in an operator, is refused by the forbidden one with its cause, and goes back to automatic', async () => {
    const { radio, fw } = await setup();
    await radio.register({ mode: 'manual', mcc: '001', mnc: '02', tech: 'umts' });
    expect([fw.operator.name, fw.rat, fw.registration]).toEqual(['Northwind Mobile', 'umts', 'roaming']);
    await radio.register({ mode: 'manual', mcc: '001', mnc: '02' });
    expect(fw.rat).toBe('lte');
    expect(await refusal(radio.register({ mode: 'manual', mcc: '001', mnc: '04' }))).toEqual({
      reason: 'network-refused',
      cause: 11,
      message: 'registration in 00104: the network refused it (3GPP cause 11)',
    });
    expect(fw.registration).toBe('denied');
    expect((await refusal(radio.register({ mode: 'manual', mcc: '999', mnc: '99' }))).reason).toBe('no-such-network');
    expect((await refusal(radio.register({ mode: 'manual', mcc: '1', mnc: 'x' }))).reason).toBe('no-such-network');
    await radio.register({ mode: 'automatic' });
    expect([fw.operator.name, fw.rat, fw.registration]).toEqual(['wwankit', '5gnr', 'home']);
  });

  it('reads and sets modes: the allowed and preferred technologies decide what the simulator registers on', async () => {
    const { radio, fw } = await setup();
    const modes = await radio.modes();
    expect(modes.current).toEqual({ allowed: ['nr5g', 'lte', 'umts', 'gsm'], preferred: 'nr5g' });
    // 15 combinations of 4 technologies, plus one per preferred technology in those of 2 (6), 3 (4) and 4 (1).
    expect(modes.supported).toHaveLength(15 + 6 * 2 + 4 * 3 + 1 * 4);
    expect(modes.supported).toContainEqual({ allowed: ['umts', 'gsm'], preferred: 'gsm' });
    await radio.setModes({ allowed: ['umts', 'gsm'], preferred: 'gsm' });
    expect(fw.rat).toBe('gsm');
    expect((await radio.modes()).current).toEqual({ allowed: ['umts', 'gsm'], preferred: 'gsm' });
    await radio.setModes({ allowed: ['lte'] });
    expect(fw.rat).toBe('lte');
    expect((await radio.modes()).current).toEqual({ allowed: ['lte'] });
    expect((await refusal(radio.setModes({ allowed: [] }))).reason).toBe('not-supported');
    expect((await refusal(radio.setModes({ allowed: ['lte'], preferred: 'gsm' }))).reason).toBe('not-supported');
  });

  it('refuses 5G on a modem without it', async () => {
    const { radio } = await setup('qmi-usb');
    expect((await radio.modes()).current.allowed).toEqual(['lte', 'umts', 'gsm']);
    expect(await refusal(radio.setModes({ allowed: ['nr5g', 'lte'] }))).toMatchObject({ reason: 'not-supported', message: 'the modem has no nr5g' });
  });

  it('reads and sets bands: a locked band moves the simulator onto its cell', async () => {
    const { radio, fw } = await setup();
    const { supported, current } = await radio.bands();
    const caps = fw.radio.capabilities.bands;
    const up = (b: readonly number[]) => [...b].sort((x, y) => x - y);
    expect(supported).toEqual([
      ...up(caps.gsm).map((band) => ({ tech: 'gsm', band })),
      ...up(caps.utra).map((band) => ({ tech: 'umts', band })),
      ...up(caps.eutra).map((band) => ({ tech: 'lte', band })),
      ...up(caps.nr).map((band) => ({ tech: 'nr5g', band })),
    ]);
    // E-UTRA bands above 64 come from the extended masks.
    expect(supported).toContainEqual({ tech: 'lte', band: 71 });
    expect(current).toEqual(supported);
    await radio.setModes({ allowed: ['lte'] });
    expect(fw.radio.registration?.cell.band).toBe(1);
    await radio.setBands([{ tech: 'lte', band: 20 }]);
    expect(fw.radio.registration?.cell).toMatchObject({ rat: 'lte', band: 20 });
    expect((await radio.bands()).current).toEqual([{ tech: 'lte', band: 20 }]);
    expect(fw.radio.preferences.bands).toEqual({ gsm: [], utra: [], eutra: [20], nr: [] });
    // No LTE band of the home network left: it roams to the one that has band 28.
    await radio.setBands([{ tech: 'lte', band: 28 }, { tech: 'gsm', band: 900 }]);
    expect([fw.operator.name, fw.radio.registration?.cell.band]).toEqual(['Northwind Mobile', 28]);
    expect(await refusal(radio.setBands([{ tech: 'lte', band: 99 }, { tech: 'nr5g', band: 3 }]))).toMatchObject({ reason: 'not-supported', message: 'the modem has no band lte 99' });
    await radio.setBands([]);
    expect((await radio.bands()).current).toEqual(supported);
    expect(fw.operator.name).toBe('wwankit');
  });

  it('reports the serving cell and its neighbours on LTE, NR, UMTS and GSM', async () => {
    const { radio, fw } = await setup();
    const check = async (): Promise<void> => {
      const info = fw.radio.cellInfo()!;
      const cells = await radio.cells();
      const serving = cells.filter((c) => c.serving);
      expect(serving).toHaveLength(1);
      const s = info.serving;
      const tech = s.rat === '5gnr' ? 'nr5g' : s.rat;
      expect(serving[0]).toMatchObject({ tech, mcc: s.mcc, mnc: s.mnc, cellId: s.cellId, areaCode: s.areaCode, arfcn: s.arfcn, pci: s.pci });
      if (s.rat === 'gsm') expect(serving[0]!.rssi).toBe(s.signal.rssi);
      else expect(serving[0]!.rsrp).toBe(s.signal.rsrp);
      // NR has no neighbour report in QMI.
      const neighbours = s.rat === '5gnr' ? [] : info.neighbours;
      expect(cells.filter((c) => !c.serving).map((c) => [c.arfcn, c.pci]).sort()).toEqual(neighbours.map((c) => [c.arfcn, c.pci]).sort());
    };
    await check();
    expect(fw.rat).toBe('5gnr');
    for (const tech of ['lte', 'umts', 'gsm'] as const) {
      await radio.setModes({ allowed: [tech] });
      expect(fw.rat).toBe(tech);
      await check();
    }
    expect((await radio.cells()).filter((c) => !c.serving).length).toBeGreaterThan(0);
    await radio.setPower('low');
    expect(await radio.cells()).toEqual([]);
  });

  it('sets signal thresholds; error-rate thresholds are not a QMI feature', async () => {
    const { radio } = await setup();
    await radio.setSignalThresholds({ rssiDelta: 3 });
    await radio.setSignalThresholds({});
    expect((await refusal(radio.setSignalThresholds({ errorRate: true }))).reason).toBe('not-supported');
    expect((await refusal(radio.setSignalThresholds({ rssiDelta: -1 }))).reason).toBe('failed');
  });
});

describe('QMI radio driver: carrier configuration', () => {
  it('reads the selected one over PDC (description, version as 8 hex digits); none installed is "default"; a refusal is typed', async () => {
    const { radio, ep, fw } = await setup();
    expect(await radio.carrierConfig()).toEqual({ name: CARRIER_CONFIGS[0]!.description, revision: '0501081F' });
    serveQmiPdc(ep, fw, imageStore(fw, []));
    expect(await radio.carrierConfig()).toEqual({ name: 'default' });
    ep.handle(pdc.messages.listConfigs, () => {
      throw new QmiProtocolErrorResponse(QmiProtocolError.DeviceUnsupported, 'simulated', {});
    });
    expect(await refusal(radio.carrierConfig())).toMatchObject({ message: expect.stringMatching(/DeviceUnsupported/) });
  });
});

describe('QMI radio driver: SIM codes', () => {
  it('enables, disables and changes PIN1 and PIN2, with the tries left on a wrong code', async () => {
    const { radio, fw } = await setup();
    expect(await radio.retries()).toEqual({ pin1: 3, puk1: 10, pin2: 3, puk2: 10 });
    expect(await radio.enablePin('pin1', '0000', true)).toEqual({ ok: false, retries: 2 });
    expect(await radio.enablePin('pin1', '1234', true)).toMatchObject({ ok: true });
    expect(fw.card!.pin1.state).toBe('enabled-verified');
    expect(await radio.retries()).toMatchObject({ pin1: 3 });
    // Already enabled: no effect, which is what was asked.
    expect(await radio.enablePin('pin1', '1234', true)).toMatchObject({ ok: true });
    expect(await radio.changePin('pin1', '1234', '4242')).toMatchObject({ ok: true });
    expect(await radio.changePin('pin1', '1234', '5555')).toEqual({ ok: false, retries: 2 });
    // After a reset the new PIN unlocks the SIM.
    fw.reset();
    await driver!.close();
    const dev = new QmiDevice(qmuxPort(await connectUnix(sim!.modems[0]!.ports[0]!.socket)), { timeoutMs: 5000 });
    driver = new QmiDriver(dev, { pipe: 'usb' });
    expect((await driver.probe()).sim.status).toBe('pin-required');
    expect(await driver.unlockPin('4242')).toMatchObject({ unlocked: true });
    expect(await driver.radio.enablePin('pin1', '4242', false)).toMatchObject({ ok: true });
    expect(fw.card!.pin1.state).toBe('disabled');
    // Changing a disabled PIN is a state error, not a wrong code.
    expect((await refusal(driver.radio.changePin('pin1', '4242', '1111'))).reason).toBe('wrong-state');
    expect(await driver.radio.verifyPin2('4321')).toMatchObject({ ok: true });
    expect(await driver.radio.changePin('pin2', '4321', '9876')).toMatchObject({ ok: true });
    expect(await driver.radio.verifyPin2('9876')).toMatchObject({ ok: true });
  });

  it('blocks PIN1 after three wrong PINs, recovers it with the PUK, and blocks it for good after ten wrong PUKs', async () => {
    const { radio, fw, driver } = await setup();
    expect(await radio.enablePin('pin1', '1234', true)).toMatchObject({ ok: true });
    expect(await radio.changePin('pin1', '0001', '1111')).toEqual({ ok: false, retries: 2 });
    expect(await radio.changePin('pin1', '0002', '1111')).toEqual({ ok: false, retries: 1 });
    expect(await radio.changePin('pin1', '0003', '1111')).toEqual({ ok: false, retries: 0 });
    expect(fw.simState).toBe('puk-required');
    expect(await radio.retries()).toMatchObject({ pin1: 0, puk1: 10 });
    expect(await driver.unblockPin('00000000', '1111')).toEqual({ unlocked: false, retries: 9 });
    expect(await driver.unblockPin('12345678', '1111')).toMatchObject({ unlocked: true });
    expect(fw.simState).toBe('ready');
    expect(await radio.retries()).toMatchObject({ pin1: 3, puk1: 10 });
    for (let i = 0; i < 3; i++) await radio.changePin('pin1', '0000', '2222');
    for (let left = 9; left >= 0; left--) expect(await driver.unblockPin('00000000', '1111')).toEqual({ unlocked: false, retries: left });
    expect(fw.simState).toBe('blocked');
    expect(fw.card!.pin1.state).toBe('permanently-blocked');
    // The right PUK no longer helps.
    expect(await driver.unblockPin('12345678', '1111')).toMatchObject({ unlocked: false });
  });

  it('unblocks PIN2 with PUK2', async () => {
    const { radio, fw } = await setup();
    for (let i = 0; i < 3; i++) await radio.verifyPin2('0000');
    expect(fw.card!.pin2.state).toBe('blocked');
    expect(await radio.unblockPin2('11111111', '1357')).toEqual({ ok: false, retries: 9 });
    expect(await radio.unblockPin2('87654321', '1357')).toMatchObject({ ok: true });
    expect(await radio.verifyPin2('1357')).toMatchObject({ ok: true });
  });
});

describe('QMI radio driver: slots, channels and power', () => {
  it('switches to the eUICC and reads its EID from the ISD-R; a slot that does not exist is refused', async () => {
    const { radio, fw } = await setup();
    const before = await radio.slots();
    expect(before).toEqual([
      { slot: 1, active: true, present: true, kind: 'uicc', iccid: fw.slots[0]!.iccid },
      { slot: 2, active: false, present: true, kind: 'euicc', iccid: fw.slots[1]!.iccid, eid: fw.slots[1]!.eid },
    ]);
    expect(await radio.eid()).toBeUndefined();
    await radio.setPrimarySlot(2);
    expect(fw.activeSlot).toBe(2);
    expect((await radio.slots()).map((s) => s.active)).toEqual([false, true]);
    const eid = await radio.eid();
    expect(eid).toMatch(/^\d{32}$/);
    expect(eid).toBe(fw.slots[1]!.eid);
    expect(fw.slots[1]!.openChannels).toEqual([]);
    // Already active: nothing to do.
    await radio.setPrimarySlot(2);
    expect(await refusal(radio.setPrimarySlot(3))).toMatchObject({ reason: 'no-such-slot', message: 'no SIM slot 3 (the modem has 2)' });
    expect((await refusal(radio.setPrimarySlot(0))).reason).toBe('no-such-slot');
    await radio.setPrimarySlot(1);
    expect(fw.activeSlot).toBe(1);
  });

  it('opens a logical channel, sends APDUs and closes it; wrong lengths and unknown channels are typed errors', async () => {
    const { radio, fw } = await setup();
    await radio.setPrimarySlot(2);
    const ch = await radio.openChannel(ISD_R_AID);
    expect(fw.slots[1]!.openChannels).toEqual([ch]);
    const cla = 0x80 | ch;
    // ES10c GetEuiccData (STORE DATA BF3E { 5C 5A }) and the profile list.
    const eid = await radio.transmitApdu(ch, Uint8Array.from([cla, 0xe2, 0x91, 0x00, 0x06, 0xbf, 0x3e, 0x03, 0x5c, 0x01, 0x5a]));
    expect(Buffer.from(eid).toString('hex')).toBe(`bf3e125a10${fw.slots[1]!.eid}9000`);
    const list = await radio.transmitApdu(ch, Uint8Array.from([cla, 0xe2, 0x91, 0x00, 0x03, 0xbf, 0x2d, 0x00]));
    expect(Buffer.from(list.subarray(0, 2)).toString('hex')).toBe('bf2d');
    // A wrong Lc is the card's answer (6700), not an error.
    expect(Buffer.from(await radio.transmitApdu(ch, Uint8Array.from([cla, 0xe2, 0x91, 0x00, 0x09, 0xbf]))).toString('hex')).toBe('6700');
    expect(await refusal(radio.transmitApdu(ch, Uint8Array.from([cla, 0xca])))).toMatchObject({ reason: 'bad-apdu', message: 'a command APDU has 4 to 261 bytes, not 2' });
    expect((await refusal(radio.transmitApdu(ch, new Uint8Array(300)))).reason).toBe('bad-apdu');
    expect((await refusal(radio.transmitApdu(7, Uint8Array.from([0x87, 0xca, 0xbf, 0x3e, 0x00])))).reason).toBe('no-such-channel');
    expect((await refusal(radio.transmitApdu(20, Uint8Array.from([0x80, 0xca, 0, 0])))).reason).toBe('no-such-channel');
    expect((await refusal(radio.openChannel(Uint8Array.of(1, 2)))).reason).toBe('bad-apdu');
    expect(await refusal(radio.openChannel(Uint8Array.from([0xa0, 0, 0, 0, 0x99, 1])))).toMatchObject({ reason: 'failed', message: 'the card refused the channel: status 6a82' });
    await radio.closeChannel(ch);
    expect(fw.slots[1]!.openChannels).toEqual([]);
    expect((await refusal(radio.closeChannel(ch))).reason).toBe('no-such-channel');
    expect((await refusal(radio.transmitApdu(ch, Uint8Array.from([cla, 0xca, 0xbf, 0x3e, 0x00])))).reason).toBe('no-such-channel');
  });

  it('reads own numbers, goes to low power and back on, and aborts a scan when the radio goes off', async () => {
    const { radio, fw } = await setup('qmi-rmnet', { scanMs: 10_000 });
    expect(await radio.ownNumbers()).toEqual([fw.identity.msisdn]);
    expect(await radio.power()).toBe('on');
    const scan = refusal(radio.scan());
    await new Promise((r) => setTimeout(r, 100));
    expect(fw.radio.scanInProgress).toBe(true);
    await radio.setPower('low');
    expect(await scan).toMatchObject({ reason: 'aborted', message: 'the modem aborted the scan (reset or radio off)' });
    expect([await radio.power(), fw.operatingMode, fw.registration]).toEqual(['low', 'low-power', 'idle']);
    expect((await refusal(radio.scan())).reason).toBe('wrong-state');
    expect((await refusal(radio.register({ mode: 'automatic' }))).reason).toBe('wrong-state');
    await radio.setPower('on');
    expect([await radio.power(), fw.registration]).toEqual(['on', 'home']);
  });

  it('abandons a scan when its signal aborts', async () => {
    const { radio, fw } = await setup('qmi-rmnet', { scanMs: 10_000 });
    const ac = new AbortController();
    const scan = refusal(radio.scan(ac.signal));
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    expect(await scan).toMatchObject({ reason: 'aborted', message: 'the scan was cancelled' });
    expect((await refusal(radio.scan(ac.signal))).reason).toBe('aborted');
    fw.radio.abortScan('test over');
  });

  it('restores factory defaults with the service programming code only', async () => {
    const { radio, fw } = await setup();
    await radio.setModes({ allowed: ['gsm'] });
    await radio.register({ mode: 'manual', mcc: '001', mnc: '03' });
    expect(fw.operator.name).toBe('Globex Telecom');
    expect(await refusal(radio.factoryReset('123456'))).toEqual({ reason: 'failed', message: 'the modem refused the service programming code' });
    expect(await refusal(radio.factoryReset('12'))).toEqual({ reason: 'failed', message: 'the service programming code has 6 digits' });
    expect(fw.rat).toBe('gsm');
    await radio.factoryReset('000000');
    expect([fw.operator.name, fw.rat, fw.radio.selection.mode]).toEqual(['wwankit', '5gnr', 'automatic']);
    expect((await radio.modes()).current).toEqual({ allowed: ['nr5g', 'lte', 'umts', 'gsm'], preferred: 'nr5g' });
  });

  it('resets the modem: a running scan is aborted, the control channel closes and every client id is gone', async () => {
    const { radio, fw, ep, driver } = await setup('qmi-rmnet', { scanMs: 10_000 });
    const closed = new Promise((resolve) => driver.once('closed', resolve));
    const scan = refusal(radio.scan());
    await new Promise((r) => setTimeout(r, 50));
    await radio.reset();
    expect((await scan).reason).toBe('aborted');
    await closed;
    expect(fw.radio.scanInProgress).toBe(false);
    expect(fw.operatingMode).toBe('online');
    expect([nas.id, dms.id, uim.id].flatMap((s) => ep.clientsOf(s))).toEqual([]);
  });

  it('leaves no client id, channel or listener behind', async () => {
    const { radio, fw, ep } = await setup();
    const counts = () => [nas.id, dms.id, uim.id].map((s) => ep.clientsOf(s).length);
    expect(counts()).toEqual([1, 1, 1]);
    await radio.setPrimarySlot(2);
    await radio.eid();
    await radio.register({ mode: 'manual', mcc: '001', mnc: '02' });
    await radio.cells();
    await radio.scan();
    expect(counts()).toEqual([1, 1, 1]);
    expect(fw.slots[1]!.openChannels).toEqual([]);
    await driver!.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(counts()).toEqual([0, 0, 0]);
    driver = undefined;
  });
});

describe('QMI radio driver against a separate simulator process', () => {
  it('registers, reads cells and switches slots through `wwan sim`', async () => {
    proc = await startSim(['--profile', 'qmi-rmnet']);
    const dev = new QmiDevice(qmuxPort(await connectUnix(proc.ready.modems[0]!.ports[0]!.socket)), { timeoutMs: 5000 });
    driver = new QmiDriver(dev, { pipe: 'usb' });
    await driver.probe();
    await driver.radio.register({ mode: 'manual', mcc: '001', mnc: '02' });
    const cells = await driver.radio.cells();
    expect(cells.find((c) => c.serving)).toMatchObject({ tech: 'lte', mcc: '001', mnc: '02' });
    expect((await refusal(driver.radio.register({ mode: 'manual', mcc: '001', mnc: '04' }))).cause).toBe(11);
    await driver.radio.setPrimarySlot(2);
    expect(await driver.radio.eid()).toMatch(/^89049032\d{24}$/);
  });
});
