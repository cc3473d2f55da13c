import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/index.js';
import { decodeQmux, encodeQmux } from '../../src/qmi/qmux.js';
import { decodeTlvs, encodeTlvs } from '../../src/qmi/codec.js';
import { ctl } from '../../src/qmi/services/ctl.js';

// Frames observed from qmicli 1.32.2 (PROTOCOLS.md A.2).
const ALLOCATE_DMS = '01 0f 00 00 00 00 00 01 22 00 04 00 01 01 00 02';
const RELEASE_DMS_7 = '01 10 00 00 00 00 00 02 23 00 05 00 01 02 00 02 07';
const SET_DATA_FORMAT = '01 14 00 00 00 00 00 01 26 00 09 00 10 02 00 02 00 01 01 00 00';

describe('QMUX frames', () => {
  it('decodes qmicli CTL Allocate CID and re-encodes it byte for byte', () => {
    const bytes = fromHex(ALLOCATE_DMS)!;
    const f = decodeQmux(bytes);
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    expect(f.value).toMatchObject({ service: 0, clientId: 0, type: 'request', transaction: 1, messageId: 0x22 });
    const tlvs = decodeTlvs(ctl.messages.allocateCid.request, f.value.tlvs, { response: false });
    expect(tlvs.ok && tlvs.value.values).toEqual({ service: 2 });
    const again = encodeQmux({
      service: 0,
      clientId: 0,
      type: 'request',
      transaction: 1,
      messageId: 0x22,
      tlvs: encodeTlvs(ctl.messages.allocateCid.request, { service: 2 }),
    });
    expect(toHex(again)).toBe(ALLOCATE_DMS);
  });

  it('encodes Release CID and Set Data Format as qmicli does', () => {
    const rel = encodeQmux({
      service: 0, clientId: 0, type: 'request', transaction: 2, messageId: 0x23,
      tlvs: encodeTlvs(ctl.messages.releaseCid.request, { release: { service: 2, cid: 7 } }),
    });
    expect(toHex(rel)).toBe(RELEASE_DMS_7);
    const f = decodeQmux(fromHex(SET_DATA_FORMAT)!);
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const v = decodeTlvs(ctl.messages.setDataFormat.request, f.value.tlvs, { response: false });
    expect(v.ok && v.value.values).toEqual({ format: 0, protocol: 2 });
  });

  it('rejects a wrong marker, a lying QMUX length and a lying TLV length with offsets', () => {
    const bad = fromHex(ALLOCATE_DMS)!;
    bad[0] = 0x02;
    const a = decodeQmux(bad);
    expect(!a.ok && a.error.code).toBe('framing');
    const long = fromHex(ALLOCATE_DMS)!;
    long[1] = 0x10;
    const b = decodeQmux(long);
    expect(!b.ok && [b.error.code, b.error.offset]).toEqual(['length', 1]);
    const tlv = fromHex(ALLOCATE_DMS)!;
    tlv[10] = 0x05;
    const c = decodeQmux(tlv);
    expect(!c.ok && c.error.field).toBe('qmi.tlvLength');
  });

  it('requires the result TLV in responses and names what is missing', () => {
    const r = decodeTlvs(ctl.messages.allocateCid.response, fromHex('01 02 00 02 07')!, { response: true });
    expect(!r.ok && r.error.message).toContain('TLV 0x02 not found');
    const short = decodeTlvs(ctl.messages.allocateCid.response, fromHex('02 02 00 00 00')!, { response: true });
    expect(!short.ok && short.error.message).toContain('Reading TLV would overflow');
    const failed = decodeTlvs(ctl.messages.allocateCid.response, fromHex('02 04 00 01 00 05 00')!, { response: true });
    expect(failed.ok && failed.value.result).toEqual({ status: 1, error: 5 });
  });

  it('keeps unknown TLVs through a decode/encode round trip', () => {
    const block = fromHex('02 04 00 00 00 00 00 01 02 00 02 07 7f 03 00 aa bb cc')!;
    const r = decodeTlvs(ctl.messages.allocateCid.response, block, { response: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.unknown.map((t) => t.type)).toEqual([0x7f]);
    const again = encodeTlvs(ctl.messages.allocateCid.response, r.value.values, { result: r.value.result, unknown: r.value.unknown });
    expect(toHex(again)).toBe(toHex(block));
  });
});
