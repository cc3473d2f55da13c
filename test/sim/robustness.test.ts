/** Hostile or broken host clients never take the simulator down or disturb other clients. */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { encodeQmux } from '../../src/qmi/qmux.js';
import { encodeTlvs } from '../../src/qmi/codec.js';
import { dms } from '../../src/qmi/services/dms.js';
import { ctl } from '../../src/qmi/services/ctl.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

let sim: Simulator;
let socket: string;
const logs: string[] = [];

beforeAll(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-usb'], log: (l) => logs.push(l) });
  socket = sim.modems[0]!.ports[0]!.socket;
});
afterAll(async () => sim.stop());

const rawClient = (): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const s = net.connect(socket, () => resolve(s));
    s.on('error', reject);
  });

async function healthy(): Promise<void> {
  const dev = new QmiDevice(qmuxPort(await connectUnix(socket)), { timeoutMs: 2000 });
  const c = await dev.allocateClient(dms);
  expect((await c.request(dms.messages.getModel, {})).model).toBe('EC25');
  await c.release();
  await dev.close();
}

describe('simulator robustness', () => {
  it('skips garbage and lying headers, logs why, and keeps serving', async () => {
    const bad = await rawClient();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        bad.write(bytes);
      }),
      { numRuns: 100 },
    );
    // A header whose QMUX length claims far more than it carries, then a frame from a non-host.
    bad.write(new Uint8Array([0x01, 0xff, 0x7f, 0x00, 0x02, 0x01, 0x00, 0x01, 0x00, 0x25, 0x00, 0x00, 0x00]));
    bad.write(encodeQmux({ service: 2, clientId: 1, type: 'response', transaction: 1, messageId: 0x25, tlvs: new Uint8Array() }));
    await new Promise((r) => setTimeout(r, 50));
    await healthy();
    expect(logs.some((l) => /skipped \d+ byte/.test(l) || /rejected/.test(l))).toBe(true);
    bad.destroy();
  });

  it('survives a flood of requests and a client that vanishes mid-transaction', async () => {
    const flood = await rawClient();
    const alloc = encodeQmux({ service: 0, clientId: 0, type: 'request', transaction: 1, messageId: ctl.messages.allocateCid.id, tlvs: encodeTlvs(ctl.messages.allocateCid.request, { service: 2 }) });
    const ask = encodeQmux({ service: 2, clientId: 1, type: 'request', transaction: 1, messageId: dms.messages.getIds.id, tlvs: new Uint8Array() });
    flood.write(alloc);
    const burst = Buffer.concat(Array.from({ length: 5000 }, () => Buffer.from(ask)));
    flood.write(burst);
    flood.destroy(); // gone before the answers
    await healthy();
    // Client ids run out like on a real modem, with a clear error, not a crash.
    const dev = new QmiDevice(qmuxPort(await connectUnix(socket)), { timeoutMs: 2000 });
    const errors: string[] = [];
    for (let i = 0; i < 40; i++) await dev.allocateClient(dms).catch((e: Error) => errors.push(e.message));
    expect(errors.at(-1)).toContain('ClientIdsExhausted');
    await dev.close();
  });
});
