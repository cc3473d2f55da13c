import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../../src/transport/memory.js';
import { qmuxPort } from '../../src/qmi/port.js';
import {
  QmiClosedError,
  QmiDevice,
  QmiResponseError,
  QmiServiceUnsupportedError,
  QmiTimeoutError,
  QmiUnexpectedResponseError,
} from '../../src/qmi/client.js';
import { QmiProtocolErrorResponse } from '../../src/qmi/errors.js';
import { QmiDeviceEndpoint, REQUESTS_KEPT } from '../../src/sim/qmi-endpoint.js';
import { decodeQmux, encodeQmux, QMI_CID_BROADCAST } from '../../src/qmi/qmux.js';
import { encodeTlvs } from '../../src/qmi/codec.js';
import { ctl } from '../../src/qmi/services/ctl.js';
import { indication, message, optional, required, service, string, u16, u32 } from '../../src/qmi/schema.js';
import type { Transport } from '../../src/transport/types.js';

// A small service declared in the test, so the client is tested independently of the real ones.
const echo = service(
  'echo',
  0x42,
  {
    say: message(0x0001, { text: required(0x01, string) }, { text: required(0x01, string), count: optional(0x10, u32) }),
    silent: message(0x0002, {}, {}),
  },
  { tick: indication(0x0003, { n: required(0x01, u16) }) },
);

let open: { dev?: QmiDevice; transports: Transport[] }[] = [];
afterEach(async () => {
  for (const o of open) {
    await o.dev?.close();
    for (const t of o.transports) await t.close();
  }
  open = [];
});

function setup(opts: { timeoutMs?: number } = {}) {
  const [host, modem] = memoryPair('test');
  const endpoint = new QmiDeviceEndpoint(qmuxPort(modem), { versions: new Map([[0, [1, 5]], [0x42, [1, 0]]]) });
  let count = 0;
  endpoint.handle(echo.messages.say, (v) => ({ text: v.text, count: ++count }));
  const dev = new QmiDevice(qmuxPort(host), { timeoutMs: opts.timeoutMs ?? 2000 });
  open.push({ dev, transports: [host, modem] });
  return { dev, endpoint, host, modem };
}

describe('QmiDevice and QmiClient', () => {
  it('allocates a client id, matches transactions, and releases the id', async () => {
    const { dev, endpoint } = setup();
    const c = await dev.allocateClient(echo);
    expect(c.cid).toBe(1);
    expect(endpoint.clientsOf(0x42)).toEqual([1]);
    const [a, b] = await Promise.all([c.request(echo.messages.say, { text: 'one' }), c.request(echo.messages.say, { text: 'two' })]);
    expect(a.text).toBe('one');
    expect(b.text).toBe('two');
    expect(endpoint.requests.map((f) => f.transaction)).toEqual([1, 2]);
    await c.release();
    expect(endpoint.clientsOf(0x42)).toEqual([]);
  });

  it('the simulated endpoint keeps a window of recent requests, not all of them', async () => {
    const { dev, endpoint } = setup();
    const c = await dev.allocateClient(echo);
    for (let i = 0; i < REQUESTS_KEPT + 200; i += 100) await Promise.all(Array.from({ length: 100 }, () => c.request(echo.messages.say, { text: 'x' })));
    expect(endpoint.stats.requests).toBe(REQUESTS_KEPT + 201); // and one CTL Allocate CID
    expect(endpoint.requests).toHaveLength(REQUESTS_KEPT);
    expect(endpoint.requests.at(-1)!.transaction).toBe(REQUESTS_KEPT + 200);
  });

  it('reuses a given client id without any CTL traffic (qmicli --client-cid)', async () => {
    const { dev, endpoint } = setup();
    const first = await dev.allocateClient(echo);
    dev.forget(first);
    const again = await dev.allocateClient(echo, { cid: first.cid });
    expect((await again.request(echo.messages.say, { text: 'x' })).text).toBe('x');
    expect(endpoint.stats.requests).toBe(2); // one Allocate CID, one Say
  });

  it('turns a status failure into a named protocol error', async () => {
    const { dev } = setup();
    const c = await dev.allocateClient(echo);
    const err = await c.request(echo.messages.silent, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmiProtocolErrorResponse);
    expect((err as QmiProtocolErrorResponse).errorName).toBe('InvalidQmiCommand');
  });

  it('times out with the message named, and stays usable afterwards', async () => {
    const { dev, endpoint } = setup({ timeoutMs: 100 });
    const c = await dev.allocateClient(echo);
    endpoint.handle(echo.messages.silent, () => new Promise(() => undefined));
    const err = await c.request(echo.messages.silent, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmiTimeoutError);
    expect((err as Error).message).toContain('ECHO silent (0x0002)');
    expect((await c.request(echo.messages.say, { text: 'still here' })).text).toBe('still here');
  });

  it('survives garbage, a wrong message id, a missing mandatory TLV and unmatched responses', async () => {
    const [host, modem] = memoryPair('raw');
    const dev = new QmiDevice(qmuxPort(host), { timeoutMs: 2000 });
    open.push({ dev, transports: [host, modem] });
    const c = await dev.allocateClient(echo, { cid: 5 });
    const got: number[] = [];
    qmuxPort(modem).onFrame((f) => {
      const d = decodeQmux(f);
      if (d.ok) got.push(d.value.transaction);
    });
    const answer = (transaction: number, messageId: number, tlvs: Uint8Array): void =>
      modem.write(encodeQmux({ service: 0x42, clientId: 5, type: 'response', transaction, messageId, tlvs }));
    const waitRequest = async (n: number): Promise<number> => {
      while (got.length < n) await new Promise((r) => setTimeout(r, 2));
      return got[n - 1]!;
    };
    const success = { result: { status: 0, error: 0 } };

    const wrongId = c.request(echo.messages.say, { text: 'a' });
    modem.write(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    answer(await waitRequest(1), 0x0099, encodeTlvs({}, {}, success));
    await expect(wrongId).rejects.toThrow(QmiUnexpectedResponseError);

    const missing = c.request(echo.messages.say, { text: 'b' });
    answer(await waitRequest(2), 0x0001, encodeTlvs({}, {}, success));
    const err = await missing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmiResponseError);
    expect((err as Error).message).toContain('TLV 0x01 not found');

    answer(999, 0x0001, encodeTlvs(echo.messages.say.response, { text: 'late' }, success));
    const fine = c.request(echo.messages.say, { text: 'c' });
    answer(await waitRequest(3), 0x0001, encodeTlvs(echo.messages.say.response, { text: 'c' }, success));
    expect((await fine).text).toBe('c');
    expect(dev.stats.unmatched).toBe(1);
    expect(dev.port.framing?.garbageBytes).toBe(4);
  });

  it('delivers indications per client and broadcast', async () => {
    const { dev, endpoint } = setup();
    const a = await dev.allocateClient(echo);
    const b = await dev.allocateClient(echo);
    const gotA: number[] = [];
    const gotB: number[] = [];
    a.on(echo.indications.tick, (v) => gotA.push(v.n));
    b.on(echo.indications.tick, (v) => gotB.push(v.n));
    endpoint.indicate(echo.indications.tick, a.cid, { n: 1 });
    endpoint.indicate(echo.indications.tick, QMI_CID_BROADCAST, { n: 2 });
    await new Promise((r) => setTimeout(r, 20));
    expect(gotA).toEqual([1, 2]);
    expect(gotB).toEqual([2]);
  });

  it('checks services against Get Version Info and fails pending requests on close', async () => {
    const [host, modem] = memoryPair('v');
    new QmiDeviceEndpoint(qmuxPort(modem), { versions: new Map([[0, [1, 5]]]) });
    const dev = await QmiDevice.open(qmuxPort(host), { versionInfo: true });
    open.push({ dev, transports: [host, modem] });
    expect(dev.versions?.has(0)).toBe(true);
    await expect(dev.allocateClient(echo)).rejects.toBeInstanceOf(QmiServiceUnsupportedError);
    const closing = dev.ctl(ctl.messages.sync, {}, 5000);
    await modem.close();
    await expect(closing).rejects.toBeInstanceOf(QmiClosedError);
  });
});
