/**
 * The manager: time from connect to IP configured against the simulator, beside the same sequence as
 * four real qmicli invocations; and one daemon holding 64 simulated modems with 4 PDNs each (resident
 * memory and CPU at idle, beside the same daemon with no modems).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectRecordPipe } from '../src/link/data-pipe.js';
import { Modem } from '../src/modem/modem.js';
import { QmiDriver } from '../src/modem/qmi-driver.js';
import { MemoryNetdev } from '../src/net/memory.js';
import { QmiDevice } from '../src/qmi/client.js';
import { qmuxPort } from '../src/qmi/port.js';
import { PROFILES } from '../src/sim/profiles.js';
import { Simulator } from '../src/sim/simulator.js';
import { connectUnix } from '../src/transport/unix.js';
import { report } from './harness.js';
import { daemonWithSims } from '../test/support/sim-daemon.js';

const exec = promisify(execFile);

async function connectTime(): Promise<void> {
  const sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
  try {
    const m = sim.modems[0]!;
    const rounds = 10;
    let ours = 0;
    for (let i = 0; i < rounds; i++) {
      const modem = new Modem('m', new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(m.ports[0]!.socket))), { pipe: 'usb' }), {
        linkPrefix: 'b',
        netdev: async (n) => new MemoryNetdev(n),
        pipe: () => connectRecordPipe(sim.ready().modems[0]!.data),
      });
      await modem.probe();
      const t0 = performance.now();
      await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
      ours += performance.now() - t0;
      await modem.close();
    }
    // The same steps with qmicli: data format, mux binding, start on a kept client, read the settings.
    const dev = m.ports[0]!.path;
    const q = (...a: string[]): Promise<{ stdout: string }> => exec('qmicli', ['--device-open-qmi', '-d', dev, ...a]);
    let theirs = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await q('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,dl-max-datagrams=32,dl-datagram-max-size=32768,ep-type=hsusb,ep-iface-number=4');
      const bound = await q('--wds-bind-mux-data-port=mux-id=1,ep-iface-number=4', '--client-no-release-cid');
      const cid = /CID: '(\d+)'/.exec(bound.stdout)![1]!;
      const started = await q('--wds-start-network=apn=internet,ip-type=4', `--client-cid=${cid}`, '--client-no-release-cid');
      await q('--wds-get-current-settings', `--client-cid=${cid}`, '--client-no-release-cid');
      theirs += performance.now() - t0;
      const handle = /Packet data handle: '(\d+)'/.exec(started.stdout)![1]!;
      await q(`--wds-stop-network=${handle}`, `--client-cid=${cid}`);
    }
    report({ bench: 'manager.connect.toIpConfigured', unit: 'ms', value: ours / rounds, baseline: { name: 'the same sequence as 4 qmicli invocations', value: theirs / 3 } });
  } finally {
    await sim.stop();
  }
}

async function idleDaemon(modems: number, pdns: number): Promise<{ rssMiB: number; cpuPercent: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wwan-bench-'));
  global.gc?.();
  const daemon = await daemonWithSims({ socket: join(dir, 'd.sock'), netdev: async (_m, n) => new MemoryNetdev(n) }, modems > 0 ? [`qmi-rmnet:${modems}`] : []);
  try {
    const apns = ['internet', 'ims', 'iot', 'corp'];
    for (const m of daemon.manager.modems.values()) for (let i = 0; i < pdns; i++) await m.connect({ apns: [apns[i]!], ipType: 'ipv4', multiplex: 'requested' });
    await new Promise((r) => setTimeout(r, 500));
    global.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const cpu = process.cpuUsage(cpu0);
    return { rssMiB: process.memoryUsage().rss / 2 ** 20, cpuPercent: ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100 };
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await connectTime();
  const empty = await idleDaemon(0, 0);
  const full = await idleDaemon(64, 4);
  report({ bench: 'manager.idle.64modems.4pdns.rss', unit: 'MiB', value: full.rssMiB, baseline: { name: 'the same daemon with no modems', value: empty.rssMiB }, note: 'simulator in the same process' });
  report({ bench: 'manager.idle.64modems.4pdns.cpu', unit: '% of one core', value: full.cpuPercent, baseline: { name: 'the same daemon with no modems', value: empty.cpuPercent } });
}
