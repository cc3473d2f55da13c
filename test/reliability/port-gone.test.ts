/**
 * Issue 18, finding 9 for any port: a control port that stays missing (unplugged modem, dead
 * simulator) removes the modem with its links and a modemRemoved event; when the port is back the
 * modem is found again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Manager } from '../../src/modem/manager.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { until } from '../support/managed.js';

let manager: Manager | undefined;
let sim: Simulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await manager?.close();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  manager = sim = dir = undefined;
});

describe('a control port that is gone', () => {
  it('removes the modem and its links, and finds it again when the port is back', async () => {
    dir = mkdtempSync(join(tmpdir(), `wwan-gone-${process.pid}-`));
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], dir });
    const netdevs: MemoryNetdev[] = [];
    manager = new Manager(async (_m, name) => {
      const n = new MemoryNetdev(name);
      netdevs.push(n);
      return n;
    });
    const events: string[] = [];
    manager.on('modemRemoved', (id) => events.push(`removed ${id}`));
    manager.on('modemAdded', (id) => events.push(`added ${id}`));
    const ready = sim.ready().modems[0]!;
    const modem = await manager.add({ id: 'm0', control: 'qmi', port: `unix:${ready.ports[0]!.socket}`, dataPipe: ready.data, goneAfterMs: 300 });
    const bearer = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    expect(bearer.netdev).toBeDefined();
    await sim.stop();
    await until(() => events.includes('removed m0'), 10_000);
    expect(manager.modems.size).toBe(0);
    expect(bearer.netdev).toBeUndefined();
    expect(netdevs).toHaveLength(1);
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], dir });
    await until(() => events.at(-1) === 'added m0', 10_000);
    expect(manager.get('m0').state).toBe('registered');
  });
});
