import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeQmux } from '../../src/qmi/describe.js';
import { fromHex } from '../../src/wire/hex.js';
import { WWAN } from '../support/capture.js';

const run = promisify(execFile);

describe('describeQmux', () => {
  it('names the service, message and each TLV of a request qmicli sends', () => {
    const d = describeQmux(fromHex('01 1b 00 00 01 07 00 01 00 20 00 0f 00 19 01 00 04 14 08 00 69 6e 74 65 72 6e 65 74')!);
    expect(d).toMatchObject({ service: { id: 1, name: 'wds' }, clientId: 7, type: 'request', transaction: 1, message: { id: 0x20, name: 'startNetwork' }, errors: [] });
    expect(d.tlvs.map((t) => [t.type, t.name, t.value, t.offset])).toEqual([
      [0x19, 'ipFamilyPreference', 'ipv4', 13],
      [0x14, 'apn', 'internet', 17],
    ]);
  });

  it('decodes a failure response with its named error and the TLVs that explain it', () => {
    // WDS Start Network response: CallFailed, call-end reason 1, verbose (3gpp, unknown-apn).
    const d = describeQmux(fromHex('01 1f 00 80 01 01 02 01 00 20 00 13 00 02 04 00 01 00 0e 00 10 02 00 01 00 11 04 00 06 00 1b 00')!);
    expect(d.result).toEqual({ status: 'failure', error: 14, errorName: 'CallFailed' });
    expect(d.tlvs.find((t) => t.type === 0x11)?.value).toEqual({ type: '3gpp', reason: 27 });
    expect(d.errors).toEqual([]); // the mandatory handle is not owed on failure
  });

  it('reports problems with their offsets: a lying length, a truncated TLV, a missing mandatory TLV', () => {
    expect(describeQmux(fromHex('01 13 00 80 02 01 02 01 00 25 00 07 00 02 04 00 01 00 47')!).errors[0]).toMatchObject({ offset: 1, field: 'length' });
    const truncated = describeQmux(fromHex('01 10 00 80 02 01 02 01 00 25 00 04 00 02 09 00 00')!);
    expect(truncated.errors[0]?.offset).toBe(13);
    const missing = describeQmux(fromHex('01 13 00 80 01 01 02 01 00 20 00 07 00 02 04 00 00 00 00 00')!);
    expect(missing.errors.map((e) => e.field)).toContain('packetDataHandle');
  });

  it('never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const d = describeQmux(b);
        expect(Array.isArray(d.errors)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('wwan decode --as qmux prints the JSON and exits 2 when the bytes have problems', async () => {
    const { stdout } = await run(process.execPath, [WWAN, 'decode', '--as', 'qmux', '--hex', '01 0c 00 00 02 07 00 01 00 25 00 00 00']);
    expect(JSON.parse(stdout)).toMatchObject({ service: { name: 'dms' }, message: { name: 'getIds' }, errors: [] });
    const bad = await run(process.execPath, [WWAN, 'decode', '--as', 'qmux', '--hex', '01 ff 00']).catch((e: { code: number; stdout: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect(JSON.parse((bad as { stdout: string }).stdout).errors[0].field).toBe('length');
  });
});

describe('redactQmux', () => {
  it('overwrites the password of a Start Network request and the PIN of Verify PIN, nothing else', async () => {
    const { encodeQmux } = await import('../../src/qmi/qmux.js');
    const { encodeTlvs } = await import('../../src/qmi/codec.js');
    const { wds } = await import('../../src/qmi/services/wds.js');
    const { uim } = await import('../../src/qmi/services/uim.js');
    const { redactQmux } = await import('../../src/qmi/redact.js');
    const start = encodeQmux({ service: 1, clientId: 1, type: 'request', transaction: 1, messageId: 0x20, tlvs: encodeTlvs(wds.messages.startNetwork.request, { apn: 'internet', username: 'bob', password: 'hunter2' }) });
    const red = redactQmux(start);
    expect(Buffer.from(red).toString('latin1')).not.toContain('hunter2');
    expect(Buffer.from(red).toString('latin1')).toContain('*******');
    expect(Buffer.from(red).toString('latin1')).toContain('internet');
    expect(Buffer.from(start).toString('latin1')).toContain('hunter2'); // the original is untouched
    const pin = encodeQmux({ service: 0x0b, clientId: 1, type: 'request', transaction: 2, messageId: 0x26, tlvs: encodeTlvs(uim.messages.verifyPin.request, { session: { sessionType: 0, applicationIdentifier: [] }, info: { pinId: 1, pinValue: '4321' } }) });
    expect(Buffer.from(redactQmux(pin)).toString('latin1')).not.toContain('4321');
    // A Buffer (as sockets deliver frames) stays untouched too: Buffer#slice() would be a view.
    const received = Buffer.from(pin);
    expect(Buffer.from(redactQmux(received)).toString('latin1')).not.toContain('4321');
    expect(received.toString('latin1')).toContain('4321');
    const plain = encodeQmux({ service: 2, clientId: 1, type: 'request', transaction: 3, messageId: 0x25, tlvs: new Uint8Array() });
    expect(redactQmux(plain)).toBe(plain);
  });
});
