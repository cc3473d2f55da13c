/** The daemon's API and the CLI over it, against simulated modems. */
import { execFile } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient, DaemonError } from '../../src/daemon/client.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { WWAN } from '../support/capture.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'wwan-daemon-'));
const socket = join(dir, 'wwand.sock');
const logs: string[] = [];
let daemon: Daemon;

const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  run(process.execPath, [WWAN, ...args, '--socket', socket]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

beforeAll(async () => {
  daemon = await daemonWithSims({ socket, netdev: async (_m, name) => new MemoryNetdev(name), log: (l) => logs.push(l) }, ['qmi-rmnet:2']);
});
afterAll(async () => daemon.stop());

describe('wwan daemon', () => {
  it('listens on a unix socket with mode 0660 and refuses to start twice', async () => {
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    await expect(Daemon.start({ socket, netdev: async (_m, n) => new MemoryNetdev(n) })).rejects.toThrow(/another daemon/);
  });

  it('lists modems and shows one', async () => {
    const list = await cli('list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((m: { id: string; state: string }) => [m.id, m.state])).toEqual([['sim0', 'registered'], ['sim1', 'registered']]);
    const info = await cli('info', 'sim1');
    expect(info.stdout).toMatch(/sim1: Quectel RM500Q-GL[\s\S]*SIM +ready[\s\S]*registration home on wwankit \(5gnr\)/);
  });

  it('connects two PDNs with a password from a file it never shows, lists the links, disconnects', async () => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, 's3cret-pw\n', { mode: 0o600 });
    const a = await cli('connect', 'sim0', '--apn', 'internet', '--auth', 'chap', '--user', 'bob', '--password-file', pw, '--json');
    expect(a.code).toBe(0);
    const bearer = JSON.parse(a.stdout);
    expect(bearer).toMatchObject({ status: 'connected', linkId: 1, interface: 'wwan0.1', apn: 'internet', request: { user: 'bob' } });
    expect(a.stdout + a.stderr).not.toContain('s3cret');
    const b = await cli('connect', 'sim0', '--apn', 'ims', '--ip-type', 'ipv4v6', '--link-id', '5');
    expect(b.stdout).toMatch(/bearer \d+: connected on link 5 \(wwan0\.5\), APN ims\n {2}IPv4 10\.64\.\d+\.2\/24[\s\S]*IPv6 2001:db8:64:/);
    const links = JSON.parse((await cli('links', '--json')).stdout);
    expect(links.map((l: { name: string; framing: string }) => [l.name, l.framing])).toEqual([['wwan0.1', 'qmap'], ['wwan0.5', 'qmap']]);
    expect(JSON.stringify(logs)).not.toContain('s3cret');
    expect((await cli('disconnect', 'sim0', '--link-id', '5')).stdout).toBe('disconnected 1 bearer(s)\n');
    expect((await cli('disconnect', 'sim0', '--all')).code).toBe(0);
    expect(JSON.parse((await cli('links', '--json')).stdout)).toEqual([]);
  });

  it('gives exit codes scripts can rely on, and messages that say what to do', async () => {
    const refused = await cli('connect', 'sim1', '--apn', 'nope');
    expect([refused.code, refused.stderr]).toEqual([1, 'wwan: the network refused APN nope: CallFailed: unknown-apn (3GPP cause 27)\n']);
    const bad = await cli('connect', 'sim1', '--apn', 'bad apn!');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('letters, digits');
    const missing = await cli('info', 'sim9');
    expect([missing.code, missing.stderr]).toEqual([4, 'wwan: no modem "sim9"; known: sim0, sim1 (see `wwan list`)\n']);
    const gone = await run(process.execPath, [WWAN, 'list', '--socket', join(dir, 'none.sock')]).catch((e: { code: number; stderr: string }) => e);
    expect((gone as { code: number }).code).toBe(3);
    expect((gone as { stderr: string }).stderr).toContain('start one with `wwan daemon`');
  });

  it('traces control messages with secrets overwritten, and survives a tracer that vanishes mid-stream', async () => {
    const pw = join(dir, 'pw2');
    writeFileSync(pw, 'tr4ce-secret\n');
    // Nobody traces: the manager is not asked for (redacted) control messages at all.
    expect(daemon.manager.listenerCount('trace')).toBe(0);
    const tracer = await DaemonClient.connect(socket);
    const lines: Record<string, unknown>[] = [];
    tracer.onEvent((e) => lines.push(e));
    await tracer.call('trace');
    expect(daemon.manager.listenerCount('trace')).toBe(1);
    // A second tracer that disappears while messages flow.
    const quitter = net.connect(socket);
    await new Promise((r) => quitter.once('connect', r));
    quitter.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'trace' })}\n`);
    await new Promise((r) => setTimeout(r, 50));
    quitter.destroy();
    const r = await cli('connect', 'sim1', '--apn', 'internet', '--user', 'u', '--password-file', pw);
    expect(r.code).toBe(0);
    expect(lines.some((e) => String(e.summary).includes('wds startNetwork request'))).toBe(true);
    const start = lines.find((e) => String(e.summary).includes('startNetwork request'))!;
    expect(Buffer.from(String(start.hex), 'hex').toString('latin1')).toContain('************');
    expect(JSON.stringify(lines)).not.toContain(Buffer.from('tr4ce-secret').toString('hex'));
    expect((await cli('disconnect', 'sim1', '--all')).code).toBe(0);
    tracer.close();
    // The last tracer gone, the tap is removed again.
    for (let i = 0; i < 100 && daemon.manager.listenerCount('trace') > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(daemon.manager.listenerCount('trace')).toBe(0);
  });

  it('streams events to subscribers and survives clients that vanish mid-request or send junk', async () => {
    const events: Record<string, unknown>[] = [];
    const watcher = await DaemonClient.connect(socket);
    watcher.onEvent((e) => events.push(e));
    await watcher.call('subscribe');
    // A client asks for a connect and disappears before the answer.
    const quitter = net.connect(socket);
    await new Promise((r) => quitter.once('connect', r));
    quitter.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'connect', params: { modem: 'sim1', apn: 'internet' } })}\n`);
    quitter.destroy();
    const junk = net.connect(socket);
    junk.write('not json\n{"id": "x"}\n');
    const answer = await new Promise<string>((r) => junk.once('data', (d) => r(d.toString())));
    expect(JSON.parse(answer.split('\n')[0]!)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700, data: { name: 'parse-error' } } });
    junk.destroy();
    const c = await DaemonClient.connect(socket);
    await expect(c.call('info', { modem: 12 as unknown as string })).rejects.toThrow(DaemonError);
    const deadline = Date.now() + 3000;
    while (!events.some((e) => e.event === 'bearer' && (e.bearer as { status: string }).status === 'connected') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(events.find((e) => e.event === 'bearer')).toMatchObject({ modem: 'sim1' });
    await c.call('disconnect', { modem: 'sim1', all: true });
    c.close();
    watcher.close();
  });
});
