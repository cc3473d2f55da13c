/**
 * The datapath on a thread of its own (link/datapath-thread.ts): TUN links whose packets the worker
 * moves, pinged through the simulator; counters read in shared memory; flow control, drops and the
 * format read by snapshot; DSS streams across the thread; and what a close or a dead thread leaves
 * behind (no TUN, no fd).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it as plainIt } from 'vitest';
import { DatapathThread } from '../../src/link/datapath-thread.js';
import type { StreamSink } from '../../src/link/stream.js';
import type { Bearer } from '../../src/modem/modem.js';
import { DSS_SERVICES } from '../../src/sim/mbim-dss.js';
import { itWithTun, testNetnsName } from '../net/root.js';
import { managedModem, until, type Managed } from '../support/managed.js';

const run = promisify(execFile);
const it = itWithTun(['ping']);

let managed: Managed<never> | undefined;
let thread: DatapathThread | undefined;
const logs: string[] = [];
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
  thread = undefined;
  logs.length = 0;
});

async function start(profile: 'qmi-rmnet' | 'mbim-usb' | 'bam-dmux', tun: boolean, queueLimit?: number): Promise<Managed<never>> {
  managed = await managedModem<never>({
    profile,
    ...(tun ? { tunNetns: testNetnsName(`dpt-${profile}`) } : {}),
    backend: (pipe) => (thread = new DatapathThread({ pipe, log: (l) => logs.push(l), ...(queueLimit !== undefined ? { queueLimit } : {}) })),
    modem: { linkPrefix: `wdt${process.pid % 1000}.` },
  });
  return managed;
}

const ping = async (b: Bearer, count = 2): Promise<number> => {
  const r = await run('ping', ['-c', String(count), '-i', '0.2', '-W', '1', '-I', b.netdev!.name, b.connected!.ipv4!.gateway!]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
};

const linkExists = async (name: string): Promise<boolean> =>
  run('ip', ['link', 'show', 'dev', name]).then(
    () => true,
    () => false,
  );

const openFds = (): number => readdirSync('/proc/self/fd').length;
const isTun = (fd: number): boolean => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === '/dev/net/tun';
  } catch {
    return false;
  }
};

describe('datapath thread', () => {
  it('carries two QMAP links through TUNs, counting in shared memory, and reports format, drops and flow control', async () => {
    const { modem, sim } = await start('qmi-rmnet', true, 4);
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
    expect(a.netdev!.kind).toBe('tun');
    expect(await ping(a)).toBe(2);
    expect(await ping(b)).toBe(2);
    // The worker counts; this thread reads the same figures at once.
    expect(a.netdev!.counters.txPackets).toBeGreaterThanOrEqual(2);
    expect(a.netdev!.counters.rxPackets).toBeGreaterThanOrEqual(2);
    const dp = modem.datapath!;
    expect(dp.format.framing).toBe('qmap');
    expect(dp.stats.transfersIn).toBeGreaterThan(0);
    expect(dp.stats.transfersOut).toBeGreaterThan(0);
    expect(modem.links.topology(a.linkId, 'ip')).toEqual({ lower: expect.stringContaining('data'), upper: a.netdev!.name });

    // QMAP flow control: the modem pauses link a; 6 pings with room for 4 drop 2.
    const counter = sim.modems[0]!.data.counter(a.linkId);
    sim.fault({ fault: 'flow-control', mux: a.linkId, enable: false });
    await until(() => modem.datapath!.links.get(a.linkId)?.paused === true);
    const rxBefore = counter.rxPackets;
    expect(await ping(a, 6)).toBe(0);
    expect(modem.datapath!.links.get(a.linkId)).toMatchObject({ paused: true, pauses: 1, queueDropped: 2 });
    expect(counter.rxPackets).toBe(rxBefore);
    expect(await ping(b)).toBe(2);
    sim.fault({ fault: 'flow-control', mux: a.linkId, enable: true });
    await until(() => !modem.datapath!.links.get(a.linkId)!.paused && counter.rxPackets === rxBefore + 4);
    expect(await ping(a)).toBe(2);
  }, 40_000);

  it('leaves no TUN and no fd behind after the modem closes', async () => {
    const before = openFds();
    const { modem } = await start('qmi-rmnet', true);
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    expect(await ping(a)).toBe(2);
    const name = a.netdev!.name;
    expect(await linkExists(name)).toBe(true);
    await managed!.stop();
    managed = undefined;
    expect(await linkExists(name)).toBe(false);
    expect(openFds()).toBeLessThanOrEqual(before);
  }, 30_000);

  it('survives its thread dying: the TUNs go with it, then come back with their names, addresses and counters; a thread that keeps dying is given up', async () => {
    const { modem } = await start('qmi-rmnet', true);
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    expect(await ping(a)).toBe(2);
    const inner = thread as unknown as { thread: { worker: Worker }; fds: Map<number, number>; ready: Promise<void> };
    const kill = async (): Promise<void> => void (await inner.thread.worker.terminate());
    const [fd] = inner.fds.values();
    expect(isTun(fd!)).toBe(true);
    const sent = a.netdev!.counters.txPackets;
    await kill();
    await until(() => logs.some((l) => /datapath thread exited.*starting the datapath again with its 1 links/.test(l)));
    // Back on another thread: the same interface name, its address set again, the counters going on.
    await inner.ready;
    expect(isTun([...inner.fds.values()][0]!)).toBe(true);
    expect(await ping(a)).toBe(2);
    expect(a.netdev!.counters.txPackets).toBeGreaterThanOrEqual(sent + 2);
    expect(modem.bearers.get(a.id)?.status).toBe('connected');
    // Three more deaths within the minute: no more restarts, and new links are refused with the reason.
    for (let i = 0; i < 3; i++) {
      await inner.ready;
      await kill();
      await until(() => logs.filter((l) => /datapath thread exited/.test(l)).length === i + 2);
    }
    await until(() => logs.some((l) => /3 restarts within 60 s/.test(l)));
    expect(await linkExists(a.netdev!.name)).toBe(false);
    await expect(thread!.attach(9, { name: 'wdtx9' })).rejects.toThrow(/3 restarts within 60 s/);
  }, 40_000);

  it('shows a BAM-DMUX channel as the modem opened it', async () => {
    const { modem } = await start('bam-dmux', true);
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    await until(() => modem.links.topology(a.linkId, 'ip')?.channel?.up === true);
    expect(modem.links.topology(a.linkId, 'ip')?.channel).toEqual({ exists: true, remoteOpen: true, up: true });
    expect(await ping(a)).toBe(2);
  }, 30_000);

  plainIt('shares its threads among modems (no more than the cores beside the main one) and stops a thread left with none', async () => {
    const backends = Array.from({ length: 5 }, () => new DatapathThread({ pipe: '/nonexistent/data.sock' }));
    const threads = new Set(backends.map((b) => (b as unknown as { thread: { worker: Worker } }).thread));
    expect(threads.size).toBeLessThanOrEqual(Math.max(1, availableParallelism() - 1));
    // A pipe that cannot be opened fails the format, not the thread.
    await expect(backends[0]!.setFormat({ framing: 'raw-ip' })).rejects.toThrow(/ENOENT/);
    const exits = [...threads].map((t) => new Promise((r) => t.worker.once('exit', r)));
    await Promise.all(backends.map((b) => b.close()));
    await Promise.all(exits);
  }, 30_000);

  plainIt('carries DSS streams across the thread: 64 KiB echoed byte for byte', async () => {
    const { modem } = await start('mbim-usb', false);
    const link = await modem.openStream(1, DSS_SERVICES.echo.uuid);
    const chunks: Uint8Array[] = [];
    const sink: StreamSink = { write: (c) => (chunks.push(c), true), end: () => undefined };
    link.stream!.connect(sink);
    const sent = Uint8Array.from({ length: 65536 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
    for (let at = 0; at < sent.length; at += 1500) expect(link.stream!.write(sent.subarray(at, at + 1500))).toBe(true);
    await until(() => chunks.reduce((n, c) => n + c.length, 0) >= sent.length);
    expect(Buffer.compare(Buffer.concat(chunks), sent)).toBe(0);
    expect(modem.links.topology(1, 'stream')).toMatchObject({ upper: 'dss1' });
    expect(modem.datapath!.stats).toMatchObject({ streamDropsToModem: 0, streamDropsToMain: 0 });
    await modem.closeStream(1);
  }, 30_000);
});
