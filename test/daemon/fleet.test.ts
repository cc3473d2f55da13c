/**
 * The short scale run (the 1,000-modem one is `npm run bench fleet`): one daemon, 100 simulated modems
 * in two simulator processes, 4 PDNs each, links in memory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../src/daemon/client.js';
import type { DaemonMetrics } from '../../src/daemon/metrics.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { WWAN } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const run = promisify(execFile);
const MODEMS = 100;
const APNS = ['internet', 'ims', 'iot', 'corp'];
const dir = mkdtempSync(join(tmpdir(), `wwan-fleet-${process.pid}-`));
const socket = join(dir, 'wwand.sock');
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
let daemon: Daemon | undefined;
let metrics: DaemonMetrics;
let timersBefore = 0;
let simSockets: string[] = [];

beforeAll(async () => {
  timersBefore = timers();
  daemon = await daemonWithSims({ socket, netdev: async (_m, n) => new MemoryNetdev(n), stateFile: join(dir, 'state.json'), metrics: true }, [`qmi-rmnet:${MODEMS}`]);
  metrics = daemon.metrics!;
  simSockets = [...daemon.manager.specs.values()].map((s) => s.port.slice('unix:'.length));
  const client = await DaemonClient.connect(socket);
  const ids = [...daemon.manager.modems.keys()];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ids.length) {
        const modem = ids[next++]!;
        for (const apn of APNS) await client.call('connect', { modem, apn });
      }
    }),
  );
  client.close();
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe(`one daemon, ${MODEMS} modems in child processes, 4 PDNs each`, () => {
  it('has every bearer up on its own link', async () => {
    const list = JSON.parse((await run(process.execPath, [WWAN, 'list', '--json', '--socket', socket])).stdout) as { id: string; state: string; bearers: unknown[] }[];
    expect(list).toHaveLength(MODEMS);
    expect(list.filter((m) => m.state === 'connected' && m.bearers.length === 4)).toHaveLength(MODEMS);
    const links = JSON.parse((await run(process.execPath, [WWAN, 'links', '--json', '--socket', socket], { maxBuffer: 64 << 20 })).stdout) as { name: string; status: string }[];
    expect(links.filter((l) => l.status === 'connected')).toHaveLength(MODEMS * 4);
    expect(new Set(links.map((l) => l.name)).size).toBe(MODEMS * 4);
  });

  it('keeps no timer per modem, and writes no state file for links it does not hand to the kernel', () => {
    // Request timeouts come and go; at rest the daemon holds none per modem or bearer.
    expect(timers() - timersBefore).toBeLessThan(10);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });

  itWithTools(['promtool'])('scrapes every bearer, and promtool accepts the scrape', async () => {
    const text = await metrics.scrape();
    expect(text).toMatch(new RegExp(`^wwan_modems ${MODEMS}$`, 'm'));
    expect(text.match(/^wwan_bearer_state\{[^}]*state="connected"\} 1$/gm)).toHaveLength(MODEMS * 4);
    // Every modem's probe at start is counted (the metrics start before the first modem is added).
    const dms = Number(/^wwan_control_requests_total\{protocol="qmi",service="dms",result="success"\} (\d+)$/m.exec(text)?.[1]);
    expect(dms).toBeGreaterThanOrEqual(MODEMS);
    const checked = await new Promise<{ code: number; output: string }>((resolve) => {
      const p = execFile('promtool', ['check', 'metrics'], { maxBuffer: 64 << 20 }, (e, stdout, stderr) => resolve({ code: e ? 1 : 0, output: stdout + stderr }));
      p.stdin!.end(text);
    });
    expect(checked).toEqual({ code: 0, output: '' });
  });

  it('stops its simulator processes with it', async () => {
    expect(simSockets.filter((s) => existsSync(s))).toHaveLength(MODEMS);
    await daemon!.stop();
    daemon = undefined;
    expect(simSockets.filter((s) => existsSync(s))).toHaveLength(0);
  }, 60_000);
});
