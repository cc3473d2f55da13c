/**
 * End to end on TUN links (qmi-rmnet): a network-initiated disconnect is redialled, a modem reset
 * restores every bearer, and QMAP flow control pauses a link, queueing its packets up to the limit.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { UserspaceBackend } from '../../src/link/userspace.js';
import type { Bearer, Modem } from '../../src/modem/modem.js';
import { TunNetdev } from '../../src/net/tun-netdev.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { itWithTun, testNetnsName } from '../net/root.js';
import { managedModem, until, type Managed } from '../support/managed.js';

const run = promisify(execFile);
const it = itWithTun(['ping']);
let managed: Managed<TunNetdev>;
let sim: Simulator;
let modem: Modem;
let a: Bearer;
let b: Bearer;

const ping = async (x: Bearer, count = 2): Promise<number> => {
  const r = await run('ping', ['-c', String(count), '-i', '0.2', '-W', '1', '-I', x.netdev!.name, x.connected!.ipv4!.gateway!]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
};

beforeAll(async () => {
  if (process.getuid?.() !== 0) return;
  managed = await managedModem({
    profile: 'qmi-rmnet',
    seed: 13,
    tunNetns: testNetnsName('recovery'),
    netdev: (name) => new TunNetdev(name),
    modem: { linkPrefix: `wwr${process.pid % 1000}.`, backoffMs: [50, 400], queueLimit: 4 },
  });
  ({ sim, modem } = managed);
  await modem.probe();
  a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
  b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
}, 30_000);

afterAll(async () => {
  await managed?.stop();
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
    // The in-process datapath's own link, queue included.
    const link = (modem.links as UserspaceBackend).datapath!.links.get(a.linkId)!;
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
