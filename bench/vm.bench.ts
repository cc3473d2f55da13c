/**
 * iperf3 TCP inside `wwan vm run` (Debian's kernel under QEMU; TCG without KVM, so the figures are
 * small and say more as a ratio): through the kernel datapath (qmi_wwan qmimux, the simulated modem on
 * USB) beside our userspace TUN datapath in the same guest (bench/vm-iperf.sh). A run takes minutes,
 * so it runs only when named (`npm run bench -- vm`); without qemu or the VM kernel it says so and skips.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = 'vm.iperf3.tcp.qmimux';

/** Not part of a plain `npm run bench`. */
export const onlyWhenNamed = true;

export async function run(): Promise<void> {
  const { vmPrerequisites, VmSetupError } = await import('../src/vm/run.js');
  try {
    vmPrerequisites();
  } catch (e) {
    if (!(e instanceof VmSetupError)) throw e;
    process.stdout.write(`${JSON.stringify({ bench: BENCH, skipped: e.message })}\n`);
    return;
  }
  const seconds = Number(process.env.BENCH_IPERF_SECONDS ?? 5);
  const started = Date.now();
  const run = await new Promise<{ error: string | undefined; stdout: string }>((resolve) => {
    const args = [join(ROOT, 'bin/wwan.js'), 'vm', 'run', '--profile', 'qmi-usb', '--sim-netns', 'wwanbench', '--timeout', '900', '--', 'bash', 'bench/vm-iperf.sh'];
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, BENCH_IPERF_SECONDS: String(seconds) }, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      resolve({ error: error ? `wwan vm run failed (${error.code}): ${stderr.trim().split('\n').slice(-12).join(' | ')}` : undefined, stdout });
    });
  });
  const kv = Object.fromEntries([...run.stdout.matchAll(/([a-z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  if (run.error || kv.kernel_bps === undefined || kv.tun_bps === undefined) {
    // What was measured before the failure goes with it.
    process.stdout.write(`${JSON.stringify({ bench: BENCH, failed: run.error ?? 'no figures', measured: kv })}\n`);
    return;
  }
  const mbit = (bps: string | undefined): number => Math.round(Number(bps) / 1e4) / 100;
  report({
    bench: BENCH,
    unit: 'Mbit/s',
    value: mbit(kv.kernel_bps),
    baseline: { name: 'our userspace datapath (TUN link, simulator process) in the same guest', value: mbit(kv.tun_bps) },
    accel: 'tcg unless /dev/kvm',
    link: kv.kernel_link,
    parentMtu: Number(kv.kernel_parent_mtu),
    rttMs: { qmimux: Number(kv.kernel_rtt_ms), tun: Number(kv.tun_rtt_ms) },
    seconds,
    omitted: 1,
    vmRunSeconds: Math.round((Date.now() - started) / 1000),
    load: Math.round(loadavg()[0]! * 10) / 10,
  });
}
