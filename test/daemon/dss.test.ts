/**
 * Device service streams through the daemon and the CLI, on simulated mbim-usb and iosm modems:
 * `--pty` read by real programs (cat, socat), the stream joined to stdin/stdout, `wwan links`
 * showing stream links, a reset while open, and the terminal and its name gone after.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../src/daemon/client.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { DSS_SERVICES } from '../../src/sim/mbim-dss.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WWAN } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'wwan-dss-'));
const socket = join(dir, 'wwand.sock');
let daemon: Daemon;
let api: DaemonClient;
const sims: Simulator[] = [];

const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  run(process.execPath, [WWAN, ...args, '--socket', socket]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

/** Resolves with everything `p` printed once `done` holds for it, or fails after `ms`. */
function output(p: ChildProcessWithoutNullStreams, done: (out: string) => boolean, ms = 8000): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching output in time; got ${JSON.stringify(out.slice(0, 300))}`)), ms);
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (done(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

const exited = (p: ChildProcessWithoutNullStreams): Promise<number | null> => new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));

beforeAll(async () => {
  daemon = await Daemon.start({ socket, netdev: async (_m, name) => new MemoryNetdev(name) });
  for (const [id, profile] of [['mbim0', 'mbim-usb'], ['iosm0', 'iosm']] as const) {
    const sim = await Simulator.start({ profile: PROFILES[profile], respond: (_s, p, reply) => reply(p.slice()) });
    sims.push(sim);
    await daemon.manager.add({ id, control: 'mbim', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
  }
  api = await DaemonClient.connect(socket);
  api.onEvent((e) => e.event === 'stream' && streamEvents.push(e));
  await api.call('subscribe');
});

const streamEvents: Record<string, unknown>[] = [];
/** Resolves when the daemon has said that `modem`'s stream `session` is `status`. */
async function streamIs(modem: string, session: number, status: 'open' | 'closed', ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!streamEvents.some((e) => e.modem === modem && e.session === session && e.status === status)) {
    if (Date.now() > end) throw new Error(`stream ${modem}/${session} never ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
afterAll(async () => {
  api.close();
  await daemon.stop();
  for (const s of sims) await s.stop();
});

describe('wwan dss', () => {
  itWithTools(['cat'])('opens NMEA session 0 as a terminal that cat reads, lists it as a stream link, and closes it', async () => {
    const open = await cli('dss', 'open', 'mbim0', '--session', '0', '--service', DSS_SERVICES.nmea.uuid, '--pty');
    expect(open.stderr).toBe('');
    const path = open.stdout.trim();
    expect(path).toBe(join(dir, 'wwan0-dss0'));
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path)).toMatch(/^\/dev\/pts\/\d+$/);
    const cat = spawn('cat', [path]);
    const text = await output(cat, (o) => /\$GPGGA[^\r]*\*[0-9A-F]{2}\r\n/.test(o));
    cat.kill();
    expect(text).toMatch(/\$GPGGA,\d{6}\.00,4807\.038,N,01131\.000,E/);
    const links = await api.call('links');
    expect(links).toContainEqual(expect.objectContaining({ kind: 'stream', modem: 'mbim0', name: 'wwan0-dss0', linkId: 0, framing: 'ntb', status: 'open', service: DSS_SERVICES.nmea.uuid, path, upper: 'dss0' }));
    expect((await cli('links')).stdout).toMatch(/wwan0-dss0 +mbim0 +0 +ntb +\S*wwan0-dss0 +open +DSS stream/);
    const info = await api.call('info', { modem: 'mbim0' });
    expect(info.links).toContainEqual(expect.objectContaining({ kind: 'stream', linkId: 0, upper: 'dss0', lower: `unix:${sims[0]!.ready().modems[0]!.data}` }));
    await expect(api.call('dssOpen', { modem: 'mbim0', session: 0, service: DSS_SERVICES.nmea.uuid })).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('already open') });
    expect((await cli('dss', 'close', 'mbim0', '--session', '0')).code).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(sims[0]!.modems[0]!.dss!.sessions.size).toBe(0);
    expect(await api.call('links')).toEqual([]);
  });

  itWithTools(['socat'])('echoes through a terminal socat writes and reads (iosm)', async () => {
    const view = await api.call('dssOpen', { modem: 'iosm0', session: 1, service: DSS_SERVICES.echo.uuid });
    expect(view.path).toBe(join(dir, 'wwan1-dss1'));
    const socat = spawn('socat', ['-', `${view.path},raw,echo=0`]);
    const echoed = output(socat, (o) => o.includes('hello through DSS 1'));
    socat.stdin.write('hello through DSS 1\n');
    expect(await echoed).toContain('hello through DSS 1');
    socat.kill();
    await api.call('dssClose', { modem: 'iosm0', session: 1 });
  });

  it('joins a stream to stdin and stdout, and closes it on SIGTERM', async () => {
    const p = spawn(process.execPath, [WWAN, 'dss', 'open', 'iosm0', '--session', '2', '--service', DSS_SERVICES.echo.uuid, '--socket', socket]);
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
    const got = output(p, (o) => o.length >= bytes.length);
    // Bytes written before the stream is open would be lost: the test waits until it is.
    await streamIs('iosm0', 2, 'open');
    p.stdin.write(bytes);
    expect(Buffer.from(await got, 'latin1').equals(bytes)).toBe(true);
    p.kill('SIGTERM');
    expect(await exited(p)).toBe(0);
    expect(existsSync(join(dir, 'wwan1-dss2'))).toBe(false);
    expect(daemon.manager.get('iosm0').streams.size).toBe(0);
  });

  it('ends the stream for its reader with the reason when the modem resets, and leaves nothing behind', async () => {
    const p = spawn(process.execPath, [WWAN, 'dss', 'open', 'mbim0', '--session', '3', '--service', DSS_SERVICES.echo.uuid, '--socket', socket]);
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await streamIs('mbim0', 3, 'open');
    expect(existsSync(join(dir, 'wwan0-dss3'))).toBe(true);
    sims[0]!.fault({ fault: 'reset' });
    expect(await exited(p)).toBe(1);
    expect(err).toMatch(/the stream ended: the modem reset/);
    expect(existsSync(join(dir, 'wwan0-dss3'))).toBe(false);
  });

  it('refuses bad input with a clear message', async () => {
    const refused = (params: Record<string, unknown>, method: 'dssOpen' | 'dssClose' = 'dssOpen') => expect(api.call(method, params as never)).rejects;
    // The contract (api.ts) refuses malformed params before the daemon looks at them.
    await refused({ modem: 'mbim0', session: 300, service: DSS_SERVICES.echo.uuid }).toMatchObject({ code: 'bad-params', message: expect.stringContaining('params.session') });
    await refused({ modem: 'mbim0', session: '1' }).toMatchObject({ code: 'bad-params' });
    await refused({ modem: 'mbim0', session: 1, service: 'nmea' }).toMatchObject({ code: 'bad-params', message: expect.stringContaining('a UUID') });
    await refused({ modem: 'mbim0', session: 9 }, 'dssClose').toMatchObject({ message: expect.stringContaining('no open DSS session 9') });
    await refused({ modem: 'nope', session: 1 }).toMatchObject({ code: 'not-found' });
    // The CLI's own check and exit code.
    expect(await cli('dss', 'open', 'mbim0', '--session', 'x', '--pty')).toMatchObject({ code: 2, stderr: expect.stringContaining('0..255') });
  });
});
