/** `wwan vm run`: a command inside a VM with the simulated modems plugged in over USB (see src/vm/run.ts). */
import type { Command } from 'commander';
import { checkNetnsName } from '../net/iproute.js';
import { PROFILES, isProfileName } from '../sim/profiles.js';

export function registerVmCommand(program: Command, done: (code: number) => void): void {
  program
    .command('vm')
    .description("Debian's stock kernel under QEMU with simulated modems plugged in over USB (the real qmi_wwan / cdc_mbim drivers)")
    .command('run')
    .description('boot, plug the modems in, wait for the drivers to bind, run COMMAND as root in the guest (`wwan` on PATH), exit with its status')
    .option('--profile <name>', `a USB profile: ${Object.values(PROFILES).filter((p) => p.device.bus === 'usb').map((p) => p.name).join(', ')} (required without --qrtr)`)
    .option('--qrtr', 'no USB: load qrtr and publish a QMI modem (--profile, default qmi-usb) on the local QRTR node; --modems 0: the command runs `wwan sim --qrtr` itself')
    .option('--modems <n>', 'how many modems (MBIM: 1)', '1')
    .option('--timeout <s>', 'kill the guest after this many seconds', '300')
    .option('--verbose', 'progress and the simulator log on stderr')
    .option('--sim-netns <name>', "the simulator's PDNs reach a TUN in this guest network namespace, where real servers (iperf3) answer on the gateway addresses")
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (command: string[], opts: { profile?: string; modems: string; timeout: string; verbose?: boolean; qrtr?: boolean; simNetns?: string }) => {
      const modems = Number(opts.modems);
      const timeoutS = Number(opts.timeout);
      if (opts.qrtr) {
        const profile = opts.profile ?? 'qmi-usb';
        if (!isProfileName(profile) || PROFILES[profile].control !== 'qmi') throw new Error(`--profile: not a QMI modem profile: ${profile}`);
        if (modems !== 0 && modems !== 1) throw new Error('--modems: 0 or 1 with --qrtr (the local node holds one modem)');
        if (!(timeoutS > 0)) throw new Error('--timeout: seconds, more than 0');
        const { runVm } = await import('../vm/run.js');
        return done(await runVm({ profile, modems, qrtr: true, argv: command, timeoutS, verbose: !!opts.verbose }));
      }
      if (opts.profile === undefined) throw new Error('--profile: required (or --qrtr)');
      if (!isProfileName(opts.profile) || PROFILES[opts.profile].device.bus !== 'usb') throw new Error(`--profile: not a USB modem profile: ${opts.profile}`);
      if (!Number.isInteger(modems) || modems < 1 || modems > 8) throw new Error('--modems: 1 to 8');
      if (PROFILES[opts.profile].control === 'mbim' && modems > 1) throw new Error('--modems: one MBIM modem per VM (GadgetFS drives a single device)');
      if (!(timeoutS > 0)) throw new Error('--timeout: seconds, more than 0');
      if (opts.simNetns !== undefined) checkNetnsName(opts.simNetns);
      const { runVm } = await import('../vm/run.js');
      done(await runVm({ profile: opts.profile, modems, argv: command, timeoutS, verbose: !!opts.verbose, ...(opts.simNetns ? { simNetns: opts.simNetns } : {}) }));
    });
}
