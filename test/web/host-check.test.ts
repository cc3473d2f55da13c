/**
 * Regression (issue 18, finding 10): the dashboard answered any Host, so a DNS-rebinding page could
 * read it, and `--http 0.0.0.0:0` listened everywhere with only a warning.
 */
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { HostCheck, parseHostHeader } from '../../src/web/host-check.js';
import { WebServer } from '../../src/web/server.js';
import { WWAN } from '../support/capture.js';
import { buildDashboard } from './build.js';

const dir = mkdtempSync(join(tmpdir(), `wwan-host-${process.pid}-`));
let daemon: Daemon;
let web: WebServer;
let port: number;

beforeAll(async () => {
  daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) });
  web = await WebServer.start({ daemon, port: 0, staticDir: await buildDashboard() });
  port = Number(new URL(web.url).port);
});
afterAll(async () => {
  await web.close();
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A real HTTP request to 127.0.0.1 with whatever Host (and other headers) we choose. */
function request(path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the dashboard answers only to its own host names', () => {
  it('refuses a foreign Host for the page and the API, even with the token', async () => {
    const auth = { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' };
    for (const host of ['rebind.example.com', `rebind.example.com:${port}`, `127.0.0.1.nip.io:${port}`, `localhost:${port + 1}`]) {
      const page = await request('/', { Host: host });
      expect([host, page.status]).toEqual([host, 421]);
      expect(page.body).not.toContain('<script');
      expect(JSON.parse(page.body).error.code).toBe('bad-host');
      expect((await request('/api/status', { Host: host, ...auth }, 'POST', '{}')).status).toBe(421);
    }
    expect((await request('/', {})).status).toBe(400); // no Host at all: Node's server refuses HTTP/1.1 without one
  });

  it('serves the loopback names it is reached by: 127.0.0.1, localhost, [::1]', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect([host, (await request('/', { Host: host })).status]).toEqual([host, 200]);
    }
  });

  it('refuses a state-changing request from another origin, allows its own and none (curl)', async () => {
    const headers = { Host: `127.0.0.1:${port}`, Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' };
    const foreign = await request('/api/status', { ...headers, Origin: 'http://evil.example' }, 'POST', '{}');
    expect([foreign.status, JSON.parse(foreign.body).error.code]).toEqual([403, 'bad-origin']);
    expect((await request('/api/status', { ...headers, Origin: `http://localhost:${port}` }, 'POST', '{}')).status).toBe(200);
    expect((await request('/api/status', headers, 'POST', '{}')).status).toBe(200);
  });

  it('checks names by the bound address', () => {
    expect(parseHostHeader('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseHostHeader('a b')).toBeUndefined();
    const remote = new HostCheck('192.0.2.7', 8080);
    expect([remote.host('192.0.2.7:8080'), remote.host('127.0.0.1:8080'), remote.host('modem.example:8080'), remote.host('192.0.2.7')]).toEqual([true, false, false, false]);
    const any = new HostCheck('0.0.0.0', 80);
    expect([any.host('198.51.100.1'), any.host('localhost'), any.host('rebind.example')]).toEqual([true, true, false]);
    expect([any.origin(undefined), any.origin('http://198.51.100.1'), any.origin('https://198.51.100.1'), any.origin('null')]).toEqual([true, true, false, false]);
  });
});

describe('wwan daemon --http beyond loopback', () => {
  const daemonCli = (args: string[]): ReturnType<typeof spawn> =>
    spawn(process.execPath, [WWAN, 'daemon', '--netdev', 'memory', '--no-discover', '--socket', join(dir, `cli-${args.length}.sock`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

  it('is refused without --http-allow-remote (exit 2, nothing listens)', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [WWAN, 'daemon', '--netdev', 'memory', '--no-discover', '--socket', join(dir, 'refused.sock'), '--http', '0.0.0.0:0'], (e, _o, stderr) => resolve({ code: (e as { code?: number } | null)?.code ?? 0, stderr })),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--http 0.0.0.0 is not a loopback address; the dashboard serves loopback only unless --http-allow-remote is given');
  });

  it('serves with --http-allow-remote, with a warning, and still checks Host', async () => {
    const child = daemonCli(['--http', '0.0.0.0:0', '--http-allow-remote']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      let url = '';
      for await (const line of createInterface({ input: child.stdout! })) {
        const e = JSON.parse(line) as { event: string; url?: string };
        if (e.event === 'http') {
          url = e.url!;
          break;
        }
      }
      expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\//);
      expect(stderr).toContain('WARNING: --http-allow-remote');
      const p = Number(new URL(url).port);
      const status = (host: string): Promise<number> =>
        new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port: p, path: '/', headers: { Host: host }, setHost: false }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject));
      expect(await status(`127.0.0.1:${p}`)).toBe(200);
      expect(await status(`rebind.example:${p}`)).toBe(421);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
