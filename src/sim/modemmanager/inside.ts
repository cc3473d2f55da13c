/**
 * The part of `wwan sim --with-modemmanager` that lives inside the private mount and network
 * namespaces (run by `unshare -m -n --propagation private`): mounts the fake sysfs over /sys and a
 * tmpfs on /dev, starts the simulator behind qmi-proxy/mbim-proxy, the private dbus-daemon, the polkit
 * stand-in and ModemManager, and tells the parent on stdout (JSON lines: `pid`, then `ready`). The
 * mounts vanish with the namespace when these processes end.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import dbus from 'dbus-next';
import { PROFILES, isProfileName } from '../profiles.js';
import { Simulator } from '../simulator.js';
import { busConfig } from './bus-config.js';
import { servePolkit } from './polkit.js';
import { MODEMMANAGER, type InsideConfig } from './harness.js';
import { kernelEvents, writeFakeSysfs, type FakePorts } from './sysfs.js';

const run = promisify(execFile);

const MM = 'org.freedesktop.ModemManager1';
/** MMModemState: failed -1, unknown 0, initializing 1; anything above is a settled modem. */
const SETTLED = (state: number): boolean => state === -1 || state > 1;

const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const log = (line: string): void => void process.stderr.write(`[mm-harness] ${line}\n`);

/** /dev as ModemManager needs it: the usual nodes from the host, devpts, and a control node per modem. */
async function mountDev(stage: string, ports: FakePorts[]): Promise<void> {
  mkdirSync(stage);
  await run('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=1m', 'wwan-dev', stage]);
  for (const node of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx']) {
    writeFileSync(join(stage, node), '');
    await run('mount', ['--bind', `/dev/${node}`, join(stage, node)]);
  }
  mkdirSync(join(stage, 'pts'));
  await run('mount', ['--bind', '/dev/pts', join(stage, 'pts')]);
  symlinkSync('/proc/self/fd', join(stage, 'fd'));
  for (const p of ports) await run('mknod', ['-m', '0600', join(stage, p.control), 'c', String(p.major), String(p.minor)]);
  await run('mount', ['--move', stage, '/dev']);
}

/** Waits for `count` modems on ModemManager's bus, each past initialization; returns their object paths. */
async function settledModems(bus: dbus.MessageBus, count: number, exited: () => string | undefined): Promise<{ path: string; state: number; device: string }[]> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      const root = await bus.getProxyObject(MM, '/org/freedesktop/ModemManager1');
      const objects = (await root.getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects!()) as Record<string, Record<string, Record<string, dbus.Variant>>>;
      const modems = Object.entries(objects).flatMap(([path, ifaces]) => {
        const m = ifaces[`${MM}.Modem`];
        return m ? [{ path, state: Number(m.State?.value), device: String(m.PrimaryPort?.value) }] : [];
      });
      if (modems.length >= count && modems.every((m) => SETTLED(m.state))) return modems;
    } catch {
      // ModemManager not on the bus yet.
    }
    if (Date.now() > deadline) throw new Error(`ModemManager did not list ${count} settled modem(s) in 45 s (see its log)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(config: InsideConfig): Promise<number> {
  if (!isProfileName(config.profile)) throw new Error(`unknown profile ${config.profile}`);
  const base = PROFILES[config.profile];
  const profile = { ...base, firmware: { ...base.firmware, ...(config.pinLocked ? { pinLocked: true } : {}), ...(config.personalization.length > 0 ? { personalization: config.personalization } : {}) } };
  const ports = writeFakeSysfs(join(config.dir, 'sys'), profile, config.modems);
  writeFileSync(join(config.dir, 'kernel-events'), `${kernelEvents(ports).join('\n')}\n`);

  const children: ChildProcess[] = [];
  let sim: Simulator | undefined;
  let bus: dbus.MessageBus | undefined;
  let exitReason: string | undefined;
  let stopping = false;
  let wake: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    wake = resolve;
    // Kept for every signal: a repeated one (Ctrl-C reaches the whole process group) must not cut the cleanup short.
    process.on('SIGTERM', () => resolve());
    process.on('SIGINT', () => resolve());
  });
  const start = (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    children.push(child);
    emit({ event: 'pid', name, pid: child.pid });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      exitReason ??= `${name} exited unexpectedly (${signal ?? `code ${code}`})`;
      wake();
    });
    child.once('error', (e) => {
      exitReason ??= `${name} failed to start: ${e.message}`;
      wake();
    });
    return child;
  };
  const stop = async (): Promise<void> => {
    stopping = true;
    bus?.disconnect();
    // ModemManager first, so it does not see its bus vanish; each by its PID.
    for (const c of [...children].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    await sim?.stop();
  };

  let failed: Error | undefined;
  try {
    mkdirSync(join(config.dir, 'sim'));
    sim = await Simulator.start({ profile, modems: config.modems, seed: config.seed, proxy: true, dir: join(config.dir, 'sim'), log: (l) => log(`sim: ${l}`) });
    sim.modems.forEach((m, i) => m.alias(`/dev/${ports[i]!.control}`));
    // After the simulator, whose ptys come from the host's devpts.
    await mountDev(join(config.dir, 'dev'), ports);
    await run('mount', ['--bind', join(config.dir, 'sys'), '/sys']);

    const socket = join(config.dir, 'bus.sock');
    writeFileSync(join(config.dir, 'dbus.conf'), busConfig(socket));
    const daemon = start('dbus-daemon', 'dbus-daemon', ['--config-file', join(config.dir, 'dbus.conf'), '--nofork', '--nopidfile', '--print-address']);
    const address = await new Promise<string>((resolve, reject) => {
      daemon.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
      daemon.once('exit', () => reject(new Error(exitReason ?? 'dbus-daemon exited')));
      daemon.once('error', reject);
    });
    bus = dbus.sessionBus({ busAddress: address });
    await servePolkit(bus);

    const mm = start('ModemManager', MODEMMANAGER, [
      '--test-no-udev', '--test-no-qrtr', '--test-no-suspend-resume', '--no-auto-scan',
      `--initial-kernel-events=${join(config.dir, 'kernel-events')}`, '--debug', `--log-file=${config.modemManagerLog}`,
    ], { DBUS_SYSTEM_BUS_ADDRESS: address });
    mm.stdout!.resume();
    const modems = await settledModems(bus, config.modems, () => exitReason);
    // Before the ready line: once ready, only a process exit may end the harness, so its reason is the one reported.
    const manager = (await bus.getProxyObject(MM, '/org/freedesktop/ModemManager1')).getInterface(MM);
    const byDevice = (device: string) => modems.find((m) => m.device === device || m.device.endsWith(`/${device}`));
    emit({
      event: 'ready',
      dbus: address,
      control: sim.controlPath,
      modemManagerLog: config.modemManagerLog,
      modems: sim.modems.map((m, i) => ({ id: m.id, profile: m.profile.name, device: `/dev/${ports[i]!.control}`, net: ports[i]!.net, path: byDevice(ports[i]!.control)?.path })),
    });

    // A reset re-enumerates the modem: the kernel removes its ports and adds them again.
    const report = (p: FakePorts, action: 'add' | 'remove') =>
      Promise.all(kernelEvents([p], action).map((line) => {
        const props = Object.fromEntries(line.split(',').map((kv) => kv.split('=') as [string, string]).map(([k, v]) => [k, new dbus.Variant('s', v)]));
        return manager.ReportKernelEvent!(props);
      }));
    sim.modems.forEach((m, i) => m.firmware.on('reset', () => {
      const p = ports[i]!;
      log(`${m.id} reset: reporting ${p.control} and ${p.net} removed and added again`);
      report(p, 'remove').then(() => report(p, 'add')).catch((e: Error) => log(`kernel events for ${m.id} failed: ${e.message}`));
    }));

    await ended;
    if (exitReason) failed = new Error(exitReason);
  } catch (e) {
    failed = e as Error;
  }
  await stop();
  if (failed) {
    log(failed.message);
    return 1;
  }
  return 0;
}

main(JSON.parse(process.argv[2] ?? '{}') as InsideConfig).then(
  (code) => process.exit(code),
  (e: Error) => {
    log(e.message);
    process.exit(1);
  },
);
