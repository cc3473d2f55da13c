/**
 * Hotplug through the simulator's control socket: a modem plugged into a running `wwan sim` is found by
 * the daemon watching it (`--sim-control`), one unplugged is dropped with its bearer, the others stay.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src/daemon/api.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WWAN } from '../support/capture.js';
import { simControl } from '../support/daemon-process.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { until } from '../support/managed.js';
import { join } from 'node:path';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), `wwan-simhotplug-${process.pid}-`));
let sim: Simulator;
let daemon: Daemon;
const events: ApiEvent[] = [];

const ctl = async (...args: string[]): Promise<Record<string, unknown>> => JSON.parse((await run(process.execPath, [WWAN, 'sim', 'ctl', '--control', sim.controlPath, ...args])).stdout) as Record<string, unknown>;

beforeAll(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
  daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n), simControl: [sim.controlPath] });
  daemon.onEvent((e) => events.push(e));
});
afterAll(async () => {
  await daemon?.stop();
  await sim?.stop();
});

describe("hotplug through the simulator's control socket", () => {
  it('adds a modem plugged in after start, and drops one unplugged with its bearer while the other stays up', async () => {
    expect((await daemon.request('list')).map((m) => m.id)).toEqual(['modem0']);
    const kept = await daemon.request('connect', { modem: 'modem0', apn: 'internet' });
    expect(await ctl('plug')).toEqual({ ok: true, modem: 'modem1' });
    await until(() => events.some((e) => e.event === 'state' && e.modem === 'modem1' && e.state === 'registered'), 15_000, 'modem1 registered');
    expect(events.some((e) => e.event === 'modem-added' && e.modem === 'modem1')).toBe(true);
    const b = await daemon.request('connect', { modem: 'modem1', apn: 'internet' });
    expect(b.status).toBe('connected');
    expect(await ctl('unplug', 'modem=modem1')).toEqual({ ok: true, modem: 'modem1' });
    await until(() => events.some((e) => e.event === 'modem-removed' && e.modem === 'modem1'), 15_000, 'modem1 removed');
    expect((await daemon.request('list')).map((m) => [m.id, m.bearers.map((x) => [x.id, x.status])])).toEqual([['modem0', [[kept.id, 'connected']]]]);
    expect((await daemon.request('links')).map((l) => l.modem)).toEqual(['modem0']);
    expect(await simControl(sim.controlPath, { fault: 'unplug', modem: 'modem7' })).toMatchObject({ ok: false, error: expect.stringContaining('no modem "modem7"') });
  });
});
