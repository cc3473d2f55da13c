/**
 * The MBIM radio driver (issue #17) against the simulator's MBIM function: every RadioDriver call,
 * checked against the simulator's model (operators, cells, cards), with the refusals typed.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { MbimStatus, MbimStatusError } from '../../src/mbim/protocol.js';
import { basicConnect, PinOperation, PinType } from '../../src/mbim/services/basic-connect.js';
import { MbimDriver } from '../../src/modem/mbim-driver.js';
import { MbimRadio } from '../../src/modem/mbim-radio-driver.js';
import { RadioError, type RadioRefusal } from '../../src/modem/radio-driver.js';
import type { PersonalizationLock } from '../../src/sim/personalization.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { CARRIER_CONFIGS } from '../../src/sim/qmi-pdc.js';
import { qmi } from '../../src/mbim/services/qmi.js';
import { pdc } from '../../src/qmi/services/pdc.js';
import { USIM_AID } from '../../src/sim/sim-card.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { apduShapeError, eidFromResponse } from '../../src/wire/apdu.js';
import { startSim, type SimProcess } from '../support/sim-process.js';
import { until } from '../support/managed.js';

let sim: Simulator | undefined;
let child: SimProcess | undefined;
let device: MbimDevice | undefined;
afterEach(async () => {
  await device?.close({ timeoutMs: 1000 }).catch(() => undefined);
  await sim?.stop();
  await child?.stop();
  sim = device = child = undefined;
});

async function setup(scanMs = 200, personalization: PersonalizationLock[] = []): Promise<{ radio: MbimRadio; driver: MbimDriver; fw: Simulator['modems'][0]['firmware'] }> {
  sim = await Simulator.start({ profile: { ...PROFILES['mbim-usb'], firmware: { ...PROFILES['mbim-usb'].firmware, scanMs, personalization } }, seed: 23, log: () => undefined });
  device = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
  const driver = new MbimDriver(device);
  return { radio: driver.radio, driver, fw: sim.modems[0]!.firmware };
}

/** The refusal a call ends with (fails the test if it resolves or throws something else). */
async function refused(p: Promise<unknown>): Promise<RadioError> {
  const e = await p.then(
    () => expect.fail('the call succeeded'),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RadioError);
  return e as RadioError;
}
const reason = async (p: Promise<unknown>): Promise<RadioRefusal> => (await refused(p)).reason;

describe('the MBIM radio driver', () => {
  it('scans: every operator once, the current one with its technology, the forbidden one marked', async () => {
    const { radio, fw } = await setup();
    const found = await radio.scan();
    const ops = fw.radio.operators;
    expect(found.map((n) => n.mcc + n.mnc).sort()).toEqual(ops.map((o) => o.mcc + o.mnc).sort());
    const forbidden = ops.find((o) => o.forbidden)!;
    expect(found.find((n) => n.mnc === forbidden.mnc)).toMatchObject({ status: 'forbidden', name: forbidden.name, tech: 'lte' });
    expect(found.find((n) => n.status === 'current')).toMatchObject({ mcc: fw.operator.mcc, mnc: fw.operator.mnc, tech: fw.rat === '5gnr' ? 'nr5g' : fw.rat });
    expect(found.filter((n) => n.status === 'current')).toHaveLength(1);
  });

  it('registers in an operator, refuses the forbidden one with its 3GPP cause and an unknown one, and goes back to automatic', async () => {
    const { radio, fw } = await setup();
    const other = fw.radio.operators.find((o) => !o.forbidden && !fw.radio.isHome(o) && o.rats.includes('lte'))!;
    await radio.register({ mode: 'manual', mcc: other.mcc, mnc: other.mnc });
    expect(fw.operator.mnc).toBe(other.mnc);
    expect(fw.radio.selection.mode).toBe('manual');

    const forbidden = fw.radio.operators.find((o) => o.forbidden)!;
    const e = await refused(radio.register({ mode: 'manual', mcc: forbidden.mcc, mnc: forbidden.mnc }));
    expect(e).toMatchObject({ reason: 'network-refused', cause3gpp: forbidden.rejectCause ?? 11 });
    expect(e.message).toContain('plmn-not-allowed');
    expect(await reason(radio.register({ mode: 'manual', mcc: '001', mnc: '99' }))).toBe('no-such-network');
    expect(await reason(radio.register({ mode: 'manual', mcc: '1', mnc: 'x' }))).toBe('no-such-network');

    await radio.register({ mode: 'automatic' });
    expect(fw.radio.selection.mode).toBe('automatic');
    expect(fw.registration).toBe('home');
  });

  it('sets the allowed technologies through Register State (what the simulator registers on follows); no bands, no preference', async () => {
    const { radio, fw } = await setup();
    const before = await radio.modes();
    expect(before.current.allowed).toEqual(expect.arrayContaining(['gsm', 'umts', 'lte']));
    // Every non-empty combination of what the modem has.
    expect(before.supported).toHaveLength(2 ** before.current.allowed.length - 1);
    expect(before.supported.every((m) => m.preferred === undefined)).toBe(true);

    await radio.setModes({ allowed: ['umts'] });
    expect(fw.radio.preferences.allowed).toEqual(['umts']);
    expect(fw.rat).toBe('umts');
    expect((await radio.modes()).current).toEqual({ allowed: ['umts'] });
    await radio.setModes({ allowed: ['umts', 'lte'] });
    expect(fw.rat).toBe('lte');

    expect(await reason(radio.setModes({ allowed: ['umts', 'lte'], preferred: 'umts' }))).toBe('not-supported');
    expect(await reason(radio.setModes({ allowed: [] }))).toBe('not-supported');
    expect(await reason(radio.bands())).toBe('not-supported');
    expect(await reason(radio.setBands([{ tech: 'lte', band: 3 }]))).toBe('not-supported');
    expect([...fw.radio.preferences.allowed].sort()).toEqual(['lte', 'umts']);
  });

  it('lists the serving cell and its neighbours as the network has them', async () => {
    const { radio, fw } = await setup();
    await radio.setModes({ allowed: ['lte'] });
    const cells = await radio.cells();
    const info = fw.radio.cellInfo()!;
    const serving = cells.filter((c) => c.serving);
    expect(serving).toEqual([
      {
        serving: true, tech: 'lte', mcc: info.serving.mcc, mnc: info.serving.mnc, cellId: info.serving.cellId, areaCode: info.serving.areaCode,
        arfcn: info.serving.arfcn, pci: info.serving.pci, rsrp: Math.round(info.serving.signal.rsrp), rsrq: Math.round(info.serving.signal.rsrq),
      },
    ]);
    expect(cells.filter((c) => !c.serving).map((c) => c.cellId).sort()).toEqual(info.neighbours.map((c) => c.cellId).sort());
    await radio.setModes({ allowed: ['gsm'] });
    const gsm = (await radio.cells()).find((c) => c.serving)!;
    expect(gsm).toMatchObject({ tech: 'gsm', cellId: fw.radio.cellInfo()!.serving.cellId, areaCode: fw.radio.cellInfo()!.serving.areaCode });
    expect(gsm.rssi).toBeLessThan(0);
  });

  it('sets signal thresholds, reads own numbers and the radio state, powers low and on', async () => {
    const { radio, fw, driver } = await setup();
    await radio.setSignalThresholds({ rssiDelta: 6, rateSeconds: 30 });
    const s = await driver.device.query(basicConnect.cids.signalState);
    expect(s).toMatchObject({ rssiThreshold: 3, signalStrengthInterval: 30, errorRateThreshold: 0 });
    await radio.setSignalThresholds({});
    expect(await radio.ownNumbers()).toEqual([fw.identity.msisdn]);

    expect(await radio.power()).toBe('on');
    await radio.setPower('low');
    expect(fw.operatingMode).toBe('low-power');
    expect(await radio.power()).toBe('low');
    expect(await reason(radio.scan())).toBe('wrong-state');
    expect(await reason(radio.register({ mode: 'automatic' }))).toBe('wrong-state');
    await radio.setPower('on');
    expect(fw.operatingMode).toBe('online');
    expect(await radio.power()).toBe('on');
    expect(await reason(radio.setPower('off'))).toBe('not-supported');
    expect(await reason(radio.factoryReset('000000'))).toBe('not-supported');
  });

  it('runs PIN1 through enable, change, a block and its PUK, and PIN2 to permanently blocked', async () => {
    const { radio, driver, fw } = await setup();
    expect(await radio.enablePin('pin1', '0000', true)).toEqual({ ok: false, retries: 2 });
    expect(await radio.enablePin('pin1', '1234', true)).toMatchObject({ ok: true });
    expect(fw.card!.pin1.enabled).toBe(true);
    expect(await radio.changePin('pin1', '1234', '2468')).toMatchObject({ ok: true });
    // Three wrong codes: the card asks for the PUK.
    for (const left of [2, 1, 0]) expect(await radio.changePin('pin1', '1111', '3333')).toEqual({ ok: false, retries: left });
    expect(await radio.retries()).toEqual({ pin1: 0, puk1: 10 });
    expect(await driver.unblockPin('00000000', '5555')).toEqual({ unlocked: false, retries: 9 });
    expect(await driver.unblockPin('12345678', '5555')).toMatchObject({ unlocked: true });
    expect(await radio.enablePin('pin1', '5555', false)).toMatchObject({ ok: true });
    expect(fw.card!.pin1.enabled).toBe(false);
    // A disabled PIN cannot be changed: a refusal, not a wrong code.
    expect(await reason(radio.changePin('pin1', '5555', '6666'))).toBe('wrong-state');

    expect(await radio.verifyPin2('4321')).toMatchObject({ ok: true });
    for (const left of [2, 1, 0]) expect(await radio.verifyPin2('0000')).toEqual({ ok: false, retries: left });
    expect(await radio.unblockPin2('00000000', '1111')).toEqual({ ok: false, retries: 9 });
    for (let left = 8; left >= 0; left--) expect(await radio.unblockPin2('00000000', '1111')).toEqual({ ok: false, retries: left });
    expect(fw.card!.pin2.state).toBe('permanently-blocked');
    // The right PUK2 no longer helps.
    expect(await radio.unblockPin2('87654321', '1111')).toEqual({ ok: false, retries: 0 });
    // PIN1 was never touched by PIN2's block.
    expect(fw.simState).toBe('ready');
  });

  it('reads the personalizations from the PIN list and lifts them with Pin set Disable: wrong keys count down to blocked, the unblock key (PUK type) frees it', async () => {
    const NCK = '86420135';
    const CCK = '24680135';
    const { radio, fw } = await setup(200, [{ feature: 'gw-network', key: NCK }, { feature: 'gw-corporate', key: CCK }]);
    // The PIN list tells no tries; PIN2 is listed as checked (ModemManager's fixed-dialing lock).
    expect(await radio.personalization()).toEqual([{ facility: 'network' }, { facility: 'corporate' }]);
    expect(await radio.pin2Enabled()).toBe(true);
    // A lock the modem does not have: its PIN is disabled.
    expect(await radio.disablePersonalization('service-provider', NCK)).toEqual({ ok: false, refusal: 'not-enabled' });
    expect(await radio.disablePersonalization('network', '11111111')).toEqual({ ok: false, refusal: 'incorrect-key', retries: 2 });
    // The same card model QMI's UIM Depersonalization works on.
    expect(fw.personalization.status()).toContainEqual({ feature: 'gw-network', verifyLeft: 2, unblockLeft: 10 });
    expect(await radio.disablePersonalization('network', '11111111')).toEqual({ ok: false, refusal: 'incorrect-key', retries: 1 });
    expect(await radio.disablePersonalization('network', '11111111')).toEqual({ ok: false, refusal: 'blocked', retries: 0, unblockRetries: 10 });
    // Blocked: the right key no longer lifts it.
    expect(await radio.disablePersonalization('network', NCK)).toEqual({ ok: false, refusal: 'blocked', retries: 0, unblockRetries: 10 });
    expect(await radio.disablePersonalization('corporate', CCK)).toEqual({ ok: true });
    expect(await radio.personalization()).toEqual([{ facility: 'network' }]);

    // Pin set with the network PUK type unblocks (a wrong key uses an unblock try); the PIN type takes Disable only.
    const pinSet = (pinType: number, pinOperation: number, pin: string) => device!.set(basicConnect.cids.pin, { pinType, pinOperation, pin, newPin: '' });
    const failed = await pinSet(PinType.names['network-puk'], PinOperation.names.enter, '22222222').then(() => expect.fail('accepted'), (e: unknown) => e);
    expect(failed).toBeInstanceOf(MbimStatusError);
    expect((failed as MbimStatusError).status).toBe(MbimStatus.Failure);
    expect((failed as Error).message).not.toContain('22222222');
    expect(fw.personalization.status()).toEqual([{ feature: 'gw-network', verifyLeft: 0, unblockLeft: 9 }]);
    await expect(pinSet(PinType.names['network-pin'], PinOperation.names.enable, NCK)).rejects.toMatchObject({ status: MbimStatus.NoDeviceSupport });
    expect(await pinSet(PinType.names['network-puk'], PinOperation.names.enter, NCK)).toMatchObject({ pinState: 0 });
    expect(fw.personalization.status()).toEqual([{ feature: 'gw-network', verifyLeft: 3, unblockLeft: 9 }]);
    expect(await radio.disablePersonalization('network', NCK)).toEqual({ ok: true });
    expect(await radio.personalization()).toEqual([]);
    expect(fw.personalization.status()).toEqual([]);
  });

  it('lists both slots, switches to the eUICC and reads its EID; refuses a slot that does not exist', async () => {
    const { radio, fw } = await setup();
    const before = await radio.slots();
    expect(before).toHaveLength(2);
    expect(before[0]).toEqual({ slot: 1, active: true, present: true, kind: 'uicc', iccid: fw.identity.iccid });
    expect(before[1]).toMatchObject({ slot: 2, active: false, present: true });
    expect(await radio.eid()).toBeUndefined();

    await radio.setPrimarySlot(2);
    expect(fw.activeSlot).toBe(2);
    await until(() => fw.simState === 'ready', 8000, 'the eUICC ready');
    const after = await radio.slots();
    const eid = fw.slots[1]!.eid!;
    expect(eid).toMatch(/^\d{32}$/);
    // The slot state says the eUICC has a profile enabled (ModemManager's EsimStatus with-profiles).
    expect(after[1]).toEqual({ slot: 2, active: true, present: true, kind: 'euicc', esim: 'with-profiles', iccid: fw.slots[1]!.iccid, eid });
    expect(after[0]).toMatchObject({ active: false });
    expect(await radio.eid()).toBe(eid);

    for (const bad of [0, 3, 1.5]) expect(await reason(radio.setPrimarySlot(bad))).toBe('no-such-slot');
    expect(fw.activeSlot).toBe(2);
  });

  it('opens a logical channel, sends APDUs, refuses bad lengths and unknown channels, closes it', async () => {
    const { radio } = await setup();
    const ch = await radio.openChannel(USIM_AID);
    expect(ch).toBeGreaterThan(0);
    // SELECT EF ICCID under the MF, then READ BINARY: the ICCID's swapped BCD and 90 00.
    expect(Buffer.from(await radio.transmitApdu(ch, Uint8Array.from([0x00, 0xa4, 0x00, 0x04, 0x02, 0x2f, 0xe2]))).subarray(-2).toString('hex')).toBe('9000');
    const read = await radio.transmitApdu(ch, Uint8Array.from([0x00, 0xb0, 0x00, 0x00, 0x0a]));
    expect(read).toHaveLength(12);
    expect(Buffer.from(read.subarray(-2)).toString('hex')).toBe('9000');

    for (const bad of [[0x00, 0xa4], [0x00, 0xa4, 0x00, 0x04, 0x05, 0x2f], [0x00, 0xa4, 0x00, 0x04, 0x00, 0x00, 0x02, 0x2f]]) {
      expect(await reason(radio.transmitApdu(ch, Uint8Array.from(bad)))).toBe('bad-apdu');
    }
    expect(await reason(radio.transmitApdu(ch + 5, Uint8Array.from([0x00, 0xb0, 0x00, 0x00, 0x0a])))).toBe('no-such-channel');
    expect(await reason(radio.closeChannel(ch + 5))).toBe('no-such-channel');
    expect(await reason(radio.openChannel(Uint8Array.from([0xa0, 0, 0, 0, 0x99, 1, 2])))).toBe('failed');
    expect(await reason(radio.openChannel(Uint8Array.of(1, 2)))).toBe('bad-apdu');

    await radio.closeChannel(ch);
    expect(await reason(radio.transmitApdu(ch, Uint8Array.from([0x00, 0xb0, 0x00, 0x00, 0x0a])))).toBe('no-such-channel');
    expect(await reason(radio.closeChannel(ch))).toBe('no-such-channel');
  });

  it('a reset aborts a scan under way and closes the control channel; the modem answers a new one; an abandoned scan ends at once', async () => {
    const { radio, fw, driver } = await setup(5000);
    const abort = new AbortController();
    const abandoned = radio.scan(abort.signal);
    await until(() => fw.radio.scanInProgress, 8000, 'the scan to start');
    abort.abort();
    expect(await reason(abandoned)).toBe('aborted');

    let resets = 0;
    fw.on('reset', () => resets++);
    const closed = new Promise<void>((resolve) => driver.on('closed', () => resolve()));
    const scan = radio.scan();
    await radio.reset();
    expect(await reason(scan)).toBe('aborted');
    await closed;
    expect(resets).toBe(1);
    expect(fw.radio.scanInProgress).toBe(false);
    // The modem comes back as a new device.
    device = await MbimDevice.open(await connectUnix(sim!.modems[0]!.ports[0]!.socket));
    expect(await new MbimDriver(device).radio.power()).toBe('on');
  });

  it('under MBIMEx 3.0 tells whether the active card can be removed (the UICC yes, the eUICC no)', async () => {
    const p = PROFILES['mbim-usb'];
    sim = await Simulator.start({ profile: { ...p, firmware: { ...p.firmware, mbimex: 0x0300 } }, seed: 23, log: () => undefined });
    device = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket), { mbimex: 3 });
    const radio = new MbimDriver(device).radio;
    expect((await radio.slots()).map((s) => [s.slot, s.removable])).toEqual([[1, true], [2, undefined]]);
    await radio.setPrimarySlot(2);
    await until(() => sim!.modems[0]!.firmware.simState === 'ready', 8000, 'the eUICC ready');
    expect((await radio.slots()).map((s) => [s.slot, s.removable])).toEqual([[1, undefined], [2, false]]);
  });

  it('under MBIMEx 3.0 lists NR cells with their signal, and reads and stores the 5G registration settings; 1.0 has none', async () => {
    const p = PROFILES['mbim-usb'];
    sim = await Simulator.start({ profile: { ...p, firmware: { ...p.firmware, mbimex: 0x0300, rat: '5gnr' } }, seed: 23, log: () => undefined });
    const fw = sim.modems[0]!.firmware;
    device = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket), { mbimex: 3 });
    const driver = new MbimDriver(device);
    // MBIMEx 2.0's RSRP and SNR of the NR system served, beside MBIM 1.0's RSSI.
    const { signal } = await driver.probe();
    expect(signal).toEqual({ rssi: fw.signal.rssi, nr5g: { rsrp: Math.round(fw.signal.rsrp), snr: Math.round(fw.signal.snr * 2) / 2 } });
    const serving = fw.radio.cellInfo()!.serving;
    const nr = (await driver.radio.cells()).filter((c) => c.tech === 'nr5g' && c.serving);
    expect(nr).toEqual([
      { serving: true, tech: 'nr5g', mcc: serving.mcc, mnc: serving.mnc, cellId: serving.cellId, areaCode: serving.areaCode, arfcn: serving.arfcn, pci: serving.pci, rsrp: Math.round(serving.signal.rsrp), rsrq: Math.round(serving.signal.rsrq), snr: Math.round(serving.signal.snr) },
    ]);
    expect(await driver.radio.nr5gRegistration()).toEqual({ micoMode: 'disabled', drxCycle: 'unknown' });
    await driver.radio.setNr5gRegistration({ micoMode: 'enabled', drxCycle: '128' });
    expect(fw.registrationParameters).toMatchObject({ micoMode: 'enabled', drxCycle: '128' });
    expect(await driver.radio.nr5gRegistration()).toEqual({ micoMode: 'enabled', drxCycle: '128' });
    await device.close({ timeoutMs: 1000 });

    // The same function opened without asking for 3.0: MBIM 1.0 layouts, no 5G registration settings.
    device = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    const old = new MbimDriver(device);
    expect(await reason(old.radio.nr5gRegistration())).toBe('not-supported');
    expect((await old.radio.cells()).some((c) => c.tech === 'nr5g')).toBe(false);
  });

  it('reads the carrier configuration through QMI over MBIM, keeps its own notifications, and gives the QMI client id back on close', async () => {
    const { radio, driver, fw } = await setup();
    const registrations: string[] = [];
    driver.on('registration', (r) => registrations.push(r.operator?.mnc ?? ''));
    expect(await radio.carrierConfig()).toEqual({ name: CARRIER_CONFIGS[0]!.description, revision: '0501081F' });
    expect(sim!.modems[0]!.endpoint.allocated().get(pdc.id)).toHaveLength(1);
    // The tunnel's subscription joined the standard ones: Register State notifications still come.
    const other = fw.radio.operators.find((o) => !o.forbidden && o.mnc !== fw.operator.mnc)!;
    await radio.register({ mode: 'manual', mcc: other.mcc, mnc: other.mnc });
    await until(() => registrations.includes(other.mnc), 5000, 'a Register State notification');
    // Read again on the same client (no second allocation).
    expect(await radio.carrierConfig()).toMatchObject({ revision: '0501081F' });
    expect(sim!.modems[0]!.endpoint.allocated().get(pdc.id)).toHaveLength(1);
    await driver.close();
    device = undefined;
    await until(() => !sim!.modems[0]!.endpoint.allocated().has(pdc.id), 3000, 'the PDC client id released');
  });

  it('refuses the carrier configuration on a function without QMI over MBIM (an Intel one)', async () => {
    sim = await Simulator.start({ profile: PROFILES.iosm, seed: 23, log: () => undefined });
    device = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    const driver = new MbimDriver(device);
    expect(await reason(driver.radio.carrierConfig())).toBe('not-supported');
    const services = await device.query(basicConnect.cids.deviceServices);
    expect(services.deviceServices.some((s) => s.deviceServiceId === qmi.uuid)).toBe(false);
  });

  it('works against `wwan sim` in its own process, through a reset', async () => {
    child = await startSim(['--profile', 'mbim-usb']);
    const socket = child.ready.modems[0]!.ports[0]!.socket;
    device = await MbimDevice.open(await connectUnix(socket));
    const driver = new MbimDriver(device);
    const { radio } = driver;
    const home = (await driver.probe()).registration.operator!;
    expect((await radio.slots()).map((s) => [s.slot, s.active])).toEqual([[1, true], [2, false]]);
    // The default network's forbidden operator is MNC 04 (09 where that is home).
    const e = await refused(radio.register({ mode: 'manual', mcc: home.mcc, mnc: home.mnc === '04' ? '09' : '04' }));
    expect(e).toMatchObject({ reason: 'network-refused', cause3gpp: 11 });
    await radio.register({ mode: 'automatic' });
    expect((await radio.cells()).filter((c) => c.serving)).toMatchObject([{ mcc: home.mcc, mnc: home.mnc }]);
    expect(await radio.enablePin('pin1', '9999', true)).toEqual({ ok: false, retries: 2 });

    const closed = new Promise<void>((resolve) => driver.on('closed', () => resolve()));
    await radio.reset();
    await closed;
    device = await MbimDevice.open(await connectUnix(socket));
    expect(await new MbimDriver(device).radio.retries()).toEqual({});
  });
});

describe('APDU shapes and EID answers', () => {
  it('accepts the four ISO 7816-4 cases and refuses lengths that disagree', () => {
    for (const ok of ['00a40004', '00b000000a', '00a4000402 2fe2', '00a4000402 2fe2 00', '00b0000000 0100', '00a4000000 0002 2fe2', '00a4000000 0002 2fe2 0000']) {
      expect(apduShapeError(Buffer.from(ok.replace(/ /g, ''), 'hex'))).toBeUndefined();
    }
    for (const bad of ['00a4', '00a4000403 2fe2', '00a4000000 00', '00a4000000 0003 2fe2', '00a4000000 0000 00']) {
      expect(apduShapeError(Buffer.from(bad.replace(/ /g, ''), 'hex'))).toMatch(/./);
    }
  });

  it('reads the EID from BF3E { 5A … } 90 00 and nothing else', () => {
    const eid = '89049032123451234512345678901235';
    expect(eidFromResponse(Buffer.from(`bf3e125a10${eid}9000`, 'hex'))).toBe(eid);
    expect(eidFromResponse(Buffer.from(`bf3e125a10${eid}6a88`, 'hex'))).toBeUndefined();
    expect(eidFromResponse(Buffer.from(`bf3e135a10${eid}9000`, 'hex'))).toBeUndefined();
    expect(eidFromResponse(Buffer.from('9000', 'hex'))).toBeUndefined();
  });

  it('never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const shape = apduShapeError(b);
        expect(shape === undefined || typeof shape === 'string').toBe(true);
        const eid = eidFromResponse(b);
        expect(eid === undefined || /^[0-9a-f]{32}$/.test(eid)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
