/**
 * The guest side of `wwan vm run` (started by scripts/vm-guest-init.sh inside the VM): plugs the
 * simulated modems in over USB, waits until the kernel's drivers have bound them (a cdc-wdm control
 * device and a netdev each), runs the command with its stdout/stderr on their virtio serial ports,
 * reports its exit status on the events port and powers the machine off.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES } from '../sim/profiles.js';
import { Simulator } from '../sim/simulator.js';
import { GUEST_RUN_DIR, PORTS, type GuestEvent, type VmJob } from './job.js';

const BIND_TIMEOUT_MS = 60_000;
const uptime = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

/** The virtio serial ports by name (no udev here for /dev/virtio-ports links). */
function ports(): Map<string, string> {
  const found = new Map<string, string>();
  const dir = '/sys/class/virtio-ports';
  for (const p of existsSync(dir) ? readdirSync(dir) : []) {
    const name = readFileSync(join(dir, p, 'name'), 'utf8').trim();
    if (name) found.set(name, `/dev/${p}`);
  }
  return found;
}

/** Bound modems: each cdc-wdm control device with its netdev and driver. */
function boundDevices(): { control: string; netdev: string; driver: string }[] {
  const dir = '/sys/class/usbmisc';
  const out: { control: string; netdev: string; driver: string }[] = [];
  for (const wdm of existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('cdc-wdm')) : []) {
    const dev = join(dir, wdm, 'device');
    const netdev = existsSync(join(dev, 'net')) ? readdirSync(join(dev, 'net'))[0] : undefined;
    if (!netdev || !existsSync(`/dev/${wdm}`)) continue;
    out.push({ control: `/dev/${wdm}`, netdev, driver: basename(readlinkSync(join(dev, 'driver'))) });
  }
  return out;
}

/** The kernel's last USB lines, for a modem that did not come up. */
function kernelLog(): Promise<string> {
  return new Promise((res) => {
    execFile('dmesg', [], (_e, stdout) => res(stdout.split('\n').filter((l) => /usb|cdc|qmi|wdm|mbim|gadget|udc/i.test(l)).slice(-25).join('\n')));
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(join(GUEST_RUN_DIR, 'job.json'), 'utf8')) as VmJob;
  const p = ports();
  const open = (name: string): number => {
    const path = p.get(name);
    if (!path) throw new Error(`no virtio serial port named ${name}`);
    return openSync(path, 'w');
  };
  const events = open(PORTS.events);
  const emit = (e: GuestEvent): void => void writeSync(events, `${JSON.stringify(e)}\n`);
  try {
    const log = job.verbose ? (line: string) => emit({ event: 'log', line: `[${uptime().toFixed(2)}] ${line}` }) : () => undefined;
    log(`guest up; starting the simulator (${job.profile} × ${job.modems}${job.qrtr ? ' on QRTR' : ''})`);
    // QRTR with no modem: the command starts (and stops) `wwan sim --qrtr` itself.
    const sim = job.qrtr && job.modems === 0 ? undefined : await Simulator.start({ profile: PROFILES[job.profile], modems: job.modems, ...(job.qrtr ? { qrtr: true } : { usb: true }), ...(job.simNetns ? { tunNetns: job.simNetns } : {}), log });
    const deadline = Date.now() + BIND_TIMEOUT_MS;
    let devices = job.qrtr ? (sim?.qrtr ?? []).map((q) => ({ control: `qrtr://${q.node}`, netdev: '', driver: 'qrtr' })) : boundDevices();
    while (devices.length < job.modems) {
      if (Date.now() > deadline) {
        throw new Error(`the drivers did not bind within ${BIND_TIMEOUT_MS / 1000} s (${devices.length} of ${job.modems} modems have a cdc-wdm device and a netdev); the kernel said:\n${await kernelLog()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
      devices = boundDevices();
    }
    emit({ event: 'ready', uptime: uptime(), devices });
    // `wwan` on PATH: this checkout's bin/wwan.js.
    const bin = '/run/wwan-bin';
    mkdirSync(bin, { recursive: true });
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    if (!existsSync(join(bin, 'wwan'))) symlinkSync(join(root, 'bin/wwan.js'), join(bin, 'wwan'));
    const [cmd, ...args] = job.argv;
    const child = spawn(cmd!, args, {
      cwd: job.cwd,
      stdio: ['ignore', open(PORTS.stdout), open(PORTS.stderr)],
      // WWAN_SIM_CONTROL: the simulator's control socket, for `wwan sim ctl` faults; WWAN_SIM_NETNS: its network's namespace.
      env: { ...process.env, ...job.env, PATH: `${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, WWAN_VM: '1', ...(sim ? { WWAN_SIM_CONTROL: sim.controlPath } : {}), ...(job.simNetns ? { WWAN_SIM_NETNS: job.simNetns } : {}) },
    });
    const result = await new Promise<{ code: number | null; signal: string | null }>((res) => {
      child.once('error', (e) => {
        emit({ event: 'error', message: `cannot run ${cmd}: ${e.message}` });
        res({ code: 127, signal: null });
      });
      child.once('exit', (code, signal) => res({ code, signal }));
    });
    emit({ event: 'exit', ...result, uptime: uptime() });
    await Promise.race([sim?.stop(), new Promise((r) => setTimeout(r, 3000))]);
  } catch (e) {
    emit({ event: 'error', message: (e as Error).message });
  }
}

main()
  .catch((e: Error) => process.stderr.write(`wwan-vm guest: ${e.message}\n`))
  .finally(() => {
    // Endpoint threads may still sit in the kernel: power off rather than wait for them.
    setTimeout(() => writeFileSync('/proc/sysrq-trigger', 'o'), 100);
  });
