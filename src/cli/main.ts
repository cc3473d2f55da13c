/** `wwan`: the command line. The compatible CLIs take their arguments raw; the rest go through commander. */
import { Argument, Command, Option } from 'commander';
import { PROFILES } from '../sim/profiles.js';
import { FAULTS } from '../sim/fault-list.js';
import { SMS_CONTROLS } from '../sim/sms-control.js';
import { HOTPLUG_CONTROLS } from '../sim/hotplug-control.js';
import { runSim, runSimCtl, type SimCommandOptions } from './sim.js';
import { EXIT, bearerText, infoText, linksText, listText, readPasswordFile, runDaemon, statusText, stdOutput, withDaemon } from './manage.js';
import { runMonitor } from './monitor.js';
import { fleetOptions, type FleetOptions } from './fleet.js';
import { smsCommand } from './sms.js';
import { dssCommand } from './dss.js';
import { bashCompletion, runReload, runUnlock, version, type ServiceOptions } from './service.js';
import { registerRadioCommands } from './radio.js';
import { LOG_LEVELS } from '../daemon/log.js';
import type { Params } from '../daemon/api.js';
import { registerVmCommand } from './vm.js';
import { DECODE_FORMATS, type DecodeFormat } from './decode-formats.js';

const argv = process.argv.slice(2);

async function main(): Promise<number> {
  if (argv[0] === 'qmicli') return (await import('./qmicli/main.js')).run(argv.slice(1));
  if (argv[0] === 'mbimcli') return (await import('./mbimcli/main.js')).run(argv.slice(1));
  let code = 0;
  const program = new Command('wwan')
    .description('wwankit: one stack for cellular modems (QMI, MBIM, every data framing)')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  program.command('qmicli').description('qmicli-compatible QMI client: same flags, requests and output (see `wwan qmicli --help`)');
  program.command('mbimcli').description('mbimcli-compatible MBIM client: same flags, requests and output (see `wwan mbimcli --help`)');
  program
    .command('decode')
    .description('decode protocol bytes to JSON')
    .addOption(new Option('--as <format>', 'what the bytes are').choices(DECODE_FORMATS).makeOptionMandatory())
    .option('--hex <hex>', 'the bytes as hex')
    .addOption(new Option('--qmap-version <n>', 'QMAP version').choices(['1', '4', '5']).default('1'))
    .addOption(new Option('--qmap-direction <dir>', 'QMAP direction (v4 frames differ)').choices(['downlink', 'uplink']).default('downlink'))
    .option('--pcap <file>', 'also write a capture for Wireshark')
    .argument('[file]', 'a file with the bytes (raw, or hex text)')
    .action(async (file: string | undefined, opts: { as: DecodeFormat; hex?: string; qmapVersion: string; qmapDirection: 'downlink' | 'uplink'; pcap?: string }) => {
      const { decodeBytes, readInput, writeDecodePcap } = await import('./decode.js');
      const bytes = readInput({ hex: opts.hex, file });
      const mux = { qmapVersion: Number(opts.qmapVersion) as 1 | 4 | 5, qmapDirection: opts.qmapDirection };
      const result = decodeBytes(opts.as, bytes, mux);
      if (opts.pcap) writeDecodePcap(opts.as, bytes, opts.pcap, mux);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      code = result.errors.length > 0 ? 2 : 0;
    });
  const sim = program
    .command('sim')
    .description('run simulated modems that qmicli, mbimcli and wwankit drive (first stdout line: the ready event)')
    .option('--profile <name>', `one of ${Object.keys(PROFILES).join(', ')} (required)`)
    .option('--modems <n>', 'how many modems', '1')
    .option('--seed <s>', 'seed for identities and signal', '1')
    .option('--proxy', 'also answer on the qmi-proxy socket (qmicli -p)')
    .option('--qrtr', 'publish the QMI services on the local QRTR node (Linux with the qrtr module: `wwan vm run --qrtr`)')
    .option('--pcap <file>', 'capture every control message for Wireshark')
    .option('--dir <dir>', 'where to put the sockets (default: a fresh temporary folder)')
    .option('--fault <spec...>', "apply faults at start, e.g. --fault 'delay-responses ms=200' (see `wwan sim ctl --help`)")
    .option('--tun-netns <name>', 'bridge PDN traffic into a TUN per modem in this network namespace (root), so real servers answer')
    .option('--with-modemmanager', "root: Debian's ModemManager manages the modems in private namespaces on a private bus (ready line: the bus address)")
    .option('--modemmanager-log <file>', "with --with-modemmanager: keep ModemManager's debug log")
    .option('--pin-locked', 'the SIM starts PIN-locked (PIN 1234 unless --pin)')
    .option('--pin <digits>', "the SIM's PIN1 (default 1234)")
    .option('--puk <digits>', "the SIM's PUK1 (default 12345678; PIN2 4321, PUK2 87654321)")
    .option('--sim-lock <facility=key...>', 'lock the modem to its SIM (personalization; QMI UIM and MBIM PIN types), e.g. --sim-lock network=12345678; facility one of network, network-subset, service-provider, corporate')
    .action(async (opts: SimCommandOptions) => {
      code = await runSim(opts);
    });
  sim
    .command('ctl')
    .description(`inject a fault into a running simulator: ${Object.keys(FAULTS).join(', ')}`)
    .requiredOption('--control <socket>', 'the control socket from the ready line')
    .argument('<fault>', "the fault, or a query: 'clients' (client ids, MBIM connections, PDN sessions per modem), 'modems' or 'usb' (USB functions' control counters)")
    .argument('[args...]', 'key=value arguments, e.g. modem=modem0 count=3')
    .option('--to <modem>', 'sms: the modem that receives it')
    .option('--from <number>', 'sms: the sender (+CC…, digits, or a name)')
    .option('--text <text>', 'sms: the text (split into parts as needed)')
    .option('--pdu <hex>', 'sms: a ready SMS-DELIVER PDU')
    .addHelpText('after', `\nFaults:\n${Object.entries({ ...FAULTS, ...SMS_CONTROLS, ...HOTPLUG_CONTROLS }).map(([k, v]) => `  ${k.padEnd(18)} ${v}`).join('\n')}`)
    .action(async (fault: string, args: string[], opts: { control: string; to?: string; from?: string; text?: string; pdu?: string }) => {
      code = await runSimCtl(opts.control, fault, args, { to: opts.to, from: opts.from, text: opts.text, pdu: opts.pdu });
    });
  const socketOpt = (c: Command): Command => c.option('--socket <path>', 'the daemon socket (default: $WWAN_SOCKET, /run/wwankit/wwand.sock as root)').option('--json', 'machine-readable output');
  fleetOptions(socketOpt(program.command('daemon').description('run the manager: the local API on a unix socket (mode 0660)')))
    .option('--sim <spec...>', 'add simulated modems: PROFILE or PROFILE:N (e.g. qmi-rmnet:2)')
    .option('--sim-control <socket...>', "manage the modems of a `wwan sim` in its own process (the control socket from its ready line); they leave and come back with it")
    .option('--netdev <backend>', 'links of simulated modems: tun (default when root) or memory')
    .option('--no-datapath-thread', "move TUN links' packets on the main thread, beside control, instead of a thread of their own")
    .option('--no-discover', 'do not add the real modems sysfs shows')
    .option('--dry-run', 'print the kernel datapath steps for real modems instead of running them')
    .option('--pin-file <file>', 'PIN1 for SIMs that ask for one (read from a file, never logged)')
    .option('--dbus [bus]', 'also serve the ModemManager D-Bus API (mmcli, NetworkManager): system (default), session or a unix:path= address')
    .option('--http <address>', 'also serve the web dashboard on [ADDRESS:]PORT (loopback addresses only; 0 picks a port); prints its URL')
    .option('--http-allow-remote', 'let --http take a non-loopback address (plain HTTP; the URL\'s token guards the API)')
    .option('--config <file>', 'the configuration file (default: /etc/wwankit/wwankit.toml when it exists); SIGHUP or `wwan reload` re-reads it')
    .addOption(new Option('--log-level <level>', 'log from this level up (JSON lines when stderr is not a terminal)').choices(LOG_LEVELS).default('info'))
    .option('--socket-group <group>', 'give the socket (mode 0660) to this group, whose members may then use the daemon')
    .action(async (opts: { socket?: string; sim?: string[]; simControl?: string[]; netdev?: string; datapathThread: boolean; discover: boolean; dryRun?: boolean; http?: string; httpAllowRemote?: boolean; dbus?: string | true; pinFile?: string } & ServiceOptions & FleetOptions) => {
      code = await runDaemon(opts);
    });
  socketOpt(
    program
      .command('unlock')
      .description('enter the SIM PIN through the daemon, or unblock it with the PUK (codes from files; retries shown, codes never)')
      .argument('<modem>')
      .requiredOption('--pin-file <file>', 'a file holding the PIN (with --puk-file: the new PIN)')
      .option('--puk-file <file>', 'a file holding the PUK, to unblock a SIM that asks for it'),
  ).action(
    async (modem: string, opts: { socket?: string; json?: boolean; pinFile: string; pukFile?: string }) => {
      code = await runUnlock(modem, opts);
    },
  );
  socketOpt(program.command('reload').description("the daemon re-reads its configuration file (bearers whose profile did not change stay up)")).action(async (opts: { socket?: string; json?: boolean }) => {
    code = await runReload(opts);
  });
  program
    .command('completion')
    .description('print the shell completion script: source <(wwan completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash']))
    .action(() => {
      process.stdout.write(bashCompletion(program));
    });
  socketOpt(program.command('status').description('the daemon: pid, uptime, modems')).action(async (opts: { socket?: string; json?: boolean }) => {
    code = await withDaemon(opts.socket, stdOutput(!!opts.json), (c) => c.call('status'), statusText);
  });
  socketOpt(program.command('list').description('the modems and their state')).action(async (opts: { socket?: string; json?: boolean }) => {
    code = await withDaemon(opts.socket, stdOutput(!!opts.json), (c) => c.call('list'), listText);
  });
  socketOpt(program.command('info').description('one modem: identity, SIM, registration, signal, bearers').argument('<modem>')).action(async (modem: string, opts: { socket?: string; json?: boolean }) => {
    code = await withDaemon(opts.socket, stdOutput(!!opts.json), (c) => c.call('info', { modem }), infoText);
  });
  socketOpt(
    program
      .command('connect')
      .description('bring a bearer up (several --apn are tried in order)')
      .argument('<modem>')
      .requiredOption('--apn <apn...>', 'the APN(s)')
      .addOption(new Option('--ip-type <type>', 'IP type').choices(['ipv4', 'ipv6', 'ipv4v6']).default('ipv4'))
      .addOption(new Option('--auth <auth>', 'authentication').choices(['none', 'pap', 'chap', 'both']).default('none'))
      .option('--user <user>', 'user name')
      .option('--password-file <file>', 'a file holding the password (never on the command line)')
      .option('--link-id <n>', 'link id (QMAP mux id, MBIM session, BAM channel)')
      .addOption(new Option('--multiplex <m>', 'multiplexing').choices(['none', 'requested', 'required']).default('requested')),
  ).action(async (modem: string, opts: { socket?: string; json?: boolean; apn: string[]; ipType: Params<'connect'>['ipType']; auth: Params<'connect'>['auth']; user?: string; passwordFile?: string; linkId?: string; multiplex: Params<'connect'>['multiplex'] }) => {
    const o = stdOutput(!!opts.json);
    // On a terminal, the requests of the connect sequence scroll by as they happen.
    const progress = !o.json && process.stderr.isTTY ? await (await import('./trace.js')).connectProgress(opts.socket, modem, (l) => o.err(l)) : undefined;
    if (!o.json && process.stderr.isTTY) o.err(`connecting ${modem} to ${opts.apn.join(', ')}…\n`);
    code = await withDaemon(
      opts.socket,
      o,
      (c) =>
        c.call('connect', {
          modem,
          apns: opts.apn,
          ipType: opts.ipType,
          auth: opts.auth,
          multiplex: opts.multiplex,
          ...(opts.user ? { user: opts.user } : {}),
          ...(opts.passwordFile ? { password: readPasswordFile(opts.passwordFile) } : {}),
          ...(opts.linkId !== undefined ? { linkId: Number(opts.linkId) } : {}),
        }),
      bearerText,
    );
    progress?.close();
  });
  socketOpt(program.command('disconnect').description('take bearers down').argument('<modem>').option('--link-id <n>', 'the bearer on this link').option('--all', 'every bearer')).action(
    async (modem: string, opts: { socket?: string; json?: boolean; linkId?: string; all?: boolean }) => {
      if (opts.linkId === undefined && !opts.all) {
        process.stderr.write('wwan disconnect: give --link-id N or --all\n');
        code = EXIT.usage;
        return;
      }
      code = await withDaemon(opts.socket, stdOutput(!!opts.json), (c) => c.call('disconnect', opts.all ? { modem, all: true } : { modem, linkId: Number(opts.linkId) }), (r) => `disconnected ${r.disconnected} bearer(s)\n`);
    },
  );
  socketOpt(program.command('links').description('every link: id, framing, netdev, addresses, counters')).action(async (opts: { socket?: string; json?: boolean }) => {
    code = await withDaemon(opts.socket, stdOutput(!!opts.json), (c) => c.call('links'), linksText);
  });
  socketOpt(program.command('trace').description('decoded control messages live (secrets overwritten), optionally into a capture'))
    .option('--pcap <file>', 'also write them for Wireshark (mbim.control / data)')
    .option('--count <n>', 'stop after n messages')
    .action(async (opts: { socket?: string; json?: boolean; pcap?: string; count?: string }) => {
      code = await (await import('./trace.js')).runTrace(opts);
    });
  socketOpt(program.command('monitor').description('live events (state, bearers, signal) until Ctrl-C')).action(async (opts: { socket?: string; json?: boolean }) => {
    code = await runMonitor(opts.socket, !!opts.json);
  });
  program.addCommand(smsCommand(socketOpt, (c) => (code = c)));
  program.addCommand(dssCommand(socketOpt, (c) => (code = c)));
  registerRadioCommands(program, socketOpt, (c) => (code = c));
  program
    .command('demo')
    .description('the main job: a simulated modem, two multiplexed PDNs, their links, a ping through each')
    .option('--json', 'the last stdout line is the summary as JSON')
    .action(async (opts: { json?: boolean }) => {
      code = await (await import('./demo.js')).runDemo(!!opts.json);
    });
  registerVmCommand(program, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const err = e as { exitCode?: number; code?: string };
    // Every argument error commander finds is a usage error: exit code 2, as for our own checks.
    if (typeof err.exitCode === 'number') return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : EXIT.usage;
    throw e;
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`wwan: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
