/**
 * Regression (issue 18, finding 6): memory without bound. The daemon and the simulator run in separate
 * processes; the daemon's resident memory is read from /proc before and after each hostile client,
 * and what the bounds dropped must show in `status`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/daemon/api.js';
import { DaemonClient } from '../../src/daemon/client.js';
import { startSim, type SimProcess } from '../support/sim-process.js';

const DAEMON = fileURLToPath(new URL('../support/daemon-alone.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), `wwan-bounds-${process.pid}-`));
const socket = join(dir, 'wwand.sock');
let sim: SimProcess;
let daemon: ChildProcess;

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rssMiB = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))![1]) / 1024;

async function status(): Promise<Result<'status'>> {
  const c = await DaemonClient.connect(socket);
  try {
    return await c.call('status');
  } finally {
    c.close();
  }
}

function fault(req: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = net.connect(sim.ready.control, () => s.write(`${JSON.stringify(req)}\n`));
    s.on('error', reject);
    createInterface({ input: s }).once('line', (l) => {
      s.destroy();
      resolve(JSON.parse(l));
    });
  });
}

async function rawClient(): Promise<net.Socket> {
  const s = net.connect(socket);
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  return s;
}

beforeAll(async () => {
  sim = await startSim(['--profile', 'qmi-usb']);
  daemon = spawn(process.execPath, ['--import', 'tsx', DAEMON, socket, JSON.stringify(sim.ready)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: daemon.stdout! }).once('line', () => resolve());
    daemon.once('exit', (code) => reject(new Error(`the daemon exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until the daemon has worked through a storm: its registration events stop changing the modem's answer time. */
async function settled(): Promise<void> {
  for (let quiet = 0; quiet < 2; ) {
    const t0 = Date.now();
    await status();
    quiet = Date.now() - t0 < 50 ? quiet + 1 : 0;
    await wait(500);
  }
}

describe('the daemon’s memory stays bounded under hostile clients', () => {
  it('an indication storm with nobody listening: one registration query at a time, RSS bounded', async () => {
    const before = rssMiB();
    expect(await fault({ fault: 'indication-storm', count: 100_000 })).toMatchObject({ ok: true });
    await settled();
    await wait(1000);
    const grew = rssMiB() - before;
    process.stderr.write(`storm, no subscriber: daemon RSS ${before.toFixed(0)} → ${(before + grew).toFixed(0)} MiB\n`);
    expect(grew).toBeLessThan(100);
  }, 90_000);

  it('a tracer and a subscriber that never read, through an indication storm: drops counted, RSS bounded', async () => {
    const before = rssMiB();
    const idle = await rawClient();
    idle.write('{"jsonrpc":"2.0","id":1,"method":"trace"}\n{"jsonrpc":"2.0","id":2,"method":"subscribe"}\n');
    await wait(200);
    idle.pause(); // never reads again
    expect(await fault({ fault: 'indication-storm', count: 50_000 })).toMatchObject({ ok: true });
    // The storm is processed when the trace counter stops moving.
    let last = -1;
    for (let s = await status(); s.clients.traces !== last; s = await status()) {
      last = s.clients.traces;
      await wait(500);
    }
    const grew = rssMiB() - before;
    process.stderr.write(`tracer that never reads: ${last} traces dropped, daemon RSS ${before.toFixed(0)} → ${(before + grew).toFixed(0)} MiB\n`);
    expect(last).toBeGreaterThan(25_000);
    expect(grew).toBeLessThan(150);
    idle.destroy();
  }, 90_000);

  it('a client pipelining requests without reading answers is paused, and others are still served', async () => {
    const before = rssMiB();
    const greedy = await rawClient();
    greedy.pause();
    const batch = '{"jsonrpc":"2.0","id":1,"method":"list"}\n'.repeat(2000);
    let written = 0;
    const end = Date.now() + 4000;
    while (Date.now() < end) {
      if (greedy.write(batch)) written += 2000;
      else await new Promise((r) => setTimeout(r, 20));
      if (greedy.writableLength > 4 << 20) await wait(50); // the daemon stopped reading us
    }
    const t0 = Date.now();
    await status();
    const grew = rssMiB() - before;
    process.stderr.write(`pipelining client: ${written} requests written, daemon RSS ${before.toFixed(0)} → ${(before + grew).toFixed(0)} MiB\n`);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(greedy.writableLength).toBeGreaterThan(1 << 20); // what the daemon would not take
    expect(grew).toBeLessThan(60);
    greedy.destroy();
  }, 30_000);

  it('300 clients each holding a 1 MiB partial line: the number of clients and the partial total are capped', async () => {
    const before = rssMiB();
    const socks = await Promise.all(Array.from({ length: 300 }, () => rawClient().catch(() => undefined)));
    for (const s of socks) s?.write(Buffer.alloc((1 << 20) - 100, 0x61));
    await wait(1500);
    const s = await status();
    const grew = rssMiB() - before;
    process.stderr.write(`300 partial lines: refused ${s.clients.refused}, disconnected ${s.clients.disconnected}, daemon RSS ${before.toFixed(0)} → ${(before + grew).toFixed(0)} MiB\n`);
    expect(s.clients.refused).toBeGreaterThan(200);
    expect(s.clients.disconnected).toBeGreaterThan(40);
    expect(grew).toBeLessThan(120);
    for (const x of socks) x?.destroy();
    await wait(200);
    expect((await status()).clients.connected).toBe(1);
  }, 30_000);
});
