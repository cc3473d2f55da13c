/** Prometheus metrics: a real scrape checked by promtool, values that follow the simulator, nothing secret. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonMetrics } from '../../src/daemon/metrics.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { pingThrough } from '../../src/net/ping.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { MetricsServer } from '../../src/web/metrics-server.js';
import { WebServer } from '../../src/web/server.js';
import { WWAN } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';
import { SimHost } from '../../src/cli/sim-host.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), `wwan-metrics-${process.pid}-`));
const socket = join(dir, 'wwand.sock');
let daemon: Daemon;
let metrics: DaemonMetrics;
let server: MetricsServer;

const scrape = async (url = server.url): Promise<string> => {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
};

/** The value of one series, e.g. value(text, 'wwan_modem_signal_rssi_dbm{modem="sim0"}'). */
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

/** promtool reads the exposition on stdin; lint findings make it exit non-zero. */
const promtool = (text: string): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    const p = execFile('promtool', ['check', 'metrics'], (e, stdout, stderr) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, output: stdout + stderr }));
    p.stdin!.end(text);
  });

let sim: Simulator;
let hosted: SimHost | undefined;

beforeAll(async () => {
  // The QMI modem's simulator is the test's own, so the test can move its radio; the MBIM one is hosted beside the daemon.
  sim = await Simulator.start({ profile: { ...PROFILES['qmi-rmnet'], firmware: { ...PROFILES['qmi-rmnet'].firmware, fixedSignal: true } }, seed: 5 });
  daemon = await Daemon.start({ socket, netdev: async (_m, name) => new MemoryNetdev(name), metrics: true });
  await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data, pipe: 'usb' });
  hosted = await SimHost.start(daemon, ['mbim-usb']);
  metrics = daemon.metrics!;
  server = await MetricsServer.start({ metrics, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await daemon?.stop();
  await hosted?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus metrics', () => {
  itWithTools(['promtool'])('a scrape with a connected bearer on each protocol passes promtool check metrics', async () => {
    await daemon.request('connect', { modem: 'sim0', apn: 'internet', auth: 'chap', user: 'bob', password: 'm3tr1cs-secret' });
    await daemon.request('connect', { modem: 'sim1', apn: 'internet' });
    // What the network names itself is escaped, however hostile, and cut short.
    const reg = daemon.manager.get('sim1').info!.registration;
    reg.operator = { mcc: '001', mnc: '01', name: `evil"}\\\n${'x'.repeat(500)}` };
    const text = await scrape();
    expect(text).toContain(`operator="evil\\"}\\\\\\n${'x'.repeat(56)}"}`);
    const checked = await promtool(text);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);
    for (const name of ['wwan_modems', 'wwan_modem_state', 'wwan_modem_signal_rsrp_dbm', 'wwan_bearer_state', 'wwan_link_receive_bytes_total', 'wwan_link_transmit_drops_total', 'wwan_link_flow_control_pauses_total', 'wwan_bearer_reconnects_total', 'wwan_bearer_last_connect_duration_seconds', 'wwan_control_requests_total', 'wwan_control_request_duration_seconds', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(value(text, 'wwan_modems')).toBe(2);
    expect(value(text, 'wwan_modem_state{modem="sim0",state="connected"}')).toBe(1);
    expect(value(text, 'wwan_bearer_state{modem="sim1",bearer="1",apn="internet",state="connected"}')).toBe(1);
    expect(value(text, 'wwan_bearer_last_connect_duration_seconds{modem="sim0",bearer="1",apn="internet"}')).toBeGreaterThan(0);
    // Both drivers count their requests by service: QMI WDS started the network, MBIM Basic Connect connected.
    expect(value(text, 'wwan_control_requests_total{protocol="qmi",service="wds",result="success"}')).toBeGreaterThan(0);
    expect(value(text, 'wwan_control_requests_total{protocol="mbim",service="basic-connect",result="success"}')).toBeGreaterThan(0);
    // The modems' probes at start count too (the metrics start with the daemon, before any modem).
    expect(value(text, 'wwan_control_requests_total{protocol="qmi",service="dms",result="success"}')).toBeGreaterThan(0);
    // No secrets: not the password, nor the SIM's identities.
    const info = (await daemon.request('info', { modem: 'sim0' })) as { sim: { iccid?: string; imsi?: string } };
    expect(text).not.toContain('m3tr1cs-secret');
    for (const id of [info.sim.iccid, info.sim.imsi]) if (id) expect(text).not.toContain(id);
  });

  it('a refused request is counted with its result', async () => {
    await expect(daemon.request('connect', { modem: 'sim0', apn: 'nope' })).rejects.toThrow(/unknown-apn/);
    expect(value(await scrape(), 'wwan_control_requests_total{protocol="qmi",service="wds",result="error"}')).toBeGreaterThan(0);
  });

  it('signal follows the simulator, as `wwan info` shows it', async () => {
    // The radio holds still (fixedSignal) until the test moves it; the modem reports the move.
    const firmware = sim.modems[0]!.firmware;
    const radio = { rssi: -81, rsrp: -107, rsrq: -13, snr: 3.5 };
    const reported = new Promise((r) => daemon.manager.once('signal', r));
    firmware.signal = radio;
    firmware.emit('signal', radio);
    await reported;
    const shown = JSON.parse((await run(process.execPath, [WWAN, 'info', 'sim0', '--json', '--socket', socket])).stdout) as { signal: Record<string, number> };
    const text = await scrape();
    const scraped = { rssi: value(text, 'wwan_modem_signal_rssi_dbm{modem="sim0"}'), rsrp: value(text, 'wwan_modem_signal_rsrp_dbm{modem="sim0"}'), rsrq: value(text, 'wwan_modem_signal_rsrq_db{modem="sim0"}'), snr: value(text, 'wwan_modem_signal_sinr_db{modem="sim0"}') };
    expect(scraped).toEqual(radio);
    expect(shown.signal).toMatchObject(radio);
  });

  it('flow control shows as a pause, and the pause is counted', async () => {
    const series = (name: string): string => `${name}{modem="sim0",bearer="1",apn="internet"}`;
    expect(sim.fault({ fault: 'flow-control', modem: 'modem0', mux: 1, enable: false })).toMatchObject({ ok: true });
    await expect.poll(async () => value(await scrape(), series('wwan_link_paused'))).toBe(1);
    expect(value(await scrape(), series('wwan_link_flow_control_pauses_total'))).toBe(1);
    sim.fault({ fault: 'flow-control', modem: 'modem0', mux: 1, enable: true });
    await expect.poll(async () => value(await scrape(), series('wwan_link_paused'))).toBe(0);
  });

  it('bytes and packets move after a ping through a link', async () => {
    const series = (name: string): string => `${name}{modem="sim0",bearer="1",apn="internet"}`;
    const before = await scrape();
    const bearer = daemon.manager.get('sim0').bearers.get(1)!;
    const ping = await pingThrough(bearer.netdev as MemoryNetdev, bearer.connected!.ipv4!.address, bearer.connected!.ipv4!.gateway!, 3, 20);
    expect(ping.received).toBe(3);
    const after = await scrape();
    const delta = (name: string): number => value(after, series(name))! - value(before, series(name))!;
    // Three echo requests of 84 bytes out, three replies of 84 bytes in.
    expect([delta('wwan_link_transmit_packets_total'), delta('wwan_link_transmit_bytes_total')]).toEqual([3, 252]);
    expect([delta('wwan_link_receive_packets_total'), delta('wwan_link_receive_bytes_total')]).toEqual([3, 252]);
  });

  itWithTools(['promtool'])('the Grafana dashboard in docs/ asks only for metrics a scrape has, in PromQL promtool accepts', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const text = await scrape();
    const names = new Set(exprs.flatMap((e) => e.match(/\b(?:wwan|process|nodejs)_[a-z0-9_]+/g) ?? []));
    for (const n of names) expect(text, n).toMatch(new RegExp(`^# TYPE ${n.replace(/_bucket$/, '')} `, 'm'));
    // Grafana's variables as Prometheus would see them once Grafana filled them in.
    const rules = exprs.map((e, i) => `      - record: dashboard:expr${i}\n        expr: ${JSON.stringify(e.replaceAll('$__rate_interval', '5m').replace(/\$(instance|modem)/g, '.*'))}`);
    const file = join(dir, 'dashboard-rules.yml');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const checked = await run('promtool', ['check', 'rules', file]).then((r) => ({ code: 0, out: r.stdout }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));
    expect(checked.out).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(checked.code).toBe(0);
  });

  it('is read-only, serves only /metrics, and refuses a non-loopback address unless allowed', async () => {
    const base = server.url.replace(/\/metrics$/, '');
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base}/api/connect`)).status).toBe(404);
    await expect(MetricsServer.start({ metrics, host: '0.0.0.0', port: 0 })).rejects.toThrow(/loopback only; add --metrics-allow-remote/);
  });

  it('is served under the dashboard at /metrics, behind its token', async () => {
    const web = await WebServer.start({ daemon, port: 0, metrics });
    try {
      const url = new URL(web.url);
      const at = `${url.origin}/metrics`;
      expect((await fetch(at)).status).toBe(401);
      expect((await fetch(at, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(at, { headers: { authorization: `Bearer ${web.token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^wwan_modems 2$/m);
    } finally {
      await web.close();
    }
  });
});

describe('wwan daemon --metrics', () => {
  let child: ChildProcess | undefined;
  afterAll(() => void child?.kill('SIGTERM'));

  itWithTools(['promtool'])('serves a scrape promtool accepts; a non-loopback address is refused without --metrics-allow-remote', async () => {
    const sock = join(dir, 'cli.sock');
    const refused = await run(process.execPath, [WWAN, 'daemon', '--socket', sock, '--no-discover', '--netdev', 'memory', '--metrics', '0.0.0.0:0']).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).not.toBe(0);
    expect((refused as { stderr: string }).stderr).toContain('--metrics-allow-remote');
    child = spawn(process.execPath, [WWAN, 'daemon', '--socket', sock, '--no-discover', '--netdev', 'memory', '--sim', 'qmi-rmnet', '--metrics', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    let url = '';
    for await (const line of lines) {
      const e = JSON.parse(line) as { event: string; url?: string };
      if (e.event === 'metrics') {
        url = e.url!;
        break;
      }
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await scrape(url);
    expect(value(text, 'wwan_modems')).toBe(1);
    expect(value(text, 'wwan_modem_state{modem="sim0",state="registered"}')).toBe(1);
    expect(await promtool(text)).toEqual({ code: 0, output: '' });
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = undefined;
  });
});
