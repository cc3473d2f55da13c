/**
 * End to end on TUN links (qmi-rmnet): a network-initiated disconnect is redialled, a modem reset
 * restores every bearer, and QMAP flow control pauses a link, queueing its packets up to the limit.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { connectRecordPipe } from '../../src/link/data-pipe.js';
import { Modem, type Bearer } from '../../src/modem/modem.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { TunNetdev } from '../../src/net/tun-netdev.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { itWithTun, testNetnsName } from '../net/root.js';

const run = promisify(execFile);
const it = itWithTun(['ping']);
let sim: Simulator;
let modem: Modem;
let a: Bearer;
let b: Bearer;

const until = async (cond: () => boolean, ms = 8000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const ping = async (x: Bearer, count = 2): Promise<number> => {
  const r = await run('ping', ['-c', String(count), '-i', '0.2', '-W', '1', '-I', x.netdev!.name, x.connected!.ipv4!.gateway!]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
};

beforeAll(async () => {
  if (process.getuid?.() !== 0) return;
  sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], seed: 13, tunNetns: testNetnsName('recovery') });
  const driver = async (): Promise<QmiDriver> => new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket))), { pipe: 'usb' });
  modem = new Modem('rec', await driver(), {
    reopen: driver,
    linkPrefix: `wwr${process.pid % 1000}.`,
    pipe: () => connectRecordPipe(sim.ready().modems[0]!.data),
    netdev: async (name) => new TunNetdev(name),
    backoffMs: [50, 400],
    queueLimit: 4,
  });
  await modem.probe();
  a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
  b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
}, 30_000);

afterAll(async () => {
  await modem?.close();
  await sim?.stop();
});

describe('recovery on TUN links', () => {
  it('redials after a network-initiated disconnect, and the link carries traffic again', async () => {
    expect(await ping(a)).toBe(2);
    sim.fault({ fault: 'disconnect', handle: [...sim.modems[0]!.firmware.sessions.values()].find((s) => s.linkId === a.linkId)!.handle });
    await until(() => a.status === 'reconnecting');
    await until(() => a.status === 'connected');
    expect(await ping(a)).toBe(2);
    expect(b.reconnects).toBe(0);
  }, 30_000);

  it('restores every bearer after a modem reset', async () => {
    const before = [a.reconnects, b.reconnects];
    sim.fault({ fault: 'reset' });
    await until(() => a.reconnects > before[0]! && b.reconnects > before[1]! && a.status === 'connected' && b.status === 'connected');
    expect(await ping(a)).toBe(2);
    expect(await ping(b)).toBe(2);
  }, 30_000);

  it('QMAP flow control pauses a link, queues up to the limit, and sends the queue on FLOW_ENABLE', async () => {
    const link = modem.datapath!.links.get(a.linkId)!;
    const counter = sim.modems[0]!.data.counter(a.linkId);
    expect(sim.fault({ fault: 'flow-control', mux: a.linkId, enable: false })).toEqual({ ok: true });
    await until(() => link.paused);
    const rxBefore = counter.rxPackets;
    expect(await ping(a, 6)).toBe(0);
    expect(link.queue.length).toBe(4);
    expect(link.queueDropped).toBe(2);
    expect(counter.rxPackets).toBe(rxBefore);
    expect(await ping(b)).toBe(2); // the other link is not paused
    sim.fault({ fault: 'flow-control', mux: a.linkId, enable: true });
    await until(() => !link.paused && counter.rxPackets === rxBefore + 4);
    expect(await ping(a)).toBe(2);
  }, 30_000);
});
