import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QRTR_CONTROL, QRTR_CTRL_PKT_SIZE, decodeQrtrControl, encodeQrtrControl, qmiServiceInstance, splitQmiServiceInstance, type QrtrControl, type QrtrControlName } from '../../src/qrtr/control.js';
import { qmuxFromQrtr, qrtrFromQmux } from '../../src/qmi/qrtr-message.js';
import { encodeQmux } from '../../src/qmi/qmux.js';
import { toHex } from '../../src/wire/hex.js';
import { parseQrtrPath } from '../../src/transport/qrtr-qmux.js';
import type { QrtrServer } from '../../src/transport/qrtr.js';
import { discoverQrtr } from '../../src/daemon/discover.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const packet: fc.Arbitrary<QrtrControl> = fc.constantFrom(...(Object.keys(QRTR_CONTROL) as QrtrControlName[])).chain((type) =>
  fc.tuple(u32, u32, u32, u32).map(([a, b, c, d]) => {
    const values = [a, b, c, d];
    return Object.fromEntries([['type', type], ...QRTR_CONTROL[type].fields.map((f, i) => [f, values[i]])]) as QrtrControl;
  }),
);

describe('QRTR control packets', () => {
  it('lay out as struct qrtr_ctrl_pkt: NEW_SERVER and DEL_CLIENT, little-endian, always 20 bytes', () => {
    expect(toHex(encodeQrtrControl({ type: 'newServer', service: 1, instance: qmiServiceInstance(1, 0), node: 1, port: 0x4000 }), '')).toBe('04000000' + '01000000' + '01000000' + '01000000' + '00400000');
    expect(toHex(encodeQrtrControl({ type: 'delClient', node: 7, port: 0xfffffffe }), '')).toBe('06000000' + '07000000' + 'feffffff' + '0000000000000000');
    expect(toHex(encodeQrtrControl({ type: 'newLookup', service: 0, instance: 0 }), '')).toBe('0a000000' + '00'.repeat(16));
    expect(encodeQrtrControl({ type: 'bye' })).toHaveLength(QRTR_CTRL_PKT_SIZE);
  });

  it('reject short packets and unknown commands with a typed error', () => {
    const short = decodeQrtrControl(new Uint8Array([4, 0, 0]));
    expect(short.ok || short.error.code).toBe('truncated');
    const unknown = decodeQrtrControl(new Uint8Array([0x63, 0, 0, 0]));
    expect(unknown.ok || unknown.error.message).toMatch(/unknown QRTR control command 99/);
    const cut = decodeQrtrControl(encodeQrtrControl({ type: 'newServer', service: 15, instance: 1, node: 1, port: 2 }).subarray(0, 13));
    expect(cut.ok || cut.error.field).toBe('newServer.node');
  });

  it('round-trip every command (fuzzed)', () => {
    fc.assert(fc.property(packet, (p) => void expect(decodeQrtrControl(encodeQrtrControl(p))).toEqual({ ok: true, value: p })), { numRuns: 300 });
  });

  it('never throw on arbitrary bytes (fuzzed)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => void decodeQrtrControl(b)), { numRuns: 500 });
  });

  it('QMI service instance: version in the low byte, instance above it', () => {
    expect(qmiServiceInstance(1, 0)).toBe(1);
    expect(qmiServiceInstance(2, 3)).toBe(0x302);
    expect(splitQmiServiceInstance(0x302)).toEqual({ version: 2, instance: 3 });
  });
});

describe('QMI messages over QRTR', () => {
  it('a QRTR payload becomes the QMUX frame of its service and client, and back', () => {
    const qmux = encodeQmux({ service: 2, clientId: 5, type: 'response', transaction: 0x1234, messageId: 0x0025, tlvs: new Uint8Array([2, 4, 0, 0, 0, 0, 0]), controlFlags: 0x80 });
    const payload = qrtrFromQmux(qmux);
    expect(toHex(payload, '')).toBe('02' + '3412' + '2500' + '0700' + '02040000000000');
    const back = qmuxFromQrtr(2, 5, payload, true);
    expect(back.ok && toHex(back.value.bytes, '')).toBe(toHex(qmux, ''));
    expect(back.ok && back.value.frame.type).toBe('response');
  });

  it('a payload whose TLV length lies, or a service QMUX cannot carry, is a typed error (fuzzed: never throws)', () => {
    const r = qmuxFromQrtr(2, 1, new Uint8Array([0, 1, 0, 0x25, 0, 9, 0]), false);
    expect(r.ok || r.error.code).toBe('length');
    const big = qmuxFromQrtr(0x1234, 1, new Uint8Array(7), false);
    expect(big.ok || big.error.message).toMatch(/service 4660 cannot be carried/);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x1ffff }), fc.uint8Array({ maxLength: 60 }), fc.boolean(), (s, b, m) => void qmuxFromQrtr(s, 1, b, m)), { numRuns: 500 });
  });
});

describe('QRTR device paths and discovery', () => {
  it('qrtr://N names node N; anything else is refused', () => {
    expect(parseQrtrPath('qrtr://0')).toBe(0);
    expect(parseQrtrPath('qrtr://4294967295')).toBe(0xffffffff);
    for (const bad of ['qrtr://', 'qrtr://-1', 'qrtr://4294967296', 'qrtr://1/2', 'qrtr:1', '/dev/cdc-wdm0']) expect(parseQrtrPath(bad), bad).toBeUndefined();
  });

  it('a node is a modem when it publishes DMS; other nodes and services are not modems', () => {
    const server = (node: number, service: number): QrtrServer => ({ node, port: 0x4000 + service, service, instance: qmiServiceInstance(1, 0) });
    const kernel = { driver: 'ipa', netdev: '', sysfs: '/nonexistent' };
    expect(discoverQrtr([server(5, 2), server(5, 1), server(1, 2), server(7, 1), server(9, 0x42)], '/nonexistent')).toEqual([
      { id: 'qrtr1', control: 'qmi', port: 'qrtr://1', kernel },
      { id: 'qrtr5', control: 'qmi', port: 'qrtr://5', kernel },
    ]);
  });
});
