/**
 * A fleet: one daemon managing FLEET_MODEMS (default 1,000) simulated modems with 4 PDNs each, the
 * simulators in child processes (64 modems each) and the links in memory. Figures beside the same daemon
 * with no modems: resident memory, CPU at idle, the time to bring every bearer up from cold (daemon
 * start, modems added and probed, 4 connects each), API request latency p99 under that load, and the
 * time a /metrics scrape takes. Needs the built CLI (`npm run build`): the simulators run it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonClient } from '../src/daemon/client.js';
import { MemoryNetdev } from '../src/net/memory.js';
import { report } from './harness.js';
import { daemonWithSims } from '../test/support/sim-daemon.js';

const MODEMS = Number(process.env.FLEET_MODEMS ?? 1000);
const APNS = ['internet', 'ims', 'iot', 'corp'];

interface Figures {
  upSeconds: number;
  /** Of which: simulators started, modems added and probed. */
  addedSeconds: number;
  /** CPU the daemon's process spent bringing everything up. */
  upCpuSeconds: number;
  scrapeCpuMs: number;
  bearers: number;
  rssMiB: number;
  cpuPercent: number;
  p99Ms: number;
  scrapeMs: number;
  scrapeBytes: number;
  /** Control requests from the modems' probes to every bearer up. */
  requests: number;
}

async function fleet(modems: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'wwan-fleet-bench-'));
  const t0 = performance.now();
  const cpuStart = process.cpuUsage();
  const daemon = await daemonWithSims({ socket: join(dir, 'd.sock'), netdev: async (_m, n) => new MemoryNetdev(n), metrics: true }, modems > 0 ? [`qmi-rmnet:${modems}`] : []);
  const addedSeconds = (performance.now() - t0) / 1000;
  const metrics = daemon.metrics!;
  const client = await DaemonClient.connect(join(dir, 'd.sock'));
  try {
    // Every modem at once, each modem's four PDNs in turn, through the API as a client would.
    const ids = [...daemon.manager.modems.keys()];
    await Promise.all(
      ids.map(async (modem) => {
        for (const apn of APNS) await client.call('connect', { modem, apn });
      }),
    );
    const upSeconds = (performance.now() - t0) / 1000;
    // Every control request from the first probe to the last connect (the metrics start with the daemon).
    const requests = [...(await metrics.scrape()).matchAll(/^wwan_control_requests_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const upCpu = process.cpuUsage(cpuStart);
    const upCpuSeconds = (upCpu.user + upCpu.system) / 1e6;
    const bearers = [...daemon.manager.modems.values()].reduce((n, m) => n + [...m.bearers.values()].filter((b) => b.status === 'connected').length, 0);
    if (bearers !== modems * APNS.length) throw new Error(`${bearers} of ${modems * APNS.length} bearers up`);

    await new Promise((r) => setTimeout(r, 1000));
    global.gc?.();
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 5000));
    const cpu = process.cpuUsage(cpu0);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - w0)) * 100;
    const rssMiB = process.memoryUsage().rss / 2 ** 20;

    // API latency: one modem's info (the empty daemon: its status), one request at a time.
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = performance.now();
      await (modems > 0 ? client.call('info', { modem: ids[(i * 7919) % ids.length]! }) : client.call('status'));
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const p99Ms = times[Math.floor(times.length * 0.99)]!;

    let scrapeBytes = 0;
    const s0 = performance.now();
    const sc0 = process.cpuUsage();
    for (let i = 0; i < 5; i++) scrapeBytes = (await metrics.scrape()).length;
    const scrapeMs = (performance.now() - s0) / 5;
    const sc = process.cpuUsage(sc0);
    const scrapeCpuMs = (sc.user + sc.system) / 1000 / 5;
    return { requests, upSeconds, addedSeconds, upCpuSeconds, bearers, rssMiB, cpuPercent, p99Ms, scrapeMs, scrapeCpuMs, scrapeBytes };
  } finally {
    client.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const modems = (f: Figures): number => f.bearers / APNS.length;

export async function run(): Promise<void> {
  const empty = await fleet(0);
  const full = await fleet(MODEMS);
  const name = `fleet.${MODEMS}modems.4pdns`;
  const baseline = (value: number): { name: string; value: number } => ({ name: 'the same daemon with no modems', value });
  report({ bench: `${name}.bringUp`, unit: 's', value: full.upSeconds, baseline: baseline(empty.upSeconds), bearers: full.bearers, modemsAddedAfter: Math.round(full.addedSeconds * 10) / 10, daemonCpuSeconds: Math.round(full.upCpuSeconds * 10) / 10, controlRequestsPerModem: Math.round((full.requests / Math.max(1, modems(full))) * 10) / 10, target: '≤ 60 s for 1,000 × 4', note: 'from daemon start: simulators started in child processes, modems added and probed, every bearer connected' });
  report({ bench: `${name}.rss`, unit: 'MiB', value: full.rssMiB, baseline: baseline(empty.rssMiB), target: '≤ 1024 MiB', note: 'the daemon process; simulators in child processes' });
  report({ bench: `${name}.idleCpu`, unit: '% of one core', value: full.cpuPercent, baseline: baseline(empty.cpuPercent), target: '≤ 5%', note: 'over 5 s, every bearer up; the simulators report signal every 2 s per modem' });
  report({ bench: `${name}.apiP99`, unit: 'ms', value: full.p99Ms, baseline: baseline(empty.p99Ms), note: 'info on a modem over the unix socket, 1000 sequential requests (baseline: status)' });
  report({ bench: `${name}.metricsScrape`, unit: 'ms', value: full.scrapeMs, baseline: baseline(empty.scrapeMs), cpuMs: Math.round(full.scrapeCpuMs), bytes: full.scrapeBytes, note: 'wall time of DaemonMetrics.scrape(), mean of 5; cpuMs: its CPU time' });
}
