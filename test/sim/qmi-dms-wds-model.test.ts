/**
 * The simulator's DMS and WDS answers follow its model: statistics count the packets that crossed the
 * data path, the last call's totals outlive it, a call without an APN uses the default profile, the
 * device clock runs, and the DMS PIN operations act on the same card locks UIM sees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRecordPipe, type DataPipe } from '../../src/link/data-pipe.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { QmiProtocolError, QmiProtocolErrorResponse } from '../../src/qmi/errors.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { dms } from '../../src/qmi/services/dms.js';
import { uim } from '../../src/qmi/services/uim.js';
import { wds } from '../../src/qmi/services/wds.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { echoBody, icmpPacket } from '../net/packets.js';

let sim: Simulator;
let dev: QmiDevice;
let pipe: DataPipe | undefined;

beforeEach(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], seed: 5 });
  dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)));
});

afterEach(async () => {
  await pipe?.close();
  pipe = undefined;
  await dev.close();
  await sim.stop();
});

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};
const ALL = 0x3ff;

describe('WDS call information from the model', () => {
  it('packet statistics count the pings that crossed the data path; the last call keeps its totals', async () => {
    const w = await dev.allocateClient(wds);
    const { packetDataHandle } = await w.request(wds.messages.startNetwork, { apn: 'internet', ipFamilyPreference: 4 });
    const settings = await w.request(wds.messages.getCurrentSettings, { requestedSettings: 0x100 });
    pipe = await connectRecordPipe(sim.ready().modems[0]!.data);
    const replies: Uint8Array[] = [];
    pipe.onTransfer((t) => replies.push(t));
    const ping = icmpPacket({ src: settings.ipv4Address!, dst: '192.0.2.1' }, 8, 0, echoBody(1, 1, new Uint8Array(56)));
    for (let i = 0; i < 3; i++) pipe.send(ping);
    await until(() => replies.length === 3);

    const s = await w.request(wds.messages.getPacketStatistics, { mask: ALL });
    expect(s).toMatchObject({ txPacketsOk: 3, rxPacketsOk: 3, txPacketsError: 0, rxPacketsDropped: 0, txBytesOk: BigInt(3 * ping.length), rxBytesOk: BigInt(replies.reduce((n, r) => n + r.length, 0)) });
    // Only what the mask asks for.
    expect(Object.keys(await w.request(wds.messages.getPacketStatistics, { mask: 1 << 6 })).filter((k) => k !== 'result')).toEqual(['txBytesOk']);
    // Another client (qmicli beside a connection manager) sees the modem's call.
    const other = await dev.allocateClient(wds);
    expect((await other.request(wds.messages.getPacketStatistics, { mask: ALL })).txPacketsOk).toBe(3);
    expect((await other.request(wds.messages.getDormancyStatus, {})).dormancyStatus).toBe(2);
    expect((await other.request(wds.messages.getChannelRates, {})).channelRates.channelTxRateBps).toBe(50_000_000);

    await w.request(wds.messages.stopNetwork, { packetDataHandle });
    const out = await other.request(wds.messages.getPacketStatistics, { mask: ALL }).catch((e: unknown) => e);
    expect(out).toBeInstanceOf(QmiProtocolErrorResponse);
    expect((out as QmiProtocolErrorResponse).code).toBe(QmiProtocolError.OutOfCall);
    expect((out as QmiProtocolErrorResponse).values).toMatchObject({ lastCallTxBytesOk: BigInt(3 * ping.length) });
    expect((await other.request(wds.messages.getChannelRates, {})).channelRates.channelTxRateBps).toBe(0xffffffff);
    await other.release();
    await w.release();
  });

  it('a call without an APN uses the default profile, and the profile in use cannot be deleted', async () => {
    const w = await dev.allocateClient(wds);
    const { profileIdentifier } = await w.request(wds.messages.createProfile, { profileType: 0, profileName: 'ims-only', apnName: 'ims', pdpType: 2 });
    await w.request(wds.messages.setDefaultProfileNumber, { profileIdentifier: { type: 0, family: 1, index: profileIdentifier.profileIndex } });
    await w.request(wds.messages.startNetwork, {});
    const s = await w.request(wds.messages.getCurrentSettings, { requestedSettings: 0x8008 });
    expect(s.apnName).toBe('ims');
    const refused = await w.request(wds.messages.deleteProfile, { profileIdentifier }).catch((e: unknown) => e);
    expect((refused as QmiProtocolErrorResponse).values).toMatchObject({ extendedErrorCode: 1002 });
    await w.release();
  });
});

describe('DMS from the model', () => {
  it('the device clock runs: GPS time a little ahead of UTC, later on a later read', async () => {
    const d = await dev.allocateClient(dms);
    const gps = Date.UTC(1980, 0, 6);
    const first = await d.request(dms.messages.getTime, {});
    const ms = Number(first.systemTime!);
    expect(gps + ms - Date.now()).toBeGreaterThan(17_000);
    expect(gps + ms - Date.now()).toBeLessThan(19_000);
    const count = first.deviceTime.timeCountHigh * 2 ** 32 + first.deviceTime.timeCountLow;
    expect(Math.abs(count * 1.25 - ms)).toBeLessThan(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(Number((await d.request(dms.messages.getTime, {})).systemTime!)).toBeGreaterThan(ms);
    await d.release();
  });

  it('a PIN enabled through DMS shows in UIM card status; wrong PINs count down on both', async () => {
    const d = await dev.allocateClient(dms);
    const u = await dev.allocateClient(uim);
    await d.request(dms.messages.uimSetPinProtection, { info: { pinId: 1, protectionEnabled: true, pin: '1234' } });
    const card = await u.request(uim.messages.getCardStatus, {});
    expect(card.cardStatus!.cards[0]!.applications[0]!.pin1State).toBe(2); // enabled-verified
    const wrong = await d.request(dms.messages.uimVerifyPin, { info: { pinId: 1, pin: '0000' } }).catch((e: unknown) => e);
    expect((wrong as QmiProtocolErrorResponse).code).toBe(QmiProtocolError.IncorrectPin);
    expect((wrong as QmiProtocolErrorResponse).values).toMatchObject({ pinRetriesStatus: { verifyRetriesLeft: 2, unblockRetriesLeft: 10 } });
    expect((await u.request(uim.messages.getCardStatus, {})).cardStatus!.cards[0]!.applications[0]!.pin1Retries).toBe(2);
    expect((await d.request(dms.messages.uimGetPinStatus, {})).pin1Status).toMatchObject({ verifyRetriesLeft: 2 });
    await u.release();
    await d.release();
  });
});
