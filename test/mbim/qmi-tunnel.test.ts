import { describe, expect, it } from 'vitest';
import { memoryPair } from '../../src/transport/memory.js';
import { MbimDevice } from '../../src/mbim/client.js';
import { openQmiTunnel } from '../../src/mbim/qmi-tunnel.js';
import { qmi } from '../../src/mbim/services/qmi.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { decodeQmux, encodeQmux } from '../../src/qmi/qmux.js';
import { encodeTlvs } from '../../src/qmi/codec.js';
import { ctl } from '../../src/qmi/services/ctl.js';
import { dms } from '../../src/qmi/services/dms.js';
import { toHex } from '../../src/wire/hex.js';
import { key, mbimPeer } from './peer.js';

describe('QMI over MBIM', () => {
  it('runs QmiDevice (CTL Allocate CID, a DMS request) through the tunnel, indications included', async () => {
    const [host, modem] = memoryPair('mbim');
    const peer = mbimPeer(modem, {
      [key(qmi.uuid, 1)]: (m) => {
        const q = decodeQmux(m.buffer);
        if (!q.ok) return { status: 2 };
        const f = q.value;
        const ok = { result: { status: 0, error: 0 } };
        const tlvs =
          f.service === 0
            ? encodeTlvs(ctl.messages.allocateCid.response, { allocation: { service: 2, cid: 9 } }, ok)
            : encodeTlvs(dms.messages.getManufacturer.response, { manufacturer: 'wwankit' }, ok);
        const type = 'response' as const;
        return { buffer: encodeQmux({ service: f.service, clientId: f.clientId, type, transaction: f.transaction, messageId: f.messageId, tlvs, controlFlags: 0x80 }) };
      },
    });
    const mbim = await MbimDevice.open(host);
    const port = await openQmiTunnel(mbim);
    // libqmi's subscribe-list step, byte for byte (PROTOCOLS.md A.3.5).
    expect(peer.commands[0]!.cid).toBe(basicConnect.cids.deviceServiceSubscribeList.id);
    expect(toHex(peer.commands[0]!.buffer, '')).toBe('010000000c00000018000000d1a30bc2f97a6e43bf65c7e24fb0f0d30100000001000000');
    const qmiDev = new QmiDevice(port);
    const client = await qmiDev.allocateClient(dms);
    expect(client.cid).toBe(9);
    const frames: Uint8Array[] = [];
    port.onFrame((f) => frames.push(f));
    const r = await client.request(dms.messages.getManufacturer, {});
    expect(r.manufacturer).toBe('wwankit');
    // Frames go unpadded: the COMMAND buffer is exactly the QMUX frame.
    const sent = peer.commands.at(-1)!.buffer;
    expect(sent.length).toBe(sent[1]! + (sent[2]! << 8) + 1);
    // An INDICATE_STATUS on QMI CID 1 arrives as a frame.
    const ind = encodeQmux({ service: 2, clientId: 9, type: 'indication', transaction: 0, messageId: 0x0001, tlvs: new Uint8Array(0), controlFlags: 0x80 });
    peer.send({ type: 'indicateStatus', transactionId: 0, service: qmi.uuid, cid: 1, buffer: ind });
    await new Promise((r) => setTimeout(r, 20));
    expect(frames.some((f) => toHex(f) === toHex(ind))).toBe(true);
    await qmiDev.close();
    expect(mbim.closed).toBe(true);
  });
});
