import { describe, expect, it } from 'vitest';
import { MbimDevice, MbimTimeoutError } from '../../src/mbim/client.js';
import { decodeMessage, encodeFragments } from '../../src/mbim/message.js';
import { MbimProtocolError, MbimStatusError } from '../../src/mbim/protocol.js';
import { decodeBuffer } from '../../src/mbim/schema.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';
import { qmi } from '../../src/mbim/services/qmi.js';
import { STANDARD_SUBSCRIPTIONS } from '../../src/mbim/subscriptions.js';
import { memoryPair } from '../../src/transport/memory.js';
import { ipConfiguration } from './fixture.js';
import { key, mbimPeer, type Handler, type Peer } from './peer.js';

const bc = basicConnect.cids;
const types = (p: Peer): string[] => p.received.map((b) => (decodeMessage(b) as { ok: true; value: { type: string } }).value.type);

/** A Radio State handler whose first command finds the session forgotten (NotOpened); later ones are answered. */
function radioStateAfterNotOpened(peer: () => Peer): Handler {
  let first = true;
  return (m) => {
    if (!first) return { buffer: bc.radioState.response.encode({ hwRadioState: 1, swRadioState: 1 }) };
    first = false;
    peer().send({ type: 'functionError', transactionId: m.transactionId, error: MbimProtocolError.NotOpened });
    return null;
  };
}

describe('MbimDevice', () => {
  it('opens with the max control transfer, reassembles a fragmented response and delivers typed notifications', async () => {
    const [host, modem] = memoryPair();
    let peer!: Peer;
    peer = mbimPeer(modem, {
      [key(basicConnect.uuid, bc.ipConfiguration.id)]: (m) => {
        peer.send({ type: 'commandDone', transactionId: m.transactionId, service: m.service, cid: m.cid, status: 0, buffer: ipConfiguration }, 64);
        return null;
      },
    });
    const dev = await MbimDevice.open(host, { maxControlTransfer: 2048 });
    expect(peer.received[0]![12]! | (peer.received[0]![13]! << 8)).toBe(2048);
    const ip = await dev.query(bc.ipConfiguration, emptyIpQuery());
    expect(ip.ipv4Gateway).toBe('10.64.12.1');
    const got: number[] = [];
    dev.on(bc.signalState, (s) => got.push(s.rssi));
    peer.send({ type: 'indicateStatus', transactionId: 0, service: basicConnect.uuid, cid: bc.signalState.id, buffer: bc.signalState.response.encode({ rssi: 17, errorRate: 99, signalStrengthInterval: 0, rssiThreshold: 0, errorRateThreshold: 0 }) });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([17]);
    await dev.close();
    expect(types(peer)).toEqual(['open', 'command', 'close']);
  });

  it('re-opens and resends when the modem answers NotOpened', async () => {
    const [host, modem] = memoryPair();
    const peer: Peer = mbimPeer(modem, { [key(basicConnect.uuid, bc.radioState.id)]: radioStateAfterNotOpened(() => peer) });
    const dev = await MbimDevice.open(host);
    expect(await dev.query(bc.radioState)).toEqual({ hwRadioState: 1, swRadioState: 1 });
    expect(types(peer)).toEqual(['open', 'command', 'open', 'command']);
    await dev.close();
  });

  it('merges subscriptions into one list on top of the standard ones, and sends it again after a re-open', async () => {
    const [host, modem] = memoryPair();
    const lists: { deviceServiceId: string; cids: number[] }[][] = [];
    const peer: Peer = mbimPeer(modem, {
      [key(basicConnect.uuid, bc.deviceServiceSubscribeList.id)]: (m) => {
        const d = decodeBuffer(bc.deviceServiceSubscribeList.set, m.buffer);
        if (d.ok) lists.push(d.value.events.map((e) => ({ deviceServiceId: e.deviceServiceId, cids: [...e.cids] })));
        return { buffer: m.buffer };
      },
      [key(basicConnect.uuid, bc.radioState.id)]: radioStateAfterNotOpened(() => peer),
    });
    const dev = await MbimDevice.open(host);
    await dev.subscribe(qmi.uuid, [qmi.cids.msg.id]);
    await dev.subscribe('00000000-1111-2222-3333-444444444444', [3, 1]);
    // Asked again, or a standard service's: nothing new, nothing sent.
    await dev.subscribe(qmi.uuid, [qmi.cids.msg.id]);
    await dev.subscribe(basicConnect.uuid, [bc.connect.id]);
    expect(lists).toHaveLength(2);
    const expected = [...STANDARD_SUBSCRIPTIONS, { deviceServiceId: qmi.uuid, cids: [1] }, { deviceServiceId: '00000000-1111-2222-3333-444444444444', cids: [1, 3] }];
    expect(lists[1]).toEqual(expected);
    // The function forgot the session (a reset): re-opened, the list sent again, then the command.
    expect(await dev.query(bc.radioState)).toEqual({ hwRadioState: 1, swRadioState: 1 });
    expect(types(peer)).toEqual(['open', 'command', 'command', 'command', 'open', 'command', 'command']);
    expect(lists).toHaveLength(3);
    expect(lists[2]).toEqual(expected);
    await dev.close();
  });

  it('answers a dropped fragment with HOST_ERROR and resends the command', async () => {
    const [host, modem] = memoryPair();
    let first = true;
    let peer!: Peer;
    peer = mbimPeer(modem, {
      [key(basicConnect.uuid, bc.ipConfiguration.id)]: (m) => {
        const done = { type: 'commandDone' as const, transactionId: m.transactionId, service: m.service, cid: m.cid, status: 0, buffer: ipConfiguration };
        if (first) {
          first = false;
          // Fragment 1 goes missing.
          encodeFragments(done, 64).forEach((f, i) => i !== 1 && modem.write(f));
        } else peer.send(done);
        return null;
      },
    });
    const dev = await MbimDevice.open(host);
    const ip = await dev.query(bc.ipConfiguration, emptyIpQuery());
    expect(ip.ipv4Mtu).toBe(1500);
    const sent = types(peer);
    expect(sent).toEqual(['open', 'command', 'hostError', 'command']);
    const hostError = decodeMessage(peer.received[2]!);
    expect(hostError.ok && hostError.value.type === 'hostError' && hostError.value.error).toBe(MbimProtocolError.FragmentOutOfSequence);
    await dev.close();
  });

  it('rejects with the status name, and times out', async () => {
    const [host, modem] = memoryPair();
    mbimPeer(modem, { [key(basicConnect.uuid, bc.pin.id)]: { status: 5 }, [key(basicConnect.uuid, bc.signalState.id)]: () => null });
    const dev = await MbimDevice.open(host);
    await expect(dev.query(bc.pin)).rejects.toThrow(MbimStatusError);
    await expect(dev.query(bc.pin)).rejects.toMatchObject({ statusName: 'PinRequired' });
    await expect(dev.query(bc.signalState, undefined, { timeoutMs: 50 })).rejects.toThrow(MbimTimeoutError);
    await dev.close();
  });
});

function emptyIpQuery() {
  return {
    sessionId: 0, ipv4ConfigurationAvailable: 0, ipv6ConfigurationAvailable: 0, ipv4Address: [], ipv6Address: [],
    ipv4Gateway: undefined, ipv6Gateway: undefined, ipv4DnsServer: [], ipv6DnsServer: [], ipv4Mtu: 0, ipv6Mtu: 0,
  };
}
