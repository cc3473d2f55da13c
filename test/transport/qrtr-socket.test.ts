/**
 * QrtrSocket and QrtrLookup when the kernel side misbehaves: receive errors, poll errors, malformed
 * control packets, a name service that never answers. This kernel has no QRTR (test/vm/qrtr.test.ts
 * runs the real one), so the addon's four QRTR calls are a stand-in that feeds datagrams and errors;
 * the file descriptor is a real one, to check it is closed.
 */
import fc from 'fast-check';
import { fstatSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QRTR_PORT_CTRL, encodeQrtrControl } from '../../src/qrtr/control.js';
import { QrtrError, QrtrLookup, QrtrLookupTimeoutError, QrtrSocket, type QrtrNative } from '../../src/transport/qrtr.js';
import type { ReadableWatch } from '../../src/native/index.js';

const ENETRESET = 102;
const NODE = 1;

type Queued = { node: number; port: number; data: Buffer } | Error;

/** The addon's QRTR calls over a queue: each wake-up of the watch delivers what is queued. */
function fakeKernel() {
  const queue: Queued[] = [];
  const sent: { node: number; port: number; bytes: Uint8Array }[] = [];
  let callback: ((status: number, events: number) => void) | undefined;
  let unwatched = 0;
  let fd = -1;
  const io: QrtrNative = {
    qrtrOpen: () => ({ fd: (fd = openSync('/dev/null', 'r')), node: NODE, port: 0x4000 }),
    qrtrSend: (_fd, node, port, bytes) => (sent.push({ node, port, bytes }), bytes.length),
    qrtrRecv: () => {
      const m = queue.shift();
      if (m instanceof Error) throw m;
      return m ?? null;
    },
    watchReadable: (_fd, cb) => ((callback = cb), {} as ReadableWatch),
    unwatch: () => void unwatched++,
  };
  const errno = (code: number, message: string): Error => Object.assign(new Error(message), { errno: code });
  return {
    io,
    sent,
    queue,
    wake: (status = 0) => callback?.(status, 1),
    errno,
    get unwatched() {
      return unwatched;
    },
    fdOpen: () => {
      try {
        fstatSync(fd);
        return true;
      } catch {
        return false;
      }
    },
  };
}

const control = (bytes: Uint8Array) => ({ node: NODE, port: QRTR_PORT_CTRL, data: Buffer.from(bytes) });

describe('QrtrSocket', () => {
  it('a recvfrom error closes the socket, counted and reported once as a typed error with its errno', () => {
    const k = fakeKernel();
    const s = QrtrSocket.open(k.io);
    const errors: QrtrError[] = [];
    const data: Uint8Array[] = [];
    s.onError((e) => errors.push(e));
    s.onData((_from, d) => data.push(d));
    k.queue.push({ node: 5, port: 7, data: Buffer.from([1, 2]) }, k.errno(ENETRESET, 'recvfrom(AF_QIPCRTR): Network dropped connection on reset'), { node: 5, port: 7, data: Buffer.from([3]) });
    expect(() => k.wake()).not.toThrow();
    // What came before the error was delivered; nothing after it is read.
    expect(data).toEqual([Buffer.from([1, 2])]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QrtrError);
    expect(errors[0]!.errno).toBe(ENETRESET);
    expect(errors[0]!.message).toBe('QRTR socket 1:16384: recvfrom(AF_QIPCRTR): Network dropped connection on reset');
    expect(s.stats.recvErrors).toBe(1);
    expect(s.closed).toBe(true);
    expect(k.unwatched).toBe(1);
    expect(k.fdOpen()).toBe(false);
    expect(() => s.send({ node: 5, port: 7 }, new Uint8Array([1]))).toThrow(QrtrError);
    // A late wake-up of the (already stopped) watch does nothing.
    k.wake();
    expect(errors).toHaveLength(1);
    s.close();
    expect(k.unwatched).toBe(1);
  });

  it('a poll error closes the socket the same way', () => {
    const k = fakeKernel();
    const s = QrtrSocket.open(k.io);
    const errors: QrtrError[] = [];
    s.onError((e) => errors.push(e));
    k.wake(-9);
    expect(errors.map((e) => e.message)).toEqual(['QRTR socket 1:16384: poll failed (libuv status -9)']);
    expect(s.closed).toBe(true);
    expect(k.fdOpen()).toBe(false);
  });

  it('malformed control packets are counted and dropped, whatever their bytes; good ones still arrive', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (garbage) => {
        const k = fakeKernel();
        const s = QrtrSocket.open(k.io);
        const seen: string[] = [];
        s.onControl((p) => seen.push(p.type));
        for (const g of garbage) k.queue.push(control(g));
        k.queue.push(control(encodeQrtrControl({ type: 'bye' })));
        k.wake();
        expect(s.closed).toBe(false);
        expect(seen.at(-1)).toBe('bye');
        expect(s.stats.badControl + seen.length).toBe(garbage.length + 1);
        s.close();
        expect(k.fdOpen()).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('QrtrLookup', () => {
  it('a name service that never answers: ready rejects with a typed timeout, closing leaves nothing open', async () => {
    const k = fakeKernel();
    const lookup = new QrtrLookup({ service: 2, timeoutMs: 50 }, k.io);
    expect(k.sent.map((m) => m.port)).toEqual([QRTR_PORT_CTRL]);
    await expect(lookup.ready).rejects.toThrow(QrtrLookupTimeoutError);
    await expect(lookup.ready).rejects.toThrow('the QRTR name service did not answer a lookup of service 2 within 0.05 s');
    lookup.close();
    expect(k.fdOpen()).toBe(false);
  });

  it('its socket failing mid-lookup rejects ready with that error and tells the listeners', async () => {
    const k = fakeKernel();
    const lookup = new QrtrLookup({ timeoutMs: 60_000 }, k.io);
    const errors: Error[] = [];
    lookup.onError((e) => errors.push(e));
    k.queue.push(control(encodeQrtrControl({ type: 'newServer', service: 2, instance: 1, node: 3, port: 9 })), k.errno(ENETRESET, 'reset'));
    k.wake();
    await expect(lookup.ready).rejects.toThrow('QRTR socket 1:16384: reset');
    expect(errors).toHaveLength(1);
    expect(lookup.servers.size).toBe(1);
    expect(k.fdOpen()).toBe(false);
    // Closing after the failure is harmless.
    lookup.close();
    expect(k.unwatched).toBe(1);
  });
});
