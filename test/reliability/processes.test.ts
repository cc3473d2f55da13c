/**
 * Issue 18 with the daemon and the simulator in separate processes, as a hostile tester ran them:
 * client ids across many network disconnects (finding 1), a daemon killed with SIGKILL again and
 * again (finding 2), a wrong PIN file across restarts (finding 3), a simulator killed with SIGKILL and
 * started again in the same folder (finding 9).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../src/daemon/client.js';
import { eventually, simControl, startDaemon, type DaemonProcess, type SimClients } from '../support/daemon-process.js';
import { startSim, type SimProcess } from '../support/sim-process.js';
import { WWAN } from '../support/capture.js';
import { itWithTun, testNetnsName } from '../net/root.js';

const tunIt = itWithTun(['ping']);

const run = promisify(execFile);

let dir: string;
let sims: SimProcess[] = [];
let daemons: DaemonProcess[] = [];
let clients: DaemonClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) await d.kill('SIGKILL');
  for (const s of sims) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
  sims = [];
  daemons = [];
  clients = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fresh = (): string => (dir = mkdtempSync(join(tmpdir(), `wwan-rel-${process.pid}-`)));

async function sim(args: string[]): Promise<SimProcess> {
  const s = await startSim(args);
  sims.push(s);
  return s;
}

async function daemon(socket: string, args: string[]): Promise<{ d: DaemonProcess; c: DaemonClient }> {
  const d = await startDaemon(socket, args);
  daemons.push(d);
  const c = await d.client();
  clients.push(c);
  return { d, c };
}

const info = (c: DaemonClient, modem = 'modem0') => c.call('info', { modem });
const simClients = async (control: string): Promise<SimClients['modems'][number]> => (await simControl<SimClients>(control, { query: 'clients' })).modems[0]!;
const clientCount = (m: SimClients['modems'][number]): number => Object.values(m.qmiClients).reduce((n, ids) => n + ids.length, 0);

describe('daemon and simulator in separate processes', () => {
  it('finding 1: ten disconnects with two PDNs up leave the WDS client ids bounded, every bearer back, and SIGTERM prompt', async () => {
    const s = await sim(['--profile', 'qmi-rmnet', '--dir', fresh()]);
    const { d, c } = await daemon(join(dir, 'd.sock'), ['--sim-control', s.ready.control]);
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4' });
    await c.call('connect', { modem: 'modem0', apn: 'ims', ipType: 'ipv4v6' });
    const held = (await simClients(s.ready.control)).qmiClients.wds!.length;
    expect(held).toBe(3);
    for (let i = 0; i < 10; i++) {
      expect(await simControl(s.ready.control, { fault: 'disconnect' })).toMatchObject({ ok: true, dropped: 3 });
      await eventually(async () => (await info(c)).bearers.every((b) => b.status === 'connected') && (await simClients(s.ready.control)).sessions.length === 3, 15_000, `both bearers back after disconnect ${i + 1}`);
      expect((await simClients(s.ready.control)).qmiClients.wds!.length).toBe(held);
    }
    const stopped = await d.kill('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    // A clean stop hands every client id back and ends its calls.
    const after = await simClients(s.ready.control);
    expect(after).toMatchObject({ qmiClients: {}, sessions: [] });
  }, 120_000);

  it('SIGTERM stops the daemon promptly when the modem has stopped answering', async () => {
    const s = await sim(['--profile', 'qmi-rmnet', '--dir', fresh()]);
    const { d, c } = await daemon(join(dir, 'd.sock'), ['--sim-control', s.ready.control]);
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4' });
    await c.call('connect', { modem: 'modem0', apn: 'ims', ipType: 'ipv4v6' });
    expect(await simControl(s.ready.control, { fault: 'drop-responses' })).toEqual({ ok: true });
    const stopped = await d.kill('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
  }, 60_000);

  it('finding 2: 35 daemons killed with SIGKILL, one with a call up, leave a modem the next one probes and connects', async () => {
    const s = await sim(['--profile', 'qmi-rmnet', '--dir', fresh()]);
    const socket = join(dir, 'd.sock');
    for (let i = 0; i < 35; i++) {
      const { d, c } = await daemon(socket, ['--sim-control', s.ready.control]);
      expect((await info(c)).state).toBe('registered');
      if (i === 34) await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4v6' });
      await d.kill('SIGKILL');
    }
    // The last killed daemon left its call to 'internet' (one PDN allowed) and its client ids.
    const left = await simClients(s.ready.control);
    expect(left.sessions.map((x) => x.apn)).toEqual(['internet', 'internet']);
    const { c } = await daemon(socket, ['--sim-control', s.ready.control]);
    expect((await info(c)).state).toBe('registered');
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4' });
    const now = await simClients(s.ready.control);
    expect(now.sessions).toHaveLength(1);
    // This daemon's own: DMS, NAS, UIM, WMS (messaging) and one WDS client, whatever its predecessors held.
    expect(clientCount(now)).toBe(5);
  }, 240_000);

  it('finding 2 (MBIM): a session left up by a killed daemon does not block the next connect to its APN', async () => {
    const s = await sim(['--profile', 'mbim-usb', '--dir', fresh()]);
    const socket = join(dir, 'd.sock');
    const first = await daemon(socket, ['--sim-control', s.ready.control]);
    await first.c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4v6' });
    await first.d.kill('SIGKILL');
    expect((await simClients(s.ready.control)).sessions.map((x) => x.apn)).toEqual(['internet']);
    const { c } = await daemon(socket, ['--sim-control', s.ready.control]);
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4v6' });
    expect((await simClients(s.ready.control)).sessions).toHaveLength(1);
  }, 60_000);

  it('finding 3: a wrong PIN file costs one try, not one per restart', async () => {
    const s = await sim(['--profile', 'qmi-rmnet', '--pin-locked', '--pin', '1357', '--dir', fresh()]);
    const pinFile = join(dir, 'pin');
    writeFileSync(pinFile, '0000\n', { mode: 0o600 });
    const socket = join(dir, 'd.sock');
    for (let i = 0; i < 4; i++) {
      const { d, c } = await daemon(socket, ['--sim-control', s.ready.control, '--pin-file', pinFile]);
      expect(await info(c)).toMatchObject({ state: 'locked', sim: { status: 'pin-required', pinRetries: 2 } });
      await (i % 2 ? d.kill('SIGKILL') : d.kill('SIGTERM'));
    }
    // The right PIN in the file: tried, and the SIM opens.
    writeFileSync(pinFile, '1357\n');
    const { c } = await daemon(socket, ['--sim-control', s.ready.control, '--pin-file', pinFile]);
    expect(await info(c)).toMatchObject({ state: 'registered', sim: { status: 'ready' } });
  }, 90_000);

  it('finding 9: a simulator killed with SIGKILL is removed with its links, and found again when it restarts in the same folder', async () => {
    const folder = fresh();
    const s = await sim(['--profile', 'qmi-rmnet', '--dir', folder]);
    const { c } = await daemon(join(dir, 'd.sock'), ['--sim-control', s.ready.control]);
    const events: Record<string, unknown>[] = [];
    const watcher = await (daemons[0]!.client());
    clients.push(watcher);
    watcher.onEvent((e) => events.push(e));
    await watcher.call('subscribe');
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4' });
    expect(await c.call('links')).toHaveLength(1);
    s.child.kill('SIGKILL');
    await eventually(async () => events.some((e) => e.event === 'modem-removed' && e.modem === 'modem0'), 10_000, 'modem-removed');
    expect(await c.call('list')).toEqual([]);
    expect(await c.call('links')).toEqual([]);
    // The stale sockets are taken over; the daemon finds the modem again.
    const again = await sim(['--profile', 'qmi-rmnet', '--dir', folder]);
    expect(again.ready.control).toBe(s.ready.control);
    await eventually(async () => (await c.call('list')).some((m) => m.id === 'modem0' && m.state === 'registered'), 10_000, 'modem found again');
    expect(events.some((e) => e.event === 'modem-added' && e.modem === 'modem0')).toBe(true);
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4' });
  }, 60_000);

  tunIt('TUN links moved on the datapath thread: pinged, counted, gone with a daemon killed by SIGKILL, and made again by the next', async () => {
    const s = await sim(['--profile', 'qmi-rmnet', '--dir', fresh(), '--tun-netns', testNetnsName('rel-thread')]);
    const ping = async (l: { name: string }, gateway: string): Promise<number> => {
      const r = await run('ping', ['-c', '2', '-i', '0.2', '-W', '1', '-I', l.name, gateway]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
      return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
    };
    for (let round = 0; round < 2; round++) {
      const { d, c } = await daemon(join(dir, `d${round}.sock`), ['--netdev', 'tun', '--sim-control', s.ready.control]);
      expect(d.stderr()).toContain('on a thread of its own');
      const b = await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4' });
      const [link] = await c.call('links');
      expect(link).toMatchObject({ backend: 'tun', framing: 'qmap', lower: expect.any(String) });
      expect(await ping(link!, b.ipv4!.gateway!)).toBe(2);
      const [after] = await c.call('links');
      expect(after!.counters.txPackets).toBeGreaterThanOrEqual(2);
      expect(after!.counters.rxPackets).toBeGreaterThanOrEqual(2);
      expect((await info(c)).dataStats).toMatchObject({ thread: 'running', transfersIn: expect.any(Number), streamDropsToModem: 0 });
      expect((await run('ip', ['link', 'show', 'dev', link!.name])).stdout).toContain(link!.name);
      await d.kill('SIGKILL');
      // The process's fds went with it, and so did its TUNs.
      await expect(run('ip', ['link', 'show', 'dev', link!.name])).rejects.toThrow();
    }
  }, 90_000);

  it('wwan sim ctl … clients prints the client ids per service and the calls up, per modem', async () => {
    const s = await sim(['--profile', 'mbim-usb', '--pin-locked', '--dir', fresh()]);
    const qmi = await sim(['--profile', 'qmi-rmnet', '--dir', mkdtempSync(join(dir, 'q-'))]);
    const { c } = await daemon(join(dir, 'd.sock'), ['--sim-control', qmi.ready.control, '--sim-control', s.ready.control]);
    await c.call('connect', { modem: 'modem0', apn: 'internet', ipType: 'ipv4v6' });
    const ctl = async (control: string): Promise<SimClients> => JSON.parse((await run(process.execPath, [WWAN, 'sim', 'ctl', '--control', control, 'clients'])).stdout) as SimClients;
    const q = (await ctl(qmi.ready.control)).modems[0]!;
    expect(q).toMatchObject({ id: 'modem0', qmiClients: { dms: [expect.any(Number)], nas: [expect.any(Number)], uim: [expect.any(Number)] } });
    expect(q.qmiClients.wds).toHaveLength(2);
    expect(q.sessions.map((x) => [x.apn, x.linkId])).toEqual([['internet', 1], ['internet', 1]]);
    // The MBIM simulator's SIM is locked (any profile takes --pin-locked), and the daemon holds it open.
    expect(await c.call('info', { modem: 'sim1.modem0' })).toMatchObject({ state: 'locked', sim: { status: 'pin-required', pinRetries: 3 } });
    expect((await ctl(s.ready.control)).modems[0]).toEqual({ id: 'modem0', qmiClients: {}, mbimOpen: 1, sessions: [] });
  }, 30_000);

  it('a second simulator in a folder where one runs is refused; a regular file is never removed', async () => {
    const folder = fresh();
    await sim(['--profile', 'qmi-rmnet', '--dir', folder]);
    await expect(startSim(['--profile', 'qmi-rmnet', '--dir', folder])).rejects.toThrow(/in use/);
    const other = mkdtempSync(join(tmpdir(), `wwan-rel-f-${process.pid}-`));
    try {
      writeFileSync(join(other, 'modem0.qmi.sock'), 'data');
      await expect(startSim(['--profile', 'qmi-rmnet', '--dir', other])).rejects.toThrow(/not a socket/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);
});
