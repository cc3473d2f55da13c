/**
 * `wwan qmicli`: a drop-in for libqmi's qmicli on the operations it implements: same flags, same
 * key=value syntax, same requests on the wire and the same output, so scripts can switch.
 */
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { QmiDevice } from '../../qmi/client.js';
import { qmuxPort, type QmuxPort } from '../../qmi/port.js';
import { CtlLinkProtocol, ctl } from '../../qmi/services/ctl.js';
import { checkSpecialFile, openCharDevice } from '../../transport/chardev.js';
import { MbimDevice } from '../../mbim/client.js';
import { openQmiTunnel } from '../../mbim/qmi-tunnel.js';
import { connectUnix } from '../../transport/unix.js';
import { openQrtrQmuxPort, parseQrtrPath } from '../../transport/qrtr-qmux.js';
import { PcapWriter, LINKTYPE_WIRESHARK_UPPER_PDU } from '../../trace/pcap.js';
import { OptionError, parseGlibOptions, usageText, type OptionSpec } from '../glib-options.js';
import { CliError, errorText, type QmicliAction } from './action.js';
import { dmsActions } from './dms.js';
import { dmsSettingsActions } from './dms-settings.js';
import { dmsImageActions } from './dms-images.js';
import { nasActions } from './nas.js';
import { nasInfoActions } from './nas-info.js';
import { uimActions } from './uim.js';
import { uimConfigActions } from './uim-config.js';
import { uimMonitorActions } from './uim-monitor.js';
import { wdaActions } from './wda.js';
import { wdsActions } from './wds.js';
import { wdsDataPortActions } from './wds-data-port.js';
import { wmsActions } from './wms.js';
import { pdcActions } from './pdc.js';
import { describeQmuxLine } from './trace.js';
import { redactQmux } from '../../qmi/redact.js';

const actions: QmicliAction[] = [...dmsActions, ...dmsSettingsActions, ...dmsImageActions, ...nasActions, ...nasInfoActions, ...wdsActions, ...wdsDataPortActions, ...wdaActions, ...uimActions, ...uimConfigActions, ...uimMonitorActions, ...wmsActions, ...pdcActions];

const commonOptions: OptionSpec[] = [
  { long: 'device', short: 'd', arg: 'required' },
  { long: 'device-open-proxy', short: 'p', arg: 'none' },
  { long: 'device-open-qmi', arg: 'none' },
  { long: 'device-open-mbim', arg: 'none' },
  { long: 'device-open-auto', arg: 'none' },
  { long: 'device-open-version-info', arg: 'none' },
  { long: 'device-open-sync', arg: 'none' },
  { long: 'device-open-net', arg: 'required' },
  { long: 'client-cid', arg: 'required' },
  { long: 'client-no-release-cid', arg: 'none' },
  { long: 'verbose', short: 'v', arg: 'none' },
  { long: 'silent', arg: 'none' },
  { long: 'pcap', arg: 'required' },
  { long: 'help', short: 'h', arg: 'none' },
];

/** The proxies' abstract socket names (libqmi's and libmbim's). */
export const QMI_PROXY_SOCKET = '\0qmi-proxy';
export const MBIM_PROXY_SOCKET = '\0mbim-proxy';

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function run(argv: readonly string[], io: Io = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseGlibOptions(argv, [...commonOptions, ...actions.flatMap((a) => [a.option, ...(a.modifiers ?? []).map((x) => x.option)])]);
  } catch (e) {
    if (e instanceof OptionError) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const o = parsed.options;
  if (o.has('help')) {
    io.out(usage());
    return 0;
  }
  // qmicli wants the device before it looks at the actions.
  const path = o.get('device');
  if (typeof path !== 'string') return fail(io, 'no device path specified');
  const chosen = actions.filter((a) => o.has(a.option.long));
  if (chosen.length > 1) return fail(io, tooMany(chosen));
  const act = chosen[0];
  if (!act) {
    // A modifier alone is named; beside another action it is ignored, as qmicli does.
    const stray = actions.flatMap((a) => a.modifiers ?? []).find((x) => o.has(x.option.long));
    return fail(io, stray ? stray.alone : 'no actions specified');
  }

  let cid: number | undefined;
  const cidArg = o.get('client-cid');
  if (typeof cidArg === 'string') {
    if (!/^\d+$/.test(cidArg) || Number(cidArg) > 255) return fail(io, `invalid CID given: ${cidArg}`);
    cid = Number(cidArg);
  }

  const pcap = typeof o.get('pcap') === 'string' ? new PcapWriter(o.get('pcap') as string, LINKTYPE_WIRESHARK_UPPER_PDU) : undefined;
  const verbose = o.has('verbose');
  const tag = `[${path}]`;
  let device: QmiDevice;
  try {
    const port = await openPort(path, o.has('device-open-proxy'), o.has('device-open-qmi'), o.has('device-open-mbim'));
    device = await QmiDevice.open(port, {
      proxyDevicePath: o.has('device-open-proxy') ? path : undefined,
      versionInfo: o.has('device-open-version-info'),
      sync: o.has('device-open-sync'),
      trace: (dir, raw) => {
        const frame = redactQmux(raw);
        pcap?.writePdu('data', frame, 'QMI');
        if (verbose) io.err(`${tag} ${dir === 'tx' ? 'sent' : 'received'} ${describeQmuxLine(frame)}\n`);
      },
      log: verbose ? (line) => io.err(`${tag} ${line}\n`) : undefined,
    });
  } catch (e) {
    pcap?.close();
    return fail(io, `couldn't open the QmiDevice: ${(e as Error).message}`);
  }

  let code = 0;
  try {
    const net = o.get('device-open-net');
    if (typeof net === 'string') await setNetFormat(device, net);
    let client;
    try {
      client = await device.allocateClient(act.service, cid === undefined ? {} : { cid });
    } catch (e) {
      throw new CliError(`couldn't create client for the '${act.service.name}' service: ${(e as Error).message}`);
    }
    const stopListening: (() => void)[] = [];
    try {
      await act.run({ client, tag, print: io.out, printErr: io.err, has: (long) => o.has(long), interrupted: () => interrupted(io, stopListening) }, o.get(act.option.long)!);
    } catch (e) {
      code = reportError(io, e);
    } finally {
      // An action that ended another way no longer takes the signals.
      for (const stop of stopListening) stop();
    }
    if (o.has('client-no-release-cid')) {
      device.forget(client);
      io.out(`${tag} Client ID not released:\n\tService: '${act.service.name}'\n\t    CID: '${client.cid}'\n`);
    } else {
      await client.release().catch((e: Error) => io.err(`error: couldn't release client: ${errorText(e)}\n`));
    }
  } catch (e) {
    code = reportError(io, e);
  } finally {
    await device.close();
    pcap?.close();
  }
  return code;
}

/** qmicli checks its services in this order: the first with two actions is named, else the mix is refused. */
const SERVICE_ORDER = ['dms', 'nas', 'wds', 'pdc', 'uim', 'wms', 'wda'];

function tooMany(chosen: QmicliAction[]): string {
  const names = chosen.map((a) => a.service.name);
  const twice = SERVICE_ORDER.find((n) => names.filter((x) => x === n).length > 1);
  return twice ? `too many ${twice.toUpperCase()} actions requested` : 'cannot execute multiple actions of different services';
}

/** The first SIGINT, SIGTERM or SIGHUP cancels the operation, with qmicli's notice; a second one ends the process. */
function interrupted(io: Io, stopListening: (() => void)[]): Promise<void> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  return new Promise((resolve) => {
    const stop = (): void => {
      for (const s of signals) process.off(s, cancel);
    };
    const cancel = (): void => {
      stop();
      io.err('cancelling the operation...\n');
      resolve();
    };
    for (const s of signals) process.on(s, cancel);
    stopListening.push(stop);
  });
}

function reportError(io: Io, e: unknown): number {
  if (e instanceof CliError) {
    io.err(`${e.bare ? '' : 'error: '}${e.message}\n`);
    return 1;
  }
  io.err(`error: ${(e as Error).message}\n`);
  return 1;
}

const fail = (io: Io, message: string): number => {
  io.err(`error: ${message}\n`);
  return 1;
};

async function openPort(path: string, proxy: boolean, forceQmi: boolean, forceMbim: boolean): Promise<QmuxPort> {
  if (path.startsWith('qrtr://')) {
    // QMI over QRTR: a node's services through the kernel's IPC router (no proxy, no MBIM).
    const node = parseQrtrPath(path);
    if (node === undefined) throw new Error(`invalid QRTR device path: ${path} (qrtr://NODE)`);
    return openQrtrQmuxPort(node);
  }
  const mode = forceMbim ? 'mbim' : forceQmi ? 'qmi' : detectMode(path);
  if (mode === undefined) throw new Error('Cannot automatically select QMI/MBIM mode');
  // Through a proxy the proxy opens the device; the client still checks it exists, as libqmi does.
  if (proxy) checkSpecialFile(path);
  if (mode === 'mbim') {
    // QMI over MBIM: the QMI service of an MBIM function carries the QMUX frames.
    const transport = proxy ? await connectUnix(MBIM_PROXY_SOCKET) : openCharDevice(path);
    const mbim = await MbimDevice.open(transport, proxy ? { proxy: { devicePath: path } } : {});
    return openQmiTunnel(mbim);
  }
  return qmuxPort(proxy ? await connectUnix(QMI_PROXY_SOCKET) : openCharDevice(path));
}

/** AUTO mode: the kernel driver behind the port tells QMI from MBIM (qmi_wwan vs cdc_mbim, wwanNqmiN vs wwanNmbimN). */
function detectMode(path: string): 'qmi' | 'mbim' | undefined {
  const name = basename(path);
  if (/^wwan\d+qmi\d+$/.test(name)) return 'qmi';
  if (/^wwan\d+mbim\d+$/.test(name)) return 'mbim';
  try {
    const driver = basename(realpathSync(`/sys/class/usbmisc/${name}/device/driver`));
    if (driver === 'qmi_wwan') return 'qmi';
    if (driver === 'cdc_mbim') return 'mbim';
  } catch {
    // not a cdc-wdm port
  }
  return undefined;
}

async function setNetFormat(device: QmiDevice, value: string): Promise<void> {
  const flags = value.split('|');
  const protocol = flags.includes('net-raw-ip') ? CtlLinkProtocol.names['raw-ip'] : flags.includes('net-802-3') ? CtlLinkProtocol.names['802-3'] : undefined;
  const format = flags.includes('net-qos-header') ? 1 : 0;
  if (flags.some((f) => !['net-raw-ip', 'net-802-3', 'net-qos-header', 'net-no-qos-header'].includes(f))) {
    throw new CliError(`invalid net open flags: '${value}'`);
  }
  try {
    await device.ctl(ctl.messages.setDataFormat, protocol === undefined ? { format } : { format, protocol });
  } catch (e) {
    throw new CliError(`couldn't set data format: ${(e as Error).message}`);
  }
}

const usage = (): string => usageText('wwan qmicli', 'Control QMI devices (qmicli-compatible)', [...commonOptions, ...actions.map((a) => a.option)]);
