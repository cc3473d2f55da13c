/** MBIM SMS layouts as libmbim lays them out: Send's PDU record inline with offsets from its own start; Read's PDU records. */
import { describe, expect, it } from 'vitest';
import { decodeBuffer } from '../../src/mbim/schema.js';
import { sms } from '../../src/mbim/services/sms.js';
import { toHex } from '../../src/wire/index.js';

describe('MBIM SMS', () => {
  it('Send: format, then the PDU record whose offset counts from the record (8), the PDU padded to 4', () => {
    const pdu = Uint8Array.from([0x00, 0x01, 0x00, 0x03, 0x91, 0x21, 0xf3]);
    const b = sms.cids.send.set.encode({ format: 0, pduMessage: { pduData: pdu } });
    expect(toHex(b, '')).toBe('00000000' + '08000000' + '07000000' + '00010003' + '9121f300');
    expect(decodeBuffer(sms.cids.send.set, b)).toEqual({ ok: true, value: { format: 0, pduMessage: { pduData: pdu } } });
    // An offset pointing past the buffer is an error, not a read beyond it.
    const bad = b.slice();
    bad[4] = 0x40;
    expect(decodeBuffer(sms.cids.send.set, bad).ok).toBe(false);
  });

  it('Read: a count, then {offset, size} pairs to records of index, status and PDU', () => {
    const r = { format: 0, pduMessages: [{ messageIndex: 1, messageStatus: 0, pduData: Uint8Array.from([1, 2, 3]) }, { messageIndex: 2, messageStatus: 3, pduData: Uint8Array.from([4]) }] };
    const b = sms.cids.read.response.encode(r);
    expect(decodeBuffer(sms.cids.read.response, b)).toEqual({ ok: true, value: r });
    const lying = b.slice();
    lying[4] = 0xff;
    expect(decodeBuffer(sms.cids.read.response, lying).ok).toBe(false);
  });
});
