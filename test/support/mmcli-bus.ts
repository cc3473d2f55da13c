/**
 * The real mmcli against wwankit's D-Bus service on a private dbus-daemon: the bus (optionally with the
 * policy we ship), an mmcli that talks to it, and a daemon managing simulated modems with the service
 * on that bus. Shared by the test/dbus/mmcli*.test.ts files.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import dbus from 'dbus-next';
import { expect } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { ModemManagerService } from '../../src/dbus/service.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import type { SimProfile } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';

const run = promisify(execFile);

export interface PrivateBus {
  address: string;
  stop(): void;
}

/** A system-type bus in `dir` that lets anyone connect, own and eavesdrop; with `policy`, the shipped policy for ModemManager's name on top. */
export async function startPrivateBus(dir: string, options: { policy?: boolean } = {}): Promise<PrivateBus> {
  const include = options.policy ? `<include>${resolve('dbus/org.freedesktop.ModemManager1.conf')}</include>` : '';
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${join(dir, 'bus.sock')}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>${include}</busconfig>
`,
  );
  const bus: ChildProcess = spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--print-address', '--nofork', '--nopidfile', '--nosyslog'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((ok, fail) => {
    createInterface({ input: bus.stdout! }).once('line', (l) => ok(l.trim()));
    bus.once('exit', (code) => fail(new Error(`dbus-daemon exited with ${code}`)));
  });
  return { address, stop: () => void bus.kill() };
}

export interface MmcliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** mmcli on the bus at `address`; `prefix` runs it through another program (e.g. setpriv as another user). */
export function mmcliOn(address: string, options: { timeoutMs?: number; prefix?: string[] } = {}) {
  const [cmd, ...pre] = [...(options.prefix ?? []), 'mmcli'];
  const mmcli = (...args: string[]): Promise<MmcliResult> =>
    run(cmd!, [...pre, ...args], { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address }, timeout: options.timeoutMs ?? 15_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: MmcliResult) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  /** Runs mmcli, expects success, and answers its output without colours. */
  const ok = async (...args: string[]): Promise<string> => {
    const r = await mmcli(...args);
    expect(r.code, `mmcli ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return stripColours(r.stdout);
  };
  return { mmcli, ok };
}

const stripColours = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The value on a line of mmcli's output, e.g. field(out, 'manufacturer'), without mmcli's colours. */
export const field = (out: string, name: string): string | undefined => {
  const v = new RegExp(`\\|\\s+${name}: (.*)$`, 'm').exec(out)?.[1];
  return v === undefined ? undefined : stripColours(v).trim();
};

export interface SimsOnBus {
  dir: string;
  bus: PrivateBus;
  sim: Simulator;
  daemon: Daemon;
  service: ModemManagerService;
  /** Stops the service, the daemon, the simulator and the bus, and removes `dir`. */
  stop(): Promise<void>;
}

/** A simulator with `modems` modems of `profile`, a daemon managing them (netdevs in memory), and the D-Bus service on a private bus. */
export async function simsOnBus(options: { tag: string; profile: SimProfile; modems?: number; seed?: number; policy?: boolean; goneAfterMs?: number }): Promise<SimsOnBus> {
  const dir = mkdtempSync(join(tmpdir(), `wwan-dbus-${options.tag}-${process.pid}-`));
  const started: { bus?: PrivateBus; sim?: Simulator; daemon?: Daemon; service?: ModemManagerService } = {};
  const stop = async (): Promise<void> => {
    await started.service?.stop();
    await started.daemon?.stop();
    await started.sim?.stop();
    started.bus?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    started.bus = await startPrivateBus(dir, { policy: options.policy });
    started.sim = await Simulator.start({ profile: options.profile, modems: options.modems ?? 1, seed: options.seed ?? 1, dir });
    started.daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: async (_m, n) => new MemoryNetdev(n) });
    for (const m of started.sim.ready().modems) {
      await started.daemon.manager.add({ id: m.id, control: options.profile.control, port: `unix:${m.ports[0]!.socket}`, ...(options.goneAfterMs ? { goneAfterMs: options.goneAfterMs } : {}) });
    }
    started.service = await ModemManagerService.start(started.daemon, { bus: started.bus.address });
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, bus: started.bus, sim: started.sim, daemon: started.daemon, service: started.service, stop };
}

export interface PropertiesWatch {
  /** Every PropertiesChanged seen, in order: the interface and the changed values (unwrapped). */
  seen: { iface: string; changed: Record<string, unknown> }[];
  /** The last value seen for `property` of `iface`, undefined while none was. */
  last(iface: string, property: string): unknown;
  stop(): void;
}

/** A D-Bus client of its own that records the PropertiesChanged signals of the modem object at `path`. */
export async function watchProperties(address: string, path: string): Promise<PropertiesWatch> {
  const bus = dbus.sessionBus({ busAddress: address });
  const props = (await bus.getProxyObject('org.freedesktop.ModemManager1', path)).getInterface('org.freedesktop.DBus.Properties');
  const seen: PropertiesWatch['seen'] = [];
  props.on('PropertiesChanged', (iface: string, changed: Record<string, dbus.Variant>) => {
    seen.push({ iface, changed: Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.value])) });
  });
  // The match rule is in place once a call made after it has come back.
  await props.GetAll!('org.freedesktop.ModemManager1.Modem');
  return {
    seen,
    last: (iface, property) => seen.filter((x) => x.iface === iface && property in x.changed).at(-1)?.changed[property],
    stop: () => bus.disconnect(),
  };
}
