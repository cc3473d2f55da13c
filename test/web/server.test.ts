/** The dashboard's HTTP server: loopback by default, the token on every API call, headers, captures, the CLI flag. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { WebServer, isLoopback, parseHttpAddress } from '../../src/web/server.js';
import { WWAN } from '../support/capture.js';
import { buildDashboard } from './build.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'wwan-web-'));
let daemon: Daemon;
let web: WebServer;
let base: string;

beforeAll(async () => {
  const staticDir = await buildDashboard();
  daemon = await daemonWithSims({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) }, ['qmi-usb']);
  web = await WebServer.start({ daemon, port: 0, staticDir });
  base = web.url.replace(/\/#token=.*/, '');
});
afterAll(async () => {
  await web.close();
  await daemon.stop();
});

const api = (path: string, init: RequestInit = {}, token = web.token): Promise<Response> =>
  fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });

describe('dashboard server', () => {
  it('parses --http; loopback only unless remote is allowed', async () => {
    expect(parseHttpAddress('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHttpAddress('localhost:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHttpAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseHttpAddress('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(() => parseHttpAddress('example.com:80')).toThrow(/IP address/);
    expect(() => parseHttpAddress('1.2.3.4:70000')).toThrow(/PORT/);
    expect([isLoopback('127.0.0.1'), isLoopback('::1'), isLoopback('0.0.0.0'), isLoopback('::')]).toEqual([true, true, false, false]);
    await expect(WebServer.start({ daemon, host: '0.0.0.0', port: 0 })).rejects.toThrow(/loopback only/);
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the page to anyone on loopback with a strict CSP, and the API only with the token', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'; script-src 'self'");
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);
    expect((await api('/api/list', { method: 'POST', body: '{}' }, '')).status).toBe(401);
    expect((await api('/api/list', { method: 'POST', body: '{}' }, `${web.token.slice(0, -1)}x`)).status).toBe(401);
    const list = (await (await api('/api/list', { method: 'POST', body: '{}' })).json()) as { result: { id: string }[] };
    expect(list.result.map((m) => m.id)).toEqual(['sim0']);
    // Only the dashboard's methods (access `web` in the contract): modems are removed on the socket.
    expect((await api('/api/remove', { method: 'POST', body: '{"modem":"sim0"}' })).status).toBe(404);
    expect((await api('/api/add', { method: 'POST', body: '{"id":"x","control":"qmi","port":"/etc/shadow"}' })).status).toBe(404);
    expect((await api('/api/list', { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } })).status).toBe(400);
    const refused = await api('/api/connect', { method: 'POST', body: JSON.stringify({ modem: 'sim0', apns: ['nope'] }) });
    expect([refused.status, ((await refused.json()) as { error: { message: string } }).error.message]).toEqual([200, 'the network refused APN nope: CallFailed: unknown-apn (3GPP cause 27)']);
  });

  it('streams a hello with the recent trace, then live events; the trace downloads as a pcap and decodes TLV by TLV', async () => {
    await api('/api/connect', { method: 'POST', body: JSON.stringify({ modem: 'sim0', apns: ['internet'] }) });
    const res = await api('/api/events');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    const hello = JSON.parse(text.slice(6, text.indexOf('\n\n'))) as { event: string; trace: { service: string; message: string; direction: string; hex: string; protocol: string }[]; signal: Record<string, unknown[]> };
    expect(hello.event).toBe('hello');
    expect(hello.signal.sim0!.length).toBeGreaterThan(0);
    const start = hello.trace.findLast((t) => t.service === 'wds' && t.message === 'startNetwork' && t.direction === 'tx')!;
    expect(start).toBeDefined();
    await reader.cancel();
    const d = (await (await api('/api/describe', { method: 'POST', body: JSON.stringify({ protocol: start.protocol, hex: start.hex }) })).json()) as { result: { tlvs: { name: string; value: unknown }[] } };
    expect(d.result.tlvs).toContainEqual(expect.objectContaining({ name: 'apn', value: 'internet' }));
    const pcap = Buffer.from(await (await api('/api/trace.pcap')).arrayBuffer());
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.readUInt32LE(20)).toBe(252);
    expect(pcap.length).toBeGreaterThan(24 + hello.trace.length * 16);
  });

  it('`wwan daemon --http 127.0.0.1:0` prints the URL to open as one JSON line', async () => {
    const child = spawn(process.execPath, [WWAN, 'daemon', '--sim', 'qmi-usb', '--netdev', 'memory', '--no-discover', '--socket', join(dir, 'cli.sock'), '--http', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout! });
      let url = '';
      for await (const line of lines) {
        const e = JSON.parse(line) as { event: string; url?: string };
        if (e.event === 'http') {
          url = e.url!;
          break;
        }
      }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
      const token = url.split('#token=')[1]!;
      const r = await fetch(url.replace(/#.*/, 'api/status'), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
      expect(((await r.json()) as { result: { modemCount: number } }).result.modemCount).toBe(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
