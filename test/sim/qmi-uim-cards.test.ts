/**
 * QMI UIM against the simulator's two slots with the library's own client: lpac's path to the eUICC
 * (switch slot, open a logical channel to the ISD-R, the ES10 EID request, close), APDUs with wrong
 * lengths and channels, slot status indications, and PINs masked in traces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QmiDevice, type QmiClient } from '../../src/qmi/client.js';
import { QmiProtocolErrorResponse } from '../../src/qmi/errors.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { decodeQmux, encodeQmux } from '../../src/qmi/qmux.js';
import { encodeTlvs } from '../../src/qmi/codec.js';
import { redactQmux } from '../../src/qmi/redact.js';
import { uim } from '../../src/qmi/services/uim.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

const ISD_R = [...Buffer.from('a0000005591010ffffffff8900000100', 'hex')];
const hex = (b: readonly number[] | undefined): string => Buffer.from(b ?? []).toString('hex');

let sim: Simulator;
let dev: QmiDevice;
/** UIM message ids as they arrived, in order (responses and indications alike). */
const arrived: number[] = [];
let client: QmiClient<typeof uim>;

beforeAll(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
  dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)), {
    timeoutMs: 5000,
    trace: (direction, frame) => {
      const f = direction === 'rx' ? decodeQmux(frame) : undefined;
      if (f?.ok && f.value.service === uim.id) arrived.push(f.value.messageId);
    },
  });
  client = await dev.allocateClient(uim);
});
afterAll(async () => {
  await client?.release();
  await dev?.close();
  await sim?.stop();
});

const protocolError = async (p: Promise<unknown>): Promise<string> => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(QmiProtocolErrorResponse);
  return (e as QmiProtocolErrorResponse).errorName;
};

describe('QMI UIM on two slots', () => {
  it('reads the EID from the eUICC in slot 2 over a logical channel, as lpac does, and sees the slot switch', async () => {
    const indications: number[] = [];
    client.on(uim.indications.slotStatus, (v) => indications.push(v.physicalSlotStatus!.findIndex((s) => s.physicalSlotStatus === 1) + 1));
    await client.request(uim.messages.registerEvents, { eventRegistrationMask: 1 << 4 });
    // The UICC in slot 1 has no ISD-R.
    expect(await protocolError(client.request(uim.messages.openLogicalChannel, { slot: 1, aid: ISD_R }))).toBe('InvalidArgument');
    arrived.length = 0;
    await client.request(uim.messages.switchSlot, { logicalSlot: 1, physicalSlot: 2 });
    const status = await client.request(uim.messages.getSlotStatus, {});
    // The answer before the slot status indication, as firmware sends them: ModemManager reprobes on the
    // indication and releases its UIM client, so an answer after it would never reach it.
    expect(arrived.slice(0, 2)).toEqual([uim.messages.switchSlot.id, uim.indications.slotStatus.id]);
    const eid = hex(status.slotEid![1]!.eid);
    expect(eid).toMatch(/^89049032\d{24}$/);
    expect(status.physicalSlotInformation!.map((s) => s.isEuicc)).toEqual([false, true]);

    const open = await client.request(uim.messages.openLogicalChannel, { slot: 2, aid: ISD_R });
    expect(open.cardResult).toEqual({ sw1: 0x90, sw2: 0x00 });
    const ch = open.channelId!;
    expect(ch).toBeGreaterThan(0);
    // ES10c GetEID: STORE DATA, class 0x80 | channel.
    const apdu = [0x80 | ch, 0xe2, 0x91, 0x00, 0x06, 0xbf, 0x3e, 0x03, 0x5c, 0x01, 0x5a, 0x00];
    const r = await client.request(uim.messages.sendApdu, { slot: 2, channelId: ch, apdu });
    expect(hex(r.apduResponse)).toBe(`bf3e125a10${eid}9000`);
    const list = await client.request(uim.messages.sendApdu, { slot: 2, channelId: ch, apdu: [0x80 | ch, 0xe2, 0x91, 0x00, 0x03, 0xbf, 0x2d, 0x00] });
    expect(hex(list.apduResponse!.slice(0, 2))).toBe('bf2d');
    expect(hex(list.apduResponse!.slice(-2))).toBe('9000');
    await client.request(uim.messages.logicalChannel, { slot: 2, channelId: ch });
    // Closed: the channel is gone for the card too.
    expect(await protocolError(client.request(uim.messages.sendApdu, { slot: 2, channelId: ch, apdu }))).toBe('InvalidArgument');
    expect(await protocolError(client.request(uim.messages.logicalChannel, { slot: 2, channelId: ch }))).toBe('InvalidArgument');
    expect(indications).toEqual([2]);
    await client.request(uim.messages.switchSlot, { logicalSlot: 1, physicalSlot: 1 });
    await expect.poll(() => indications).toEqual([2, 1]);
  });

  it('answers bad APDUs with status words and bad slots with errors', async () => {
    const tx = async (apdu: number[]): Promise<string> => hex((await client.request(uim.messages.sendApdu, { slot: 1, apdu })).apduResponse);
    expect(await tx([0x00, 0xa4])).toBe('6700');
    expect(await tx([0x00, 0xa4, 0x00, 0x00, 0x02, 0x2f])).toBe('6700');
    expect(await tx([0x00, 0xa4, 0x00, 0x00, 0x02, 0x2f, 0xe2, 0x00, 0x00])).toBe('6700');
    expect(await tx([0x00, 0xee, 0x00, 0x00])).toBe('6d00');
    expect(await tx([0x02, 0xb0, 0x00, 0x00])).toBe('6881');
    expect(await protocolError(client.request(uim.messages.sendApdu, { slot: 1, apdu: [] }))).toBe('MissingArgument');
    expect(await protocolError(client.request(uim.messages.sendApdu, { slot: 3, apdu: [0, 0xa4, 0, 0] }))).toBe('InvalidArgument');
    expect(await protocolError(client.request(uim.messages.switchSlot, { logicalSlot: 1, physicalSlot: 9 }))).toBe('InvalidArgument');
    expect(await protocolError(client.request(uim.messages.powerOffSim, { slot: 0 }))).toBe('InvalidArgument');
  });

  it('masks PINs and PUKs in traces but never in the bytes sent', () => {
    const session = { sessionType: 6, applicationIdentifier: [] };
    for (const [def, values] of [
      [uim.messages.changePin, { session, info: { pinId: 1, oldPinValue: '1234', newPinValue: '5678' } }],
      [uim.messages.setPinProtection, { session, info: { pinId: 1, pinEnabled: true, pinValue: '1234' } }],
      [uim.messages.unblockPin, { session, info: { pinId: 1, pukValue: '12345678', newPinValue: '5678' } }],
    ] as const) {
      const frame = encodeQmux({ type: 'request', service: uim.id, clientId: 1, transaction: 1, messageId: def.id, tlvs: encodeTlvs(def.request, values as never) });
      const before = Buffer.from(frame).toString('latin1');
      const masked = Buffer.from(redactQmux(frame)).toString('latin1');
      expect(before).toMatch(/1234|12345678/);
      expect(masked).not.toMatch(/1234|5678/);
      expect(Buffer.from(frame).toString('latin1')).toBe(before);
      expect(decodeQmux(redactQmux(frame)).ok).toBe(true);
    }
  });
});
