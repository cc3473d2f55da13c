/**
 * `wwan vm run`: Debian's stock kernel under QEMU (KVM when /dev/kvm is usable, else TCG) with the
 * host's root read-only over 9p, the simulated modems plugged in over USB inside it, and a command run
 * as root there. The command's stdout/stderr come back on virtio serial ports, its exit status on a
 * third; the VM is gone when this returns (powered off, or killed at the timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileName } from '../sim/profiles.js';
import { PROFILES } from '../sim/profiles.js';
import { PORTS, type GuestEvent, type VmJob } from './job.js';

export class VmSetupError extends Error {
  override readonly name = 'VmSetupError';
}

export interface VmRunOptions {
  profile: ProfileName;
  modems: number;
  argv: string[];
  timeoutS: number;
  verbose?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  /** QRTR mode: no USB; `modems` is 0 (the command runs `wwan sim --qrtr` itself) or 1. */
  qrtr?: boolean;
  /** The simulator's PDNs reach real servers in this guest network namespace (`wwan sim --tun-netns`). */
  simNetns?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** The checkout this runs from (dist/vm/run.js or src/vm/run.ts): the guest runs its dist/ too. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Exit status when the guest was killed at the timeout (as timeout(1)). */
export const EXIT_TIMEOUT = 124;

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Checks everything a run needs; the errors name the package or step that is missing. */
export function vmPrerequisites(): { qemu: string; kernel: ReturnType<typeof vmKernelPaths> } {
  const qemu = findOnPath('qemu-system-x86_64');
  if (!qemu) throw new VmSetupError('qemu-system-x86_64 not found: install the Debian package qemu-system-x86 (scripts/install-deps.sh does)');
  const kernel = vmKernelPaths();
  if (!existsSync(join(ROOT, 'dist/vm/guest.js'))) throw new VmSetupError(`${ROOT}/dist is not built: run npm run build`);
  return { qemu, kernel };
}

/** Where scripts/vm-kernel.sh put Debian's kernel, its depmod-ed modules and the initramfs. */
function vmKernelPaths(): { dir: string; vmlinuz: string; initrd: string } {
  const dir = process.env.WWAN_VM_CACHE ? join(process.env.WWAN_VM_CACHE, 'current') : join(ROOT, '.cache/vm/current');
  const vmlinuz = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd.cpio.gz');
  if (!existsSync(vmlinuz) || !existsSync(initrd)) {
    throw new VmSetupError(`no VM kernel in ${dir}: run scripts/install-deps.sh (it fetches Debian's kernel package, linux-image-amd64's dependency, with apt-get download into .cache/vm; nothing is installed)`);
  }
  return { dir, vmlinuz, initrd };
}

/** The drivers (and gadget APIs) a profile's modem needs in the guest, beyond dummy_hcd. */
function modulesFor(profile: ProfileName, qrtr: boolean): string[] {
  if (qrtr) return ['qrtr'];
  return PROFILES[profile].control === 'mbim' ? ['gadgetfs', 'cdc_wdm', 'cdc_ncm', 'cdc_mbim', '8021q'] : ['libcomposite', 'usb_f_fs', 'cdc_wdm', 'qmi_wwan'];
}

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A unix socket QEMU connects a chardev to; what arrives goes to `sink`. */
function portServer(path: string, sink: (chunk: Buffer) => void): { server: net.Server; closed: Promise<void> } {
  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  const server = net.createServer((sock) => {
    sock.on('data', sink);
    sock.on('error', () => undefined);
    sock.on('close', () => done());
  });
  server.listen(path);
  return { server, closed };
}

/** Runs the command in a fresh VM; resolves to its exit status (EXIT_TIMEOUT when the guest was killed). */
export async function runVm(o: VmRunOptions): Promise<number> {
  const { qemu, kernel } = vmPrerequisites();
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const cwd = o.cwd ?? process.cwd();
  if (/\s/.test(cwd) || /\s/.test(ROOT)) throw new VmSetupError(`paths with spaces cannot go on the kernel command line: ${cwd}`);
  const run = mkdtempSync(join(tmpdir(), 'wwan-vm-'));
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const note = (line: string): void => void (o.verbose && err.write(`wwan vm: ${line}\n`));
  let qemuProc: ChildProcess | undefined;
  const servers: net.Server[] = [];
  const onSignal = (): void => void qemuProc?.kill('SIGKILL');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const job: VmJob = { profile: o.profile, modems: o.modems, argv: o.argv, cwd, verbose: !!o.verbose, env: o.env ?? {}, ...(o.qrtr ? { qrtr: true } : {}), ...(o.simNetns ? { simNetns: o.simNetns } : {}) };
    writeFileSync(join(run, 'job.json'), JSON.stringify(job));
    let exit: GuestEvent & { event: 'exit' } | undefined;
    let guestError: string | undefined;
    const stdoutPort = portServer(join(run, 'stdout.sock'), (c) => out.write(c));
    const stderrPort = portServer(join(run, 'stderr.sock'), (c) => err.write(c));
    let eventBuf = '';
    const eventsPort = portServer(join(run, 'events.sock'), (c) => {
      eventBuf += c.toString('utf8');
      let nl: number;
      while ((nl = eventBuf.indexOf('\n')) >= 0) {
        const line = eventBuf.slice(0, nl);
        eventBuf = eventBuf.slice(nl + 1);
        let e: GuestEvent;
        try {
          e = JSON.parse(line) as GuestEvent;
        } catch {
          continue;
        }
        if (e.event === 'log') note(e.line);
        else if (e.event === 'ready') note(`ready after ${elapsed()} (guest uptime ${e.uptime} s): ${e.devices.map((d) => `${d.control} ${d.netdev} (${d.driver})`).join(', ')}`);
        else if (e.event === 'exit') exit = e;
        else guestError = e.message;
      }
    });
    servers.push(stdoutPort.server, stderrPort.server, eventsPort.server);
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? r() : s.once('listening', () => r())))));
    const kvm = kvmUsable();
    const append = [
      'console=ttyS0', 'loglevel=4', 'panic=-1', 'mitigations=off', 'tsc=reliable',
      `wwanvm.init=${join(ROOT, 'scripts/vm-guest-init.sh')}`, `wwanvm.cwd=${cwd}`, `wwanvm.modroot=${kernel.dir}`,
      `wwanvm.modems=${o.modems}`, `wwanvm.modules=${[...modulesFor(o.profile, !!o.qrtr), ...(o.simNetns ? ['tun'] : [])].join(',')}`,
    ].join(' ');
    const share = (id: string, path: string, tag: string, readonly: boolean): string[] => [
      '-fsdev', `local,id=${id},path=${path},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`,
      '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`,
    ];
    const port = (id: string, name: string): string[] => ['-chardev', `socket,id=${id},path=${join(run, `${id}.sock`)}`, '-device', `virtserialport,bus=vs.0,chardev=${id},name=${name}`];
    const args = [
      '-nographic', '-no-reboot', '-m', '2048', '-smp', '2',
      ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max,la57=off']),
      '-kernel', kernel.vmlinuz, '-initrd', kernel.initrd, '-append', append,
      ...share('root', '/', 'hostroot', true), ...share('run', run, 'run', false), ...share('cwd', cwd, 'cwd', false),
      '-device', 'virtio-serial-pci,id=vs',
      ...port('stdout', PORTS.stdout), ...port('stderr', PORTS.stderr), ...port('events', PORTS.events),
      '-nic', 'none', '-monitor', 'none', '-serial', `file:${join(run, 'console.log')}`,
    ];
    note(`booting ${kernel.vmlinuz} (${kvm ? 'KVM' : 'TCG, no /dev/kvm'}) with ${o.modems} × ${o.profile}${o.qrtr ? ' on QRTR' : ''}`);
    const qemuErr: Buffer[] = [];
    qemuProc = spawn(qemu, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    qemuProc.stderr!.on('data', (c: Buffer) => qemuErr.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      qemuProc?.kill('SIGKILL');
    }, o.timeoutS * 1000);
    const status = await new Promise<{ code: number | null; signal?: NodeJS.Signals | null; error?: Error }>((res) => {
      qemuProc!.once('error', (error) => res({ code: null, error }));
      qemuProc!.once('exit', (code, signal) => res({ code, signal }));
    });
    clearTimeout(timer);
    // What QEMU forwarded before it ended is still on its way through the sockets.
    await Promise.race([Promise.all([stdoutPort.closed, stderrPort.closed, eventsPort.closed]), new Promise((r) => setTimeout(r, 2000))]);
    const consoleTail = (): string => {
      const c = existsSync(join(run, 'console.log')) ? readFileSync(join(run, 'console.log'), 'utf8') : '';
      return c.split('\n').filter((l) => l.trim()).slice(-15).map((l) => `  | ${l}`).join('\n');
    };
    if (status.error) throw new VmSetupError(`cannot start ${qemu}: ${status.error.message}`);
    if (timedOut) {
      err.write(`wwan vm run: the guest did not finish within ${o.timeoutS} s and was killed${exit ? ' (after the command ended)' : ''}; its console's last lines:\n${consoleTail()}\n`);
      return EXIT_TIMEOUT;
    }
    note(`the VM ended after ${elapsed()}`);
    if (exit) {
      note(`the command ended at guest uptime ${exit.uptime} s`);
      return exit.code ?? 128 + 9;
    }
    const why = guestError ?? (qemuErr.length ? Buffer.concat(qemuErr).toString().trim() : status.signal ? `QEMU was killed (${status.signal})` : `QEMU exited with status ${status.code}`);
    err.write(`wwan vm run: the command did not run: ${why}\nthe guest console's last lines:\n${consoleTail()}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (qemuProc && qemuProc.exitCode === null && qemuProc.signalCode === null) qemuProc.kill('SIGKILL');
    for (const s of servers) s.close();
    if (!process.env.WWAN_VM_KEEP) rmSync(run, { recursive: true, force: true });
  }
}
