/**
 * `wwan mbimcli`: a drop-in for mbimcli 1.28, with the same flags (MBIMEx 2.0/3.0 negotiation on open
 * included), the same bytes on the wire and the same output. Extra: `--pcap FILE` records every control message
 * for Wireshark.
 */
import { pathToFileURL } from 'node:url';
import { MbimDevice, MbimResponseError } from '../../mbim/client.js';
import { describeMbim } from '../../mbim/describe.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU, PcapWriter } from '../../trace/pcap.js';
import { connectUnix, openCharDevice, type Transport } from '../../transport/index.js';
import { CliError, failureText, groupTitle } from './operations.js';
import { operations } from './all-operations.js';
import { OptionError, parseGlibOptions, usageText, type OptionSpec } from '../glib-options.js';
import { redactMbim } from '../../mbim/redact.js';

const MBIM_PROXY_SOCKET = '\0mbim-proxy';

const specs: OptionSpec[] = [
  { long: 'device', short: 'd', arg: 'required' },
  { long: 'device-open-proxy', short: 'p', arg: 'none' },
  { long: 'verbose', short: 'v', arg: 'none' },
  { long: 'no-open', arg: 'required' },
  { long: 'no-close', arg: 'none' },
  { long: 'device-open-ms-mbimex-v2', arg: 'none' },
  { long: 'device-open-ms-mbimex-v3', arg: 'none' },
  { long: 'pcap', arg: 'required' },
  { long: 'help', short: 'h', arg: 'none' },
  ...operations.map((o) => ({ long: o.option, arg: o.arg })),
];

export interface RunIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export async function run(argv: string[], io: RunIo = {}): Promise<number> {
  const out = io.out ?? ((t: string) => void process.stdout.write(t));
  const err = io.err ?? ((t: string) => void process.stderr.write(t));
  const fail = (text: string): number => {
    err(`error: ${text}\n`);
    return 1;
  };

  let opts;
  try {
    opts = parseGlibOptions(argv, specs).options;
  } catch (e) {
    if (e instanceof OptionError) return fail(e.message);
    throw e;
  }
  if (opts.has('help')) {
    out(usageText('wwan mbimcli', 'Control MBIM devices (mbimcli-compatible)', specs));
    return 0;
  }
  const path = opts.get('device');
  if (typeof path !== 'string') return fail('no device path specified');

  const chosen = operations.filter((o) => opts.has(o.option));
  const groups = new Set(chosen.map((o) => o.group));
  if (groups.size > 1) return fail('cannot execute multiple actions of different services');
  if (chosen.length > 1) return fail(`too many ${groupTitle[chosen[0]!.group]} actions requested`);
  const op = chosen[0];
  if (!op) return fail('no actions specified');
  const mbimex = opts.has('device-open-ms-mbimex-v2') ? 2 : opts.has('device-open-ms-mbimex-v3') ? 3 : undefined;
  if (opts.has('device-open-ms-mbimex-v2') && opts.has('device-open-ms-mbimex-v3')) return fail('cannot request both MBIMEx v2.0 and 3.0 at the same time');

  let noOpen: number | undefined;
  const noOpenText = opts.get('no-open');
  if (typeof noOpenText === 'string') {
    if (!/^\d+$/.test(noOpenText) || Number(noOpenText) > 0xffffffff) return fail(`invalid transaction ID specified: ${noOpenText}`);
    noOpen = Number(noOpenText);
  }

  const verbose = opts.has('verbose');
  const log = verbose ? (line: string) => out(`[${new Date().toISOString()}] [Debug] ${line}\n`) : undefined;
  const pcapPath = opts.get('pcap');
  const pcap = typeof pcapPath === 'string' ? new PcapWriter(pcapPath, LINKTYPE_WIRESHARK_UPPER_PDU) : undefined;
  const trace = (dir: 'tx' | 'rx', bytes: Uint8Array): void => {
    // Secrets (PINs, passwords) are masked in the capture and the log alike.
    pcap?.writePdu('mbim.control', redactMbim(bytes));
    if (log) log(`[${path}] ${dir === 'tx' ? 'sent' : 'received'} ${JSON.stringify(describeMbim(bytes, { redact: true }))}`);
  };

  let transport: Transport;
  let device: MbimDevice;
  try {
    transport = opts.has('device-open-proxy') ? await connectUnix(MBIM_PROXY_SOCKET) : openCharDevice(path);
    device = await MbimDevice.open(transport, {
      log,
      trace,
      ...(opts.has('device-open-proxy') ? { proxy: { devicePath: path } } : {}),
      ...(noOpen !== undefined ? { noOpen: { transactionId: noOpen } } : {}),
      ...(mbimex ? { mbimex } : {}),
    });
  } catch (e) {
    pcap?.close();
    return fail(`couldn't open the MbimDevice: ${(e as Error).message}`);
  }

  let ok: boolean;
  try {
    const ctx = { device, path, out, err };
    ok = await op.prepare(opts.get(op.option)!, ctx)(ctx);
  } catch (e) {
    if (e instanceof CliError) {
      if (e.message) err(`error: ${e.message}\n`);
    }
    else err(`error: ${e instanceof MbimResponseError ? "couldn't parse response message" : 'operation failed'}: ${failureText(e)}\n`);
    ok = false;
  }
  const keepSession = opts.has('no-close');
  await device.close({ keepSession, timeoutMs: 10_000 });
  log?.('Device closed');
  if (keepSession) out(`[${path}] Session not closed:\n\t    TRID: '${device.nextTransactionId}'\n`);
  pcap?.close();
  return ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
