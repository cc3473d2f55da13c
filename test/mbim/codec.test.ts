import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/index.js';
import { decodeFragment, decodeMessage, encodeFragments, encodeMessage, type MbimFragment } from '../../src/mbim/message.js';
import { MbimFramer } from '../../src/mbim/framer.js';
import { Reassembler } from '../../src/mbim/reassembly.js';
import { MbimProtocolError } from '../../src/mbim/protocol.js';
import { decodeBuffer } from '../../src/mbim/schema.js';
import { services } from '../../src/mbim/services/index.js';
import { basicConnect, msBasicConnectExtensions, msUiccLowLevelAccess, proxyControl } from '../../src/mbim/services/index.js';
import { describeMbim } from '../../src/mbim/describe.js';
import { redactMbim } from '../../src/mbim/redact.js';
import { outcomeOf } from '../support/record-fragment-vectors.js';
import { readFileSync } from 'node:fs';

// Observed from mbimcli 1.28.2 and libqmi (PROTOCOLS.md A.3–A.5).
const OPEN = '01000000 10000000 01000000 00100000';
const DEVICE_CAPS = '03000000 30000000 02000000 01000000 00000000 a289cc33bcbb8b4fb6b0133ec2aae6df 01000000 00000000 00000000';
const PROXY_CONFIG =
  '03000000 50000000 01000000 01000000 00000000 838cf7fb8d0d4d7f871ed71dbefbb39b 01000000 01000000 20000000 0c000000 12000000 1e000000 2f006400650076002f006e0075006c006c000000';

const hex = (s: string): Uint8Array => fromHex(s)!;
const runs = { numRuns: 300 };

describe('MBIM messages', () => {
  it('decodes messages, fragments, mutated, cut and random bytes as the decoder they were recorded from did', () => {
    const vectors = JSON.parse(readFileSync(new URL('./fixtures/fragment-vectors.json', import.meta.url), 'utf8')) as { hex: string }[];
    expect(vectors.length).toBeGreaterThan(500);
    for (const { hex: h, ...want } of vectors) expect(outcomeOf(new Uint8Array(Buffer.from(h, 'hex'))), h).toEqual(want);
  });

  it('encodes OPEN, a Device Caps query and the proxy configuration as the reference tools do', () => {
    expect(toHex(encodeMessage({ type: 'open', transactionId: 1, maxControlTransfer: 4096 }), '')).toBe(OPEN.replace(/ /g, ''));
    expect(toHex(encodeMessage({ type: 'command', transactionId: 2, service: basicConnect.uuid, cid: 1, commandType: 0, buffer: new Uint8Array(0) }), '')).toBe(
      DEVICE_CAPS.replace(/ /g, ''),
    );
    const buffer = proxyControl.cids.configuration.set.encode({ devicePath: '/dev/null', timeout: 30 });
    expect(toHex(encodeMessage({ type: 'command', transactionId: 1, service: proxyControl.uuid, cid: 1, commandType: 1, buffer }), '')).toBe(PROXY_CONFIG.replace(/ /g, ''));
    const back = decodeMessage(hex(PROXY_CONFIG));
    expect(back.ok && back.value.type === 'command' && decodeBuffer(proxyControl.cids.configuration.set, back.value.buffer)).toEqual({
      ok: true,
      value: { devicePath: '/dev/null', timeout: 30 },
    });
  });

  it('rejects lying lengths and fragment numbers with field and offset', () => {
    const long = hex(DEVICE_CAPS);
    long[4] = 0x31;
    const a = decodeMessage(long);
    expect(!a.ok && [a.error.field, a.error.offset]).toEqual(['header.length', 4]);
    const buf = hex(DEVICE_CAPS);
    buf[44] = 4;
    const b = decodeMessage(buf);
    expect(!b.ok && [b.error.field, b.error.offset]).toEqual(['bufferLength', 44]);
    const frag = hex(DEVICE_CAPS);
    frag[16] = 1;
    const c = decodeMessage(frag);
    expect(!c.ok && c.error.field).toBe('fragment.current');
  });

  it('splits to the max transfer and reassembles, whatever the size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 64, max: 1024 }), (buffer, max) => {
        const m = { type: 'commandDone' as const, transactionId: 7, service: basicConnect.uuid, cid: 15, status: 0, buffer };
        const frags = encodeFragments(m, max);
        expect(frags.every((f) => f.length <= max)).toBe(true);
        const r = new Reassembler();
        let out;
        for (const f of frags) {
          const d = decodeFragment(f);
          if (!d.ok || !('fragment' in d.value)) throw new Error('bad fragment');
          out = r.push(d.value.fragment, 0);
        }
        expect(out).toEqual({ kind: 'message', message: m });
      }),
      runs,
    );
  });

  it('writes the header in front of a just-encoded buffer once, and copies for any other wrapping', () => {
    const layout = basicConnect.cids.ipConfiguration.response;
    const value = {
      sessionId: 0, ipv4ConfigurationAvailable: 15, ipv6ConfigurationAvailable: 15, ipv4Address: [{ onLinkPrefixLength: 30, address: '10.64.12.2' }],
      ipv6Address: [], ipv4Gateway: '10.64.12.1', ipv6Gateway: undefined, ipv4DnsServer: ['10.1.1.1'], ipv6DnsServer: ['2001:db8::53'], ipv4Mtu: 1500, ipv6Mtu: 0,
    };
    const buffer = layout.encode(value);
    const head = { service: basicConnect.uuid, cid: 15, buffer };
    // A notification sent to two hosts: the second wrapping must not rewrite the first message's header.
    const first = encodeMessage({ type: 'indicateStatus', transactionId: 0, ...head });
    const second = encodeMessage({ type: 'commandDone', transactionId: 5, status: 0, ...head });
    const inPlace = (m: Uint8Array, b: Uint8Array): boolean => m.buffer === b.buffer && m.byteOffset + m.length - b.length === b.byteOffset;
    expect(inPlace(first, buffer)).toBe(true);
    expect(inPlace(second, buffer)).toBe(false);
    const a = decodeMessage(first);
    const b = decodeMessage(second);
    expect(a.ok && a.value).toMatchObject({ type: 'indicateStatus', transactionId: 0, cid: 15 });
    expect(b.ok && b.value).toMatchObject({ type: 'commandDone', transactionId: 5, cid: 15, status: 0 });
    for (const m of [a, b]) expect(m.ok && 'buffer' in m.value && decodeBuffer(layout, m.value.buffer)).toEqual({ ok: true, value: value });
    // An older buffer, a split one and a bad service take the copying path and leave the bytes as they were.
    const older = layout.encode(value);
    layout.encode(value);
    expect(inPlace(encodeMessage({ type: 'commandDone', transactionId: 6, status: 0, service: basicConnect.uuid, cid: 15, buffer: older }), older)).toBe(false);
    const split = layout.encode(value);
    expect(encodeFragments({ type: 'commandDone', transactionId: 7, status: 0, service: basicConnect.uuid, cid: 15, buffer: split }, 64).length).toBeGreaterThan(1);
    expect(() => encodeMessage({ type: 'command', transactionId: 8, commandType: 0, service: 'not-a-uuid', cid: 1, buffer: layout.encode(value) })).toThrow(/not a UUID/);
    expect(toHex(encodeMessage({ type: 'command', transactionId: 2, service: basicConnect.uuid, cid: 1, commandType: 0, buffer: new Uint8Array(0) }), '')).toBe(
      DEVICE_CAPS.replace(/ /g, ''),
    );
  });
});

function fragmentsOf(bufferLength: number, max: number, tid = 9): MbimFragment[] {
  const m = { type: 'indicateStatus' as const, transactionId: tid, service: basicConnect.uuid, cid: 11, buffer: new Uint8Array(bufferLength).fill(1) };
  return encodeFragments(m, max).map((f) => {
    const d = decodeFragment(f);
    if (!d.ok || !('fragment' in d.value)) throw new Error('bad fragment');
    return d.value.fragment;
  });
}

describe('fragment reassembly', () => {
  const four = fragmentsOf(290, 100);
  it('splits 290 bytes into 4 fragments of at most 100', () => expect(four.map((f) => f.length)).toEqual([100, 100, 100, 94]));
  it('reports out-of-order, missing, duplicated and foreign fragments as FragmentOutOfSequence', () => {
    for (const order of [[0, 2], [0, 1, 1], [1], [0, 1, 3]]) {
      const r = new Reassembler();
      const results = order.map((i) => r.push(four[i]!, 0));
      expect(results.at(-1)).toMatchObject({ kind: 'error', error: MbimProtocolError.FragmentOutOfSequence, transactionId: 9 });
    }
    const r = new Reassembler();
    r.push(four[0]!, 0);
    expect(r.push(fragmentsOf(300, 100, 10)[1]!, 0)).toMatchObject({ kind: 'error', error: MbimProtocolError.FragmentOutOfSequence });
  });

  it('reports a pause longer than 1250 ms as TimeoutFragment', () => {
    const r = new Reassembler();
    r.push(four[0]!, 0);
    expect(r.push(four[1]!, 1000)).toEqual({ kind: 'pending' });
    expect(r.expire(2000)).toBeNull();
    expect(r.expire(2251)).toMatchObject({ kind: 'error', error: MbimProtocolError.TimeoutFragment });
  });

  it('reports fragments carrying more or fewer bytes than announced as LengthMismatch', () => {
    const r = new Reassembler();
    const big = { ...four[1]!, data: new Uint8Array(400) };
    r.push(four[0]!, 0);
    expect(r.push(big, 0)).toMatchObject({ kind: 'error', error: MbimProtocolError.LengthMismatch });
    const short = { ...four[3]!, data: new Uint8Array(1) };
    for (const f of four.slice(0, 3)) r.push(f, 0);
    expect(r.push(short, 0)).toMatchObject({ kind: 'error', error: MbimProtocolError.LengthMismatch });
    const huge = { ...four[0]!, first: { ...four[0]!.first!, bufferLength: 1 << 30 } };
    expect(r.push(huge, 0)).toMatchObject({ kind: 'error', error: MbimProtocolError.LengthMismatch });
  });

  it('never throws and never yields a wrong message from shuffled, duplicated or dropped fragments', () => {
    const pool = [...four, ...fragmentsOf(120, 64, 3)];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 12 }), (picks) => {
        const r = new Reassembler();
        for (const i of picks) {
          const out = r.push(pool[i]!, 0);
          if (out.kind === 'message' && out.message.type === 'indicateStatus') {
            expect(out.message.buffer.length).toBe(out.message.transactionId === 9 ? 290 : 120);
          }
        }
      }),
      runs,
    );
  });
});

describe('stream framer', () => {
  const messages = [hex(OPEN), hex(DEVICE_CAPS), hex(PROXY_CONFIG)];
  const stream = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
  messages.reduce((at, m) => (stream.set(m, at), at + m.length), 0);

  it('finds every message however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 8 }), (cuts) => {
        const got: string[] = [];
        const f = new MbimFramer({ message: (b) => got.push(toHex(b)) });
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let prev = 0;
        for (const p of [...points, stream.length]) {
          f.push(stream.subarray(prev, p));
          prev = p;
        }
        expect(got).toEqual(messages.map((m) => toHex(m)));
      }),
      runs,
    );
  });

  it('skips garbage and lying headers, then resynchronises', () => {
    const got: Uint8Array[] = [];
    let dropped = 0;
    const f = new MbimFramer({ message: (b) => got.push(b), drop: (_r, n) => (dropped += n) });
    f.push(hex('ff ee 00 01 00 00 00 ff ff ff ff 09'));
    f.push(hex(OPEN));
    expect(got.map((b) => toHex(b))).toEqual([toHex(hex(OPEN))]);
    expect(dropped).toBe(12);
  });

  it('never throws on arbitrary bytes and only yields messages that decode or fail with a value', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...messages)), { maxLength: 8 }), (chunks) => {
        const f = new MbimFramer({
          message: (b) => {
            const d = decodeFragment(b);
            expect(typeof d.ok).toBe('boolean');
            describeMbim(b);
          },
        });
        for (const c of chunks) f.push(c);
      }),
      runs,
    );
  });
});

describe('declared layouts', () => {
  const layouts = services.flatMap((s) =>
    Object.values(s.cids).flatMap((c) =>
      (['query', 'set', 'response', 'notification'] as const).flatMap((k) => (c[k] ? [[`${s.name}.${c.name}.${k}`, c[k]] as const] : [])),
    ),
  );

  it.each(layouts)('%s never throws on arbitrary or corrupted buffers', (_name, layout) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), (bytes) => {
        const d = decodeBuffer(layout, bytes);
        if (!d.ok) expect(d.error.offset).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 100 },
    );
  });

  it('lays out MS UICC byte arrays size first, application names as UTF-8, and round-trips them', () => {
    const open = msUiccLowLevelAccess.cids.openChannel;
    const aid = Uint8Array.of(0xa0, 0, 0, 5, 0x59);
    const set = open.set.encode({ appId: aid, selectP2Arg: 4, channelGroup: 1 });
    const view = new DataView(set.buffer, set.byteOffset);
    // {size, offset}: 5 bytes at offset 16, after the four u32 slots.
    expect([view.getUint32(0, true), view.getUint32(4, true), set.length]).toEqual([5, 16, 24]);
    const back = decodeBuffer(open.set, set);
    expect(back.ok && Buffer.from(back.value.appId).toString('hex')).toBe('a000000559');
    const list = msUiccLowLevelAccess.cids.applicationList.response;
    const app = { applicationType: 4, applicationId: aid, applicationName: 'USIM é', pinKeyReferenceCount: 1, pinKeyReferences: Uint8Array.of(1) };
    const bytes = list.encode({ version: 1, activeApplicationIndex: 0, applicationListSizeBytes: 0, applications: [app] });
    expect(Buffer.from(bytes).includes(Buffer.from('USIM é', 'utf8'))).toBe(true);
    const d = decodeBuffer(list, bytes);
    expect(d.ok && d.value.applications[0]!.applicationName).toBe('USIM é');
    expect(d.ok && Buffer.from(d.value.applications[0]!.applicationId).toString('hex')).toBe('a000000559');
    const lying = set.slice();
    lying[0] = 200;
    const e = decodeBuffer(open.set, lying);
    expect(!e.ok && [e.error.code, e.error.field]).toEqual(['truncated', 'appId']);
  });

  it('keeps the local PIN of a UICC Read Binary out of traces', () => {
    const rb = msUiccLowLevelAccess.cids.readBinary;
    const query = { version: 1, applicationId: Uint8Array.of(0xa0), filePath: Uint8Array.of(0x7f, 0xff, 0x6f, 0x07), readOffset: 0, readSize: 9, localPin: '4711', data: new Uint8Array(0) };
    const msg = encodeMessage({ type: 'command', transactionId: 9, service: msUiccLowLevelAccess.uuid, cid: rb.id, commandType: 0, buffer: rb.query.encode(query) });
    const pin = Buffer.from('4711', 'utf16le');
    expect(Buffer.from(msg).includes(pin)).toBe(true);
    const received = Buffer.from(msg); // as a socket delivers it
    const red = redactMbim(received);
    expect(Buffer.from(red).includes(pin)).toBe(false);
    expect(received.includes(pin)).toBe(true); // masked in a copy
    const back = decodeMessage(red);
    const v = back.ok && back.value.type === 'command' && decodeBuffer(rb.query, back.value.buffer);
    expect(v && v.ok && [v.value.localPin, v.value.readSize]).toEqual(['****', 9]);
    expect(JSON.stringify(describeMbim(msg, { redact: true }))).not.toContain('4711');
    // A secret-bearing command whose buffer does not decode is dropped, not shown.
    const bad = rb.query.encode(query);
    bad[28] = 0xff; // the local PIN's offset, now past the end
    expect(redactMbim(encodeMessage({ type: 'command', transactionId: 9, service: msUiccLowLevelAccess.uuid, cid: rb.id, commandType: 0, buffer: bad })).length).toBe(0);
  });

  it('masks passwords inside struct arrays (LTE attach configurations) and in provisioned contexts v2', () => {
    const lte = msBasicConnectExtensions.cids.lteAttachConfiguration;
    const conf = { ipType: 3, roaming: 0, source: 1, accessString: 'apn', userName: 'u', password: 'hunter22', compression: 0, authProtocol: 1 };
    const buffer = lte.set.encode({ operation: 0, configurations: [conf, { ...conf, password: 'swordfish' }] });
    const msg = encodeMessage({ type: 'command', transactionId: 3, service: msBasicConnectExtensions.uuid, cid: lte.id, commandType: 1, buffer });
    const red = redactMbim(msg);
    const back = decodeMessage(red);
    const v = back.ok && back.value.type === 'command' && decodeBuffer(lte.set, back.value.buffer);
    expect(v && v.ok && v.value.configurations.map((c) => [c.password, c.accessString])).toEqual([['********', 'apn'], ['*********', 'apn']]);
    expect(Buffer.from(msg).includes(Buffer.from('hunter22', 'utf16le'))).toBe(true); // masked in a copy
    const pc = msBasicConnectExtensions.cids.provisionedContexts;
    const set = pc.set.encode({ operation: 0, contextType: basicConnect.uuid, ipType: 1, state: 1, roaming: 6, mediaType: 0, source: 1, accessString: 'a', userName: 'b', password: 'pw12', compression: 0, authProtocol: 1 });
    const redPc = redactMbim(encodeMessage({ type: 'command', transactionId: 4, service: msBasicConnectExtensions.uuid, cid: pc.id, commandType: 1, buffer: set }));
    expect(Buffer.from(redPc).includes(Buffer.from('pw12', 'utf16le'))).toBe(false);
  });

  it('lays out an ms-struct-array element by element, each with its strings (libmbim 1.30), and an ms-struct by reference', () => {
    const bsi = msBasicConnectExtensions.cids.baseStationsInfo.response;
    const lte = (providerId: string, cellId: number) => ({ providerId, cellId, earfcn: 1, physicalCellId: 2, tac: 3, rsrp: -95, rsrq: -9 });
    const none = { gsmNeighboringCells: [], umtsNeighboringCells: [], tdscdmaNeighboringCells: [], cdmaCells: [] };
    const value = { systemType: 32, gsmServingCell: undefined, umtsServingCell: undefined, tdscdmaServingCell: undefined, lteServingCell: undefined, ...none, lteNeighboringCells: [lte('001', 7), lte('00102', 8)] };
    const b = bsi.encode(value);
    // Fixed part: system type, 4 ms-structs and 5 ms-struct-arrays of {offset, size}.
    const view = new DataView(b.buffer, b.byteOffset, b.length);
    const [at, size] = [view.getUint32(4 + 4 * 8 + 3 * 8, true), view.getUint32(4 + 4 * 8 + 3 * 8 + 4, true)];
    expect(at).toBe(76);
    expect(view.getUint32(at, true)).toBe(2);
    // Element 1: 32 fixed bytes, then '001' (6 bytes, padded to 8); element 2 right after it.
    expect(view.getUint32(at + 4, true)).toBe(32);
    expect(view.getUint32(at + 8, true)).toBe(6);
    expect(view.getUint32(at + 4 + 40 + 8, true)).toBe(8); // element 2 starts after element 1 and its string
    expect(size).toBe(4 + 40 + 32 + 12);
    expect(decodeBuffer(bsi, b)).toEqual({ ok: true, value });
    // A count that outruns the block is an error, not a loop.
    view.setUint32(at, 1000, true);
    const bad = decodeBuffer(bsi, b);
    expect(!bad.ok && bad.error.code).toBe('length');
  });

  it('catches offsets past the end, counts that lie and odd string sizes', () => {
    const caps = basicConnect.cids.deviceCaps.response;
    const good = caps.encode({
      deviceType: 1, cellularClass: 1, voiceClass: 1, simClass: 2, dataClass: 32, smsCaps: 0, controlCaps: 0, maxSessions: 1,
      customDataClass: '', deviceId: '1234', firmwareInfo: 'fw', hardwareInfo: 'hw',
    });
    const past = good.slice();
    past[40] = 0xf0;
    const a = decodeBuffer(caps, past);
    expect(!a.ok && [a.error.code, a.error.field, a.error.offset]).toEqual(['truncated', 'deviceId', 40]);
    const odd = good.slice();
    odd[44] = 7;
    const b = decodeBuffer(caps, odd);
    expect(b.ok && b.value.deviceId).toBe('123');
    const srs = basicConnect.cids.subscriberReadyStatus.response;
    const lying = srs.encode({ readyState: 1, subscriberId: '', simIccId: '', readyInfo: 0, telephoneNumbers: ['1'] });
    lying[24] = 200;
    const c = decodeBuffer(srs, lying);
    expect(!c.ok && [c.error.code, c.error.field]).toEqual(['length', 'telephoneNumbers']);
  });

  it('round-trips IP configuration and keeps unknown services as raw bytes in describe()', () => {
    const ip = basicConnect.cids.ipConfiguration.response;
    const v = {
      sessionId: 1, ipv4ConfigurationAvailable: 15, ipv6ConfigurationAvailable: 3,
      ipv4Address: [{ onLinkPrefixLength: 24, address: '10.0.0.2' }], ipv6Address: [{ onLinkPrefixLength: 64, address: '2001:db8::2' }],
      ipv4Gateway: '10.0.0.1', ipv6Gateway: '2001:db8::1', ipv4DnsServer: ['8.8.8.8'], ipv6DnsServer: [], ipv4Mtu: 1500, ipv6Mtu: 0,
    };
    expect(decodeBuffer(ip, ip.encode(v))).toEqual({ ok: true, value: v });
    const unknown = encodeMessage({ type: 'command', transactionId: 4, service: '01234567-89ab-cdef-0123-456789abcdef', cid: 3, commandType: 1, buffer: hex('deadbeef') });
    expect(describeMbim(unknown)).toMatchObject({ type: 'command', service: { name: null }, cid: { id: 3, name: null }, buffer: 'deadbeef', errors: [] });
  });

  it('describe() names everything and masks secrets when asked', () => {
    const set = basicConnect.cids.pin.set.encode({ pinType: 2, pinOperation: 0, pin: '1234', newPin: '' });
    const m = encodeMessage({ type: 'command', transactionId: 2, service: basicConnect.uuid, cid: 4, commandType: 1, buffer: set });
    expect(describeMbim(m)).toMatchObject({ service: { name: 'basic-connect' }, cid: { name: 'pin' }, commandType: 'set', fields: { pinType: 'pin1', pin: '1234' } });
    expect(JSON.stringify(describeMbim(m, { redact: true }))).not.toContain('1234');
    const bad = m.slice(0, 30);
    expect(describeMbim(bad).errors[0]).toMatchObject({ field: 'header.length', offset: 4 });
  });
});
