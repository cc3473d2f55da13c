/** Finding 6 of issue 18 for the dashboard: a page that stops reading its event stream is dropped, and counted. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WebServer } from '../../src/web/server.js';
import { until } from '../support/managed.js';
import { buildDashboard } from './build.js';

const dir = mkdtempSync(join(tmpdir(), `wwan-webbounds-${process.pid}-`));
let sim: Simulator;
let daemon: Daemon;
let web: WebServer;

beforeAll(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-usb'] });
  daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) });
  await daemon.manager.add({ id: 'm0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}` });
  web = await WebServer.start({ daemon, port: 0, staticDir: await buildDashboard() });
});
afterAll(async () => {
  await web.close();
  await daemon.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('closes the event stream of a page that stops reading once 4 MiB wait, and counts it in /api/status', async () => {
  const url = new URL(web.url);
  const page = net.connect(Number(url.port), '127.0.0.1');
  await new Promise((r) => page.once('connect', r));
  page.write(`GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${web.token}\r\n\r\n`);
  await new Promise((r) => page.once('data', r));
  page.pause(); // never reads again
  let closed = false;
  page.once('close', () => (closed = true));
  for (let i = 0; i < 20 && web.stats.streamsDropped === 0; i++) {
    sim.fault({ fault: 'indication-storm', count: 5000 });
    await new Promise((r) => setTimeout(r, 300));
  }
  expect(web.stats.streamsDropped).toBe(1);
  page.resume();
  await until(() => closed, 5000);
  const status = (await (await fetch(`${url.origin}/api/status`, { method: 'POST', headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' }, body: '{}' })).json()) as { result: { web: { streamsDropped: number } } };
  expect(status.result.web.streamsDropped).toBe(1);
}, 30_000);
