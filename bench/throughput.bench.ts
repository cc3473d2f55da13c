/**
 * iperf3 through wwankit (TUN links with offloads, the simulator in its own process bridging into a
 * namespace): TCP over QMAPv5 with aggregation (qmi-rmnet), over MBIM NTB (mbim-usb) and raw IP
 * (qmi-usb), and UDP over QMAPv5, beside two baselines between the same kind of namespaces: two TUN
 * devices joined by a minimal C relay moving one packet per read/write (TCP, and UDP for the UDP
 * figure), and a plain veth pair. Needs root, /dev/net/tun, iperf3 and a C compiler; otherwise it
 * says so and skips. The simulator runs from dist/ (`npm run build` first).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { connectRecordPipe } from '../src/link/data-pipe.js';
import { DatapathThread } from '../src/link/datapath-thread.js';
import { MbimDevice } from '../src/mbim/client.js';
import type { ControlDriver } from '../src/modem/driver.js';
import { MbimDriver } from '../src/modem/mbim-driver.js';
import { Modem } from '../src/modem/modem.js';
import { QmiDriver } from '../src/modem/qmi-driver.js';
import { TunNetdev } from '../src/net/tun-netdev.js';
import { QmiDevice } from '../src/qmi/client.js';
import { qmuxPort } from '../src/qmi/port.js';
import { PROFILES, type ProfileName } from '../src/sim/profiles.js';
import { connectUnix } from '../src/transport/unix.js';
import { report, type Figure } from './harness.js';

const exec = promisify(execFile);
const SECONDS = Number(process.env.BENCH_IPERF_SECONDS ?? 3);
const ip = (...args: string[]): Promise<unknown> => exec('ip', args);
const inNs = (ns: string, ...cmd: string[]): Promise<{ stdout: string }> => exec('ip', ['netns', 'exec', ns, ...cmd]);

/**
 * What one iperf3 run measured: bits/s the server received, and what tells a stalled run from a lossy
 * one (a collapsed figure under load is either): the slowest measured second and TCP's retransmissions.
 */
interface IperfRun {
  bps: number;
  slowestSecondBps: number;
  retransmits?: number;
}

/** iperf3 from `client` (a namespace, or the host) to a server in `serverNs`. */
async function iperf(serverNs: string, serverAddr: string, clientNs: string | null, clientAddr?: string, udp = false, reverse = false): Promise<IperfRun> {
  const server = (): ChildProcess => spawn('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-B', serverAddr], { stdio: 'ignore' });
  let srv = server();
  try {
    // The address may reach the namespace a moment after the link is up: a server that could not
    // bind it yet has exited, and is started again.
    for (let i = 0; i < 200; i++) {
      if ((await inNs(serverNs, 'ss', '-ltn')).stdout.includes(':5201')) break;
      if (srv.exitCode !== null) srv = server();
      await new Promise((r) => setTimeout(r, 50));
    }
    // The first second (TCP slow start, and the JIT warming up in both of our processes) is left out.
    const args = ['iperf3', '-c', serverAddr, '-t', String(SECONDS), '-O', '1', '-J', ...(clientAddr ? ['-B', clientAddr] : []), ...(udp ? ['-u', '-b', '0', '-l', '1400'] : []), ...(reverse ? ['-R'] : [])];
    const { stdout } = clientNs ? await inNs(clientNs, ...args) : await exec(args[0]!, args.slice(1));
    // What the server received, UDP too: with -O the loss figures count the omitted second's packets
    // against the measured ones (iperf3 3.12 reports more than 100 % lost).
    const out = JSON.parse(stdout) as {
      error?: string;
      intervals?: { sum: { bits_per_second: number; omitted?: boolean } }[];
      end: { sum_received?: { bits_per_second: number }; sum_sent?: { retransmits?: number } };
    };
    const sum = out.end.sum_received;
    if (!sum) throw new Error(`iperf3: ${out.error ?? 'no result'}`);
    const seconds = (out.intervals ?? []).filter((i) => !i.sum.omitted).map((i) => i.sum.bits_per_second);
    const retransmits = out.end.sum_sent?.retransmits;
    return { bps: sum.bits_per_second, slowestSecondBps: Math.min(sum.bits_per_second, ...seconds), ...(retransmits === undefined ? {} : { retransmits }) };
  } finally {
    srv.kill();
    if (srv.exitCode === null && srv.signalCode === null) await new Promise((r) => srv.once('exit', r));
  }
}

async function withNamespaces<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  for (const n of names) await ip('netns', 'add', n);
  try {
    return await fn();
  } finally {
    for (const n of names) await ip('netns', 'delete', n).catch(() => undefined);
  }
}

async function vethRate(): Promise<IperfRun> {
  const [a, b] = [`wbva${process.pid}`, `wbvb${process.pid}`];
  return withNamespaces([a, b], async () => {
    await ip('link', 'add', 'wbveth0', 'netns', a, 'type', 'veth', 'peer', 'name', 'wbveth1', 'netns', b);
    await inNs(a, 'ip', 'addr', 'add', '10.200.0.1/24', 'dev', 'wbveth0');
    await inNs(b, 'ip', 'addr', 'add', '10.200.0.2/24', 'dev', 'wbveth1');
    await inNs(a, 'ip', 'link', 'set', 'wbveth0', 'up');
    await inNs(b, 'ip', 'link', 'set', 'wbveth1', 'up');
    return iperf(b, '10.200.0.2', a);
  });
}

/** Two TUNs, one per namespace, and a relay that copies one packet per read/write between them. */
const RELAY_C = `
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>
static int tun(const char *name) {
  struct ifreq ifr; int fd = open("/dev/net/tun", O_RDWR);
  memset(&ifr, 0, sizeof ifr); ifr.ifr_flags = IFF_TUN | IFF_NO_PI; strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) { perror(name); _exit(1); }
  return fd;
}
int main(int argc, char **argv) {
  int fd[2] = { tun(argv[1]), tun(argv[2]) }; char buf[65536];
  puts("ready"); fflush(stdout);
  struct pollfd p[2] = { { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 } };
  for (;;) {
    if (poll(p, 2, -1) < 0) return 1;
    for (int i = 0; i < 2; i++) if (p[i].revents & POLLIN) { ssize_t n = read(fd[i], buf, sizeof buf); if (n > 0) write(fd[1 - i], buf, n); }
  }
}`;

async function relayRate(dir: string, udp = false): Promise<IperfRun> {
  if (!existsSync(join(dir, 'relay'))) {
    writeFileSync(join(dir, 'relay.c'), RELAY_C);
    await exec('cc', ['-O2', '-o', join(dir, 'relay'), join(dir, 'relay.c')]);
  }
  const [a, b] = [`wbra${process.pid}`, `wbrb${process.pid}`];
  return withNamespaces([a, b], async () => {
    const relay: ChildProcess = spawn(join(dir, 'relay'), ['wbtun0', 'wbtun1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => createInterface({ input: relay.stdout! }).once('line', () => resolve()));
      await ip('link', 'set', 'wbtun0', 'netns', a);
      await ip('link', 'set', 'wbtun1', 'netns', b);
      await inNs(a, 'ip', 'addr', 'add', '10.201.0.1', 'peer', '10.201.0.2', 'dev', 'wbtun0');
      await inNs(b, 'ip', 'addr', 'add', '10.201.0.2', 'peer', '10.201.0.1', 'dev', 'wbtun1');
      await inNs(a, 'ip', 'link', 'set', 'wbtun0', 'up');
      await inNs(b, 'ip', 'link', 'set', 'wbtun1', 'up');
      return await iperf(b, '10.201.0.2', a, undefined, udp);
    } finally {
      relay.kill();
    }
  });
}

let runs = 0;

/** CPU seconds a process has used (utime + stime from /proc, in clock ticks of 1/100 s). */
const cpuSecondsOf = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** The machine's busy and total jiffies, from /proc/stat's first line. */
const machineTicks = (): { busy: number; total: number } => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
};

/**
 * Runs `fn` and says how many cores each side of the datapath used meanwhile (this process, the
 * host's datapath; the simulator's) and how busy the whole machine was (cores in use of all).
 */
async function withCpu<T>(simPid: number, fn: () => Promise<T>): Promise<{ result: T; cores: Record<string, number> }> {
  const [self, sim, machine, t0] = [process.cpuUsage(), cpuSecondsOf(simPid), machineTicks(), performance.now()];
  const result = await fn();
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(self);
  const m = machineTicks();
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    result,
    cores: {
      hostCores: round((used.user + used.system) / 1e6 / wall),
      simCores: round((cpuSecondsOf(simPid) - sim) / wall),
      machineBusyCores: round(((m.busy - machine.busy) / Math.max(1, m.total - machine.total)) * availableParallelism()),
    },
  };
}

/** Keeps this thread busy half the time (5 ms of every 10), as control work for many modems would. */
function keepBusy(): NodeJS.Timeout {
  return setInterval(() => {
    const end = performance.now() + BUSY_MS;
    while (performance.now() < end);
  }, 2 * BUSY_MS);
}
const BUSY_MS = 5;

/**
 * `reverse`: the server in the simulator's namespace sends (a download through the modem).
 * `thread`: the datapath runs on a thread of its own (the daemon's default), else on this one.
 */
async function wwankitRate(profile: ProfileName, udp = false, offload = true, reverse = false, thread = false, busyMain = false): Promise<IperfRun & { cores: Record<string, number> }> {
  // A namespace per run: a server still winding down in the last one is never asked again.
  const ns = `wbw${process.pid}-${runs++}`;
  // Both ends' TUNs (ours here, the simulator's bridge) take their offload default from the environment.
  const saved = process.env.WWAN_TUN_OFFLOAD;
  process.env.WWAN_TUN_OFFLOAD = offload ? '1' : '0';
  const sim = spawn(process.execPath, [join(import.meta.dirname, '../bin/wwan.js'), 'sim', '--profile', profile, '--tun-netns', ns], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const ready = await new Promise<{ modems: { ports: { socket: string }[]; data: string }[] }>((resolve) => createInterface({ input: sim.stdout! }).once('line', (l) => resolve(JSON.parse(l))));
    const m = ready.modems[0]!;
    const socket = await connectUnix(m.ports[0]!.socket);
    const driver: ControlDriver = PROFILES[profile].control === 'qmi' ? new QmiDriver(new QmiDevice(qmuxPort(socket)), { pipe: 'usb' }) : new MbimDriver(await MbimDevice.open(socket));
    const modem = new Modem('bench', driver, {
      linkPrefix: 'wbq.',
      ...(thread ? { backend: new DatapathThread({ pipe: m.data }) } : { pipe: () => connectRecordPipe(m.data), netdev: async (name: string) => new TunNetdev(name) }),
    });
    try {
      const b = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: profile === 'qmi-rmnet' ? 'required' : 'requested' });
      const busy = busyMain ? keepBusy() : undefined;
      try {
        const { result, cores } = await withCpu(sim.pid!, () => iperf(ns, b.connected!.ipv4!.gateway!, null, b.connected!.ipv4!.address, udp, reverse));
        return { ...result, cores };
      } finally {
        clearInterval(busy);
      }
    } finally {
      await modem.close();
    }
  } finally {
    if (saved === undefined) delete process.env.WWAN_TUN_OFFLOAD;
    else process.env.WWAN_TUN_OFFLOAD = saved;
    sim.kill('SIGTERM');
    await new Promise((r) => sim.once('exit', r));
  }
}

export async function run(): Promise<void> {
  const missing = process.getuid?.() !== 0 ? 'root' : !existsSync('/dev/net/tun') ? '/dev/net/tun' : undefined;
  if (missing) {
    process.stdout.write(`${JSON.stringify({ bench: 'throughput.iperf3', skipped: `needs ${missing}` })}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wwan-bench-'));
  try {
    const veth = await vethRate();
    const relay = await relayRate(dir);
    const relayUdp = await relayRate(dir, true);
    const gbit = (v: number): number => Math.round(v / 1e7) / 100;
    const baseline = { name: 'two TUNs joined by a one-packet-per-read C relay', value: gbit(relay.bps) };
    const facts = { veth: gbit(veth.bps), seconds: SECONDS, omitted: 1, load: Math.round(loadavg()[0]! * 10) / 10 };
    // A run that fails (iperf3 gave up under load, say) is reported as such and the others go on.
    const figure = async (bench: string, rate: () => Promise<IperfRun & { cores?: Record<string, number> }>, f: Pick<Figure, 'baseline'> & Record<string, unknown>): Promise<void> => {
      try {
        const r = await rate();
        report({ bench, unit: 'Gbit/s', value: gbit(r.bps), ...f, slowestSecond: gbit(r.slowestSecondBps), ...(r.retransmits === undefined ? {} : { retransmits: r.retransmits }), ...r.cores });
      } catch (e) {
        process.stdout.write(`${JSON.stringify({ bench, failed: (e as Error).message.split('\n')[0] })}\n`);
      }
    };
    for (const [name, profile] of [['qmapv5', 'qmi-rmnet'], ['ntb', 'mbim-usb'], ['rawip', 'qmi-usb']] as const) {
      await figure(`throughput.iperf3.${name}.tun`, () => wwankitRate(profile), { baseline, profile, ...facts });
    }
    await figure('throughput.iperf3.qmapv5.tun.thread', () => wwankitRate('qmi-rmnet', false, true, false, true), { baseline, profile: 'qmi-rmnet', datapath: 'thread', ...facts });
    // The main thread busy with other work half the time: a datapath beside it loses turns, one on its own thread does not.
    await figure('throughput.iperf3.qmapv5.tun.busyMain', () => wwankitRate('qmi-rmnet', false, true, false, false, true), { baseline, profile: 'qmi-rmnet', datapath: 'main', mainThreadBusy: 0.5, ...facts });
    await figure('throughput.iperf3.qmapv5.tun.thread.busyMain', () => wwankitRate('qmi-rmnet', false, true, false, true, true), { baseline, profile: 'qmi-rmnet', datapath: 'thread', mainThreadBusy: 0.5, ...facts });
    await figure('throughput.iperf3.qmapv5.tun.download', () => wwankitRate('qmi-rmnet', false, true, true), { baseline, profile: 'qmi-rmnet', direction: 'download', ...facts });
    await figure('throughput.iperf3.qmapv5.tun.offloadOff', () => wwankitRate('qmi-rmnet', false, false), { baseline, profile: 'qmi-rmnet', ...facts });
    const udpBaseline = { name: 'the same C relay, iperf3 UDP', value: gbit(relayUdp.bps) };
    await figure('throughput.iperf3.udp.qmapv5.tun', () => wwankitRate('qmi-rmnet', true), { baseline: udpBaseline, profile: 'qmi-rmnet', datagram: 1400, ...facts });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
