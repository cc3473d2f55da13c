/** The simulator's radio network and SIM slots as the firmware model holds them, driven directly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModemFirmware, type RegistrationState } from '../../src/sim/firmware.js';
import { RegistrationRefused, ScanAbortedError } from '../../src/sim/radio-network.js';
import { ManualClock } from '../mux/helpers.js';

const events = (fw: ModemFirmware): { registration: RegistrationState[]; sim: string[]; locks: string[]; slot: number[]; scan: string[] } => {
  const got = { registration: [] as RegistrationState[], sim: [] as string[], locks: [] as string[], slot: [] as number[], scan: [] as string[] };
  fw.on('registration', (r) => got.registration.push(r));
  fw.on('sim', (s) => got.sim.push(s));
  fw.on('simLocks', (l) => got.locks.push(l));
  fw.on('slot', (s) => got.slot.push(s));
  fw.on('scan', (s) => got.scan.push(s));
  return got;
};

describe('radio network', () => {
  it('registers on the home operator on LTE by default, as before', () => {
    const fw = new ModemFirmware({ seed: 1 });
    expect(fw.registration).toBe('home');
    expect(fw.operator).toEqual(expect.objectContaining({ mcc: '001', mnc: '01', name: 'wwankit' }));
    expect(fw.rat).toBe('lte');
    expect(fw.radio.operators.length).toBeGreaterThanOrEqual(4);
    expect(fw.radio.operators.filter((o) => o.forbidden)).toHaveLength(1);
  });

  it('has a serving cell and neighbours with ids, area codes, channels, bands and PCIs', () => {
    const fw = new ModemFirmware();
    const info = fw.radio.cellInfo()!;
    expect(info.serving).toEqual(expect.objectContaining({ mcc: '001', mnc: '01', rat: 'lte' }));
    expect(fw.bands.eutra).toContain(info.serving.band);
    expect(info.serving.arfcn).toBeGreaterThan(0);
    expect(info.neighbours.length).toBeGreaterThan(2);
    expect(info.neighbours.every((c) => c.rat === 'lte')).toBe(true);
    expect(new Set([info.serving, ...info.neighbours].map((c) => `${c.mcc}${c.mnc}:${c.cellId}`)).size).toBe(info.neighbours.length + 1);
  });

  it('mode and band preferences change what the modem registers on', () => {
    const fw = new ModemFirmware();
    const got = events(fw);
    fw.setRadioPreferences({ allowed: ['umts', 'gsm'] });
    expect(fw.rat).toBe('umts');
    expect(fw.registration).toBe('home');
    fw.setRadioPreferences({ allowed: ['umts', 'gsm'], preferred: 'gsm' });
    expect(fw.rat).toBe('gsm');
    // LTE on band 28 only: the home operator has none, a roaming partner has.
    fw.setRadioPreferences({ allowed: ['lte'], preferred: undefined, bands: { ...fw.radio.preferences.bands, eutra: [28] } });
    expect(fw.rat).toBe('lte');
    expect(fw.operator.mnc).toBe('02');
    expect(fw.registration).toBe('roaming');
    expect(fw.radio.cellInfo()!.serving.band).toBe(28);
    // A band nobody runs: no service.
    fw.setRadioPreferences({ bands: { ...fw.radio.preferences.bands, eutra: [8] } });
    expect(fw.registration).toBe('searching');
    expect(got.registration).toEqual(['home', 'home', 'roaming', 'searching']);
    expect(() => fw.setRadioPreferences({ allowed: [] })).toThrow(RangeError);
  });

  it('a new network drops the PDNs of the old one', () => {
    const fw = new ModemFirmware();
    const s = fw.startSession({ apn: 'internet', family: 'ipv4' });
    const down: string[] = [];
    fw.on('sessionDown', (x, cause) => down.push(`${x.handle}:${cause}`));
    fw.register({ mode: 'manual', mcc: '001', mnc: '02' });
    expect(down).toEqual([`${s.handle}:network`]);
    expect(fw.registration).toBe('roaming');
  });

  it('manual registration: accepted, refused by the forbidden network with its cause, unknown networks not found', () => {
    const fw = new ModemFirmware();
    const got = events(fw);
    expect(fw.register({ mode: 'manual', mcc: '001', mnc: '03' }).operator.name).toBe('Globex Telecom');
    expect(fw.rat).toBe('umts');
    const refused = (() => {
      try {
        fw.register({ mode: 'manual', mcc: '001', mnc: '04' });
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(RegistrationRefused);
    expect((refused as RegistrationRefused).cause3gpp).toBe(11);
    expect(fw.registration).toBe('denied');
    expect(() => fw.register({ mode: 'manual', mcc: '999', mnc: '99' })).toThrow(/no network 99999/);
    // Globex has no LTE: manual on LTE has no suitable cell (#15).
    expect(() => fw.register({ mode: 'manual', mcc: '001', mnc: '03', rat: 'lte' })).toThrow(expect.objectContaining({ cause3gpp: 15 }));
    fw.register({ mode: 'automatic' });
    expect(fw.registration).toBe('home');
    expect(got.registration).toEqual(['roaming', 'denied', 'searching', 'home']);
  });

  it('a scan takes time on the clock and lists every operator, the forbidden one as such', async () => {
    const clock = new ManualClock();
    const fw = new ModemFirmware({ clock, scanMs: 30_000 });
    const got = events(fw);
    let done = false;
    const scan = fw.scan().then((r) => ((done = true), r));
    clock.advance(29_999);
    await Promise.resolve();
    expect(done).toBe(false);
    expect(fw.radio.scanInProgress).toBe(true);
    clock.advance(1);
    const results = await scan;
    expect(results.find((r) => r.status === 'current')).toEqual(expect.objectContaining({ rat: 'lte', home: true }));
    expect(results.filter((r) => r.status === 'forbidden').map((r) => r.operator.mnc)).toEqual(['04']);
    expect(new Set(results.map((r) => r.operator.mnc))).toEqual(new Set(['01', '02', '03', '04']));
    expect(got.scan).toEqual(['started', 'done']);
  });

  it('a reset aborts a scan; a scan with the radio off is refused', async () => {
    const clock = new ManualClock();
    const fw = new ModemFirmware({ clock });
    const scan = fw.scan();
    fw.reset();
    await expect(scan).rejects.toBeInstanceOf(ScanAbortedError);
    expect(clock.pending).toBe(0);
    fw.setOperatingMode('low-power');
    await expect(fw.scan()).rejects.toThrow(/radio is off/);
  });
});

describe('SIM locks', () => {
  it('PIN1 blocks after three wrong PINs, the PUK recovers it, ten wrong PUKs block it for good', () => {
    const fw = new ModemFirmware({ pinLocked: true });
    const got = events(fw);
    expect(fw.simState).toBe('pin-required');
    expect(fw.registration).toBe('idle');
    for (const left of [2, 1]) expect(fw.simLock('pin1', { verify: '0000' })).toEqual({ outcome: 'incorrect', retries: left, unblockRetries: 10 });
    expect(fw.simLock('pin1', { verify: '0000' })?.outcome).toBe('blocked');
    expect(fw.simState).toBe('puk-required');
    expect(fw.simLock('pin1', { verify: '1234' })?.outcome).toBe('blocked');
    expect(fw.simLock('pin1', { unblock: '00000000', newCode: '5555' })).toEqual({ outcome: 'incorrect', retries: 0, unblockRetries: 9 });
    expect(fw.simLock('pin1', { unblock: '12345678', newCode: '5555' })?.outcome).toBe('ok');
    expect(fw.simState).toBe('ready');
    expect(fw.registration).toBe('home');
    // The new PIN is the one after a reset.
    fw.reset();
    expect(fw.simState).toBe('pin-required');
    expect(fw.verifyPin('1234').ok).toBe(false);
    expect(fw.verifyPin('5555')).toEqual({ ok: true, retries: 3 });
    // Blocked again, then the PUK wrong ten times: permanently blocked.
    for (let i = 0; i < 3; i++) fw.simLock('pin1', { verify: '9999' });
    for (let i = 0; i < 9; i++) expect(fw.simLock('pin1', { unblock: '87654321', newCode: '1111' })?.outcome).toBe('incorrect');
    expect(fw.simLock('pin1', { unblock: '87654321', newCode: '1111' })?.outcome).toBe('permanently-blocked');
    expect(fw.simState).toBe('blocked');
    expect(fw.simLock('pin1', { unblock: '12345678', newCode: '1111' })?.outcome).toBe('permanently-blocked');
    expect(fw.simState).toBe('blocked');
    expect(got.sim).toEqual(['puk-required', 'ready', 'pin-required', 'ready', 'puk-required', 'blocked']);
    expect(got.locks.every((l) => l === 'pin1')).toBe(true);
  });

  it('enable, disable and change PIN1; PIN2 and PUK2 have their own defaults and counters', () => {
    const fw = new ModemFirmware();
    expect(fw.card!.pin1.state).toBe('disabled');
    expect(fw.simLock('pin1', { change: '1234', newCode: '4444' })?.outcome).toBe('disabled');
    expect(fw.simLock('pin1', { enable: true, code: '1234' })?.outcome).toBe('ok');
    expect(fw.simLock('pin1', { enable: true, code: '1234' })?.outcome).toBe('no-effect');
    expect(fw.simLock('pin1', { change: '1234', newCode: '4444' })?.outcome).toBe('ok');
    expect(fw.simLock('pin1', { change: '12', newCode: '4444' })?.outcome).toBe('bad-code');
    expect(fw.pinRetries).toBe(3);
    expect(fw.simLock('pin2', { verify: '1234' })).toEqual({ outcome: 'incorrect', retries: 2, unblockRetries: 10 });
    expect(fw.simLock('pin2', { verify: '4321' })?.outcome).toBe('ok');
    for (let i = 0; i < 3; i++) fw.simLock('pin2', { verify: '0000' });
    expect(fw.card!.pin2.state).toBe('blocked');
    expect(fw.simState).toBe('ready');
    expect(fw.simLock('pin2', { unblock: '87654321', newCode: '2222' })?.outcome).toBe('ok');
    expect(fw.simLock('pin1', { enable: false, code: '4444' })?.outcome).toBe('ok');
  });

  it('configured codes replace the defaults', () => {
    const fw = new ModemFirmware({ pinLocked: true, pin: '2468', puk: '11112222' });
    expect(fw.verifyPin('1234').ok).toBe(false);
    expect(fw.verifyPin('2468').ok).toBe(true);
    for (let i = 0; i < 3; i++) fw.simLock('pin1', { change: '0000', newCode: '1111' });
    expect(fw.unblockPin('12345678', '1357').ok).toBe(false);
    expect(fw.unblockPin('11112222', '1357').ok).toBe(true);
  });

  it('any sequence of operations keeps retries in range and the state consistent with them', () => {
    const code = fc.constantFrom('1234', '4321', '0000', '12345678', '87654321', '1', 'abcd');
    const op = fc.oneof(
      code.map((c) => ({ verify: c })),
      fc.tuple(code, code).map(([a, b]) => ({ unblock: a, newCode: b })),
      fc.tuple(code, code).map(([a, b]) => ({ change: a, newCode: b })),
      fc.tuple(fc.boolean(), code).map(([e, c]) => ({ enable: e, code: c })),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('pin1' as const, 'pin2' as const), op), { maxLength: 60 }), (ops) => {
        const fw = new ModemFirmware({ pinLocked: true });
        for (const [lock, o] of ops) {
          const r = fw.simLock(lock, o)!;
          expect(r.retries).toBeGreaterThanOrEqual(0);
          expect(r.retries).toBeLessThanOrEqual(3);
          expect(r.unblockRetries).toBeGreaterThanOrEqual(0);
          expect(r.unblockRetries).toBeLessThanOrEqual(10);
          const l = fw.card!.pin1;
          const expected = l.unblockRetries === 0 ? 'blocked' : l.retries === 0 ? 'puk-required' : l.enabled && !l.verified ? 'pin-required' : 'ready';
          expect(fw.simState).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('SIM slots and the card', () => {
  it('switches to the eUICC in slot 2 and back; a slot that does not exist is refused', () => {
    const fw = new ModemFirmware();
    const got = events(fw);
    const iccid1 = fw.identity.iccid;
    expect(fw.slots.map((c) => c?.kind)).toEqual(['uicc', 'euicc']);
    expect(() => fw.switchSlot(3)).toThrow(/no SIM slot 3/);
    expect(() => fw.switchSlot(0)).toThrow(RangeError);
    fw.switchSlot(2);
    expect(fw.activeSlot).toBe(2);
    expect(fw.card!.eid).toMatch(/^89049032\d{24}$/);
    expect(fw.identity.iccid).toBe(fw.card!.iccid);
    expect(fw.identity.iccid).not.toBe(iccid1);
    expect(fw.registration).toBe('home');
    fw.switchSlot(1);
    expect(fw.identity.iccid).toBe(iccid1);
    expect(got.slot).toEqual([2, 1]);
  });

  it('an empty slot 1 shows as absent; powering the active card off and on', () => {
    const fw = new ModemFirmware({ simAbsent: true });
    expect(fw.simState).toBe('absent');
    expect(() => fw.setCardPower(1, true)).toThrow(/no card/);
    fw.switchSlot(2);
    expect(fw.simState).toBe('ready');
    const got = events(fw);
    fw.setCardPower(2, false);
    expect(fw.simState).toBe('absent');
    expect(fw.registration).toBe('idle');
    fw.setCardPower(2, true);
    expect(fw.simState).toBe('ready');
    expect(got.sim).toEqual(['absent', 'ready']);
  });

  it('files: ICCID always, IMSI after PIN1, records, and the status words for wrong offsets and lengths', () => {
    const fw = new ModemFirmware({ pinLocked: true });
    const card = fw.card!;
    const iccid = card.readBinary('3F00/2FE2', 0, 0);
    expect(iccid.sw1).toBe(0x90);
    const digits = fw.identity.iccid.length % 2 ? `${fw.identity.iccid}f` : fw.identity.iccid;
    expect(Buffer.from(iccid.data).toString('hex')).toBe(digits.replace(/(.)(.)/g, '$2$1'));
    expect(card.readBinary('3f00/7fff/6f07', 0, 0)).toEqual(expect.objectContaining({ sw1: 0x69, sw2: 0x82 }));
    fw.verifyPin('1234');
    expect(card.readBinary('3f00/7fff/6f07', 0, 0).data[0]).toBe(8);
    expect(card.readBinary('3f00/2fe2', 11, 0)).toEqual(expect.objectContaining({ sw1: 0x6b }));
    expect(card.readBinary('3f00/2fe2', 5, 6)).toEqual(expect.objectContaining({ sw1: 0x6c, sw2: 5 }));
    expect(card.readBinary('3f00/7fff/6f99', 0, 0)).toEqual(expect.objectContaining({ sw1: 0x6a, sw2: 0x82 }));
    expect(card.fileAttributes('3f00/7fff/6f40')).toEqual({ structure: 'linear-fixed', size: 36, recordSize: 18, recordCount: 2, readNeedsPin: true });
    const rec = card.readRecord('3f00/7fff/6f40', 1, 18);
    expect(rec.sw1).toBe(0x90);
    expect(Buffer.from(rec.data.subarray(0, 3)).toString()).toBe('Own');
    expect(card.readRecord('3f00/7fff/6f40', 3, 0)).toEqual(expect.objectContaining({ sw1: 0x6a, sw2: 0x83 }));
    expect(card.readRecord('3f00/7fff/6f40', 1, 10)).toEqual(expect.objectContaining({ sw1: 0x6c, sw2: 18 }));
    expect(card.readRecord('3f00/2fe2', 1, 0)).toEqual(expect.objectContaining({ sw1: 0x69, sw2: 0x81 }));
  });

  it('the eUICC answers the EID request and lists its profile on a logical channel to the ISD-R', () => {
    const fw = new ModemFirmware();
    fw.switchSlot(2);
    const card = fw.card!;
    const isdR = Buffer.from('a0000005591010ffffffff8900000100', 'hex');
    const open = card.openChannel(isdR);
    if (!('channel' in open)) throw new Error('no channel');
    expect(open.select.sw1).toBe(0x90);
    const ch = open.channel;
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    // lpac's ES10c GetEID: STORE DATA (CLA 80|channel) with BF3E { 5C 5A }.
    const eid = card.transmit(Uint8Array.from(Buffer.from(`8${ch}e2910006bf3e035c015a00`, 'hex')));
    expect(hex(eid)).toBe(`bf3e125a10${card.eid}9000`);
    // GET DATA BF3E gives the same.
    expect(hex(card.transmit(Uint8Array.from(Buffer.from(`8${ch}cabf3e00`, 'hex'))))).toBe(`bf3e125a10${card.eid}9000`);
    const list = card.transmit(Uint8Array.from(Buffer.from(`8${ch}e2910003bf2d0000`, 'hex')));
    expect(hex(list.subarray(0, 2))).toBe('bf2d');
    expect(hex(list.subarray(-2))).toBe('9000');
    expect(Buffer.from(list).includes(Buffer.from(`${fw.home.name} eSIM`))).toBe(true);
    expect(card.closeChannel(ch)).toEqual(expect.objectContaining({ sw1: 0x90 }));
    // The closed channel is gone; the UICC in slot 1 has no ISD-R.
    expect(hex(card.transmit(Uint8Array.from(Buffer.from(`8${ch}cabf3e00`, 'hex'))))).toBe('6881');
    expect(fw.slots[0]!.openChannel(isdR)).toEqual(expect.objectContaining({ sw1: 0x6a, sw2: 0x82 }));
  });

  it('APDUs: wrong lengths, unknown classes and instructions, MANAGE CHANNEL, SELECT by file id, READ BINARY', () => {
    const card = new ModemFirmware().card!;
    const tx = (h: string): string => Buffer.from(card.transmit(Uint8Array.from(Buffer.from(h, 'hex')))).toString('hex');
    expect(tx('00a4')).toBe('6700');
    expect(tx('00a4000002')).toBe('6700'); // SELECT by file id without the id
    expect(tx('00a40000022f')).toBe('6700'); // Lc 2, one byte of data
    expect(tx('00a40000022fe2aabb')).toBe('6700'); // Lc 2, three bytes after it
    expect(tx('ffa40000')).toBe('6e00');
    expect(tx('00ee0000')).toBe('6d00');
    expect(tx('03b00000')).toBe('6881');
    const ch = tx('0070000001');
    expect(ch).toMatch(/^0[1-9]9000$/);
    expect(tx(`0${ch[1]}a40000022fe2`)).toBe('9000');
    expect(tx(`0${ch[1]}b000000a`)).toBe(`${Buffer.from(card.readBinary('3f00/2fe2', 0, 0).data).toString('hex')}9000`);
    expect(tx(`0${ch[1]}b0000020`)).toBe('6c0a');
    expect(tx(`007080${ch.slice(0, 2)}`)).toBe('9000');
    expect(tx(`007080${ch.slice(0, 2)}`)).toBe('6881');
    expect(card.openChannels).toEqual([]);
  });

  it('any APDU bytes get status words, never an exception', () => {
    const card = new ModemFirmware().card!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (apdu) => {
        const r = card.transmit(apdu);
        expect(r.length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
    // Channels opened by fuzzed MANAGE CHANNEL stay bounded by the card's channel count.
    expect(card.openChannels.length).toBeLessThanOrEqual(19);
  });
});
