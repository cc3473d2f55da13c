/**
 * `wwan daemon|status|list|info|connect|disconnect|links|monitor`. Exit codes scripts can rely on:
 * 0 done, 1 the modem or network refused, 2 bad arguments, 3 no daemon, 4 no such modem, 5 not allowed
 * to use the daemon's socket.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FleetOptions } from './fleet.js';
import { DaemonClient, DaemonError, defaultSocket } from '../daemon/client.js';
import type { BearerView, LinkView, ModemInfo, ModemSummary, Result } from '../daemon/api.js';
import type { StepRunner } from '../net/kernel.js';
import type { WebServer } from '../web/server.js';
import { shareSocket, type ServiceOptions } from './service.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, notFound: 4, forbidden: 5 } as const;

export interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

export const stdOutput = (json: boolean): Output => ({ json, out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) });

/** A plain text table: a header row, then one row per item. */
export function table(rows: (string | number | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === undefined ? '-' : String(c))));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The exit code for each declared error (api.ts) and for a daemon that cannot be asked. */
const EXIT_FOR: Record<DaemonError['code'], number> = {
  'parse-error': EXIT.usage,
  'bad-request': EXIT.usage,
  'no-method': EXIT.usage,
  'bad-params': EXIT.usage,
  config: EXIT.usage,
  'not-found': EXIT.notFound,
  connect: EXIT.refused,
  refused: EXIT.refused,
  internal: EXIT.refused,
  busy: EXIT.refused,
  unreachable: EXIT.unreachable,
  forbidden: EXIT.forbidden,
};

export const exitFor = (e: unknown): number => (e instanceof DaemonError ? EXIT_FOR[e.code] : EXIT.refused);

/** Runs one API call and prints it: JSON with --json, `human` otherwise. */
export async function withDaemon<R>(socket: string | undefined, o: Output, fn: (c: DaemonClient) => Promise<R>, human: (result: R) => string): Promise<number> {
  let client: DaemonClient | undefined;
  try {
    client = await DaemonClient.connect(socket ?? defaultSocket());
    const result = await fn(client);
    o.out(o.json ? `${JSON.stringify(result)}\n` : human(result));
    return EXIT.ok;
  } catch (e) {
    o.err(o.json ? `${JSON.stringify({ error: { code: e instanceof DaemonError ? e.code : 'internal', message: (e as Error).message } })}\n` : `wwan: ${(e as Error).message}\n`);
    return exitFor(e);
  } finally {
    client?.close();
  }
}

export const listText = (rows: ModemSummary[]): string =>
  rows.length === 0
    ? 'no modems (start the daemon with --sim PROFILE, or plug one in)\n'
    : table([
        ['MODEM', 'STATE', 'MODEL', 'OPERATOR', 'TECH', 'SIGNAL', 'BEARERS'],
        ...rows.map((m) => [m.id, m.state, `${m.manufacturer ?? ''} ${m.model ?? ''}`.trim(), m.registration?.operator?.name, m.registration?.tech, m.signal?.rsrp !== undefined ? `${m.signal.rsrp} dBm` : undefined, m.bearers.length]),
      ]);

export const bearerText = (b: BearerView): string =>
  `bearer ${b.id}: ${b.status} on link ${b.linkId}${b.interface ? ` (${b.interface})` : ''}${b.apn ? `, APN ${b.apn}` : ''}\n` +
  (b.ipv4 ? `  IPv4 ${b.ipv4.address}/${b.ipv4.prefix} gateway ${b.ipv4.gateway ?? '-'} DNS ${b.ipv4.dns.join(', ')}${b.ipv4.mtu ? ` MTU ${b.ipv4.mtu}` : ''}\n` : '') +
  (b.ipv6 ? `  IPv6 ${b.ipv6.address}/${b.ipv6.prefix}\n` : '') +
  (b.error ? `  last error: ${b.error}\n` : '');

type InfoLink = NonNullable<ModemInfo['links']>[number];

const channelText = (c: NonNullable<InfoLink['channel']>): string => ` (BAM-DMUX channel ${c.remoteOpen ? 'open' : c.exists ? 'closed' : 'not made'} by the modem, ${c.up ? 'up' : 'down'} here)`;
const infoLinkText = (l: InfoLink): string => `  ${l.kind === 'ip' ? 'link' : 'stream'} ${String(l.linkId).padEnd(7)} ${l.upper ?? '?'} over ${l.lower ?? '?'}${l.channel ? channelText(l.channel) : ''}\n`;

export const infoText = (m: ModemInfo): string =>
  `${m.id}: ${m.manufacturer} ${m.model} (${m.revision})\n` +
  `  state        ${m.state}\n  control      ${m.protocol}\n  IMEI         ${m.imei}\n` +
  `  SIM          ${m.sim?.status}${m.sim?.pinRetries !== undefined ? ` (PIN retries ${m.sim.pinRetries})` : ''}\n` +
  `  registration ${m.registration?.state}${m.registration?.operator ? ` on ${m.registration.operator.name}` : ''}${m.registration?.tech ? ` (${m.registration.tech})` : ''}\n` +
  `  signal       ${JSON.stringify(m.signal ?? {})}\n` +
  `  data format  ${m.dataFormat ? JSON.stringify(m.dataFormat) : 'not negotiated yet'}\n` +
  m.bearers.map(bearerText).join('') +
  (m.links ?? []).map(infoLinkText).join('');

const mib = (n: number): string => `${(n / (1 << 20)).toFixed(1)} MiB`;

export const statusText = (r: Result<'status'>): string =>
  table([
    ['pid', r.pid],
    ['uptime', `${Math.round(r.uptimeMs / 1000)} s`],
    ['socket', r.socket],
    ['modems', r.modemCount],
    ['clients', `${r.clients.connected} connected; dropped ${r.clients.events} event(s), ${r.clients.traces} trace(s); refused ${r.clients.refused}, disconnected ${r.clients.disconnected}`],
    ['memory', `${mib(r.memory.rss)} resident, ${mib(r.memory.heapUsed)} heap, ${mib(r.memory.external)} external`],
  ]);

export const linksText = (rows: LinkView[]): string =>
  rows.length === 0
    ? 'no links\n'
    : table([
        ['LINK', 'MODEM', 'ID', 'FRAMING', 'NETDEV', 'STATUS', 'ADDRESSES', 'RX', 'TX', 'LOWER'],
        // A stream link has no netdev: its terminal stands there, its kind where addresses are.
        ...rows.map((l) => [l.name, l.modem, l.linkId, l.framing, l.kind === 'stream' ? (l.path ?? '') : l.backend, l.status, l.kind === 'stream' ? 'DSS stream' : l.addresses.join(' '), l.counters.rxPackets, l.counters.txPackets, l.lower ?? '']),
      ]);

/** A password or PIN comes from a file (never from the command line, where `ps` would show it). */
export function readPasswordFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

export async function runDaemon(opts: { socket?: string; sim?: string[]; simControl?: string[]; netdev?: string; datapathThread: boolean; discover: boolean; dryRun?: boolean; http?: string; httpAllowRemote?: boolean; dbus?: string | true; pinFile?: string } & ServiceOptions & FleetOptions): Promise<number> {
  // Loaded here, not at the top: every other command (a client of the daemon) starts without the
  // daemon, D-Bus, web, MQTT and metrics modules, which is most of a start (seconds under emulation).
  const [{ startFleet }, { Daemon }, { SimHost }, { chooseNetdevs }, { dryRunner, writeSysfs }, { ip }, { ModemManagerService }, { WebServer, isLoopback, parseHttpAddress }, { stopSignal }, { DEFAULT_CONFIG, loadConfig }, { createLogger }] = await Promise.all([
    import('./fleet.js'), import('../daemon/server.js'), import('./sim-host.js'), import('./netdevs.js'), import('../net/kernel.js'), import('../net/iproute.js'),
    import('../dbus/service.js'), import('../web/server.js'), import('./signals.js'), import('../daemon/config.js'), import('../daemon/log.js'),
  ]);
  const logger = createLogger(opts.logLevel ?? 'info');
  const log = (line: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info'): void => logger[level](line);
  const config = opts.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  // A broken configuration stops the start before anything is made (the daemon checks it again).
  if (config !== undefined) loadConfig(config);
  const http = opts.http === undefined ? undefined : parseHttpAddress(opts.http);
  if (http && !isLoopback(http.host) && !opts.httpAllowRemote) {
    process.stderr.write(`wwan daemon: --http ${http.host} is not a loopback address; the dashboard serves loopback only unless --http-allow-remote is given\n`);
    return EXIT.usage;
  }
  const socket = opts.socket ?? defaultSocket();
  const { factory, note, datapathThread } = await chooseNetdevs(opts.netdev, opts.datapathThread);
  log(note);
  // Real modems' links are the kernel's: made for real, or with --dry-run printed as the exact steps.
  const kernelSteps: StepRunner = opts.dryRun ? dryRunner((l) => log(`dry run: ${l}`)) : { write: writeSysfs, ip: async (args) => void (await ip(args)), readBack: true };
  const pin = readPasswordFile(opts.pinFile);
  const daemon = await Daemon.start({ socket, simControl: opts.simControl, netdev: factory, datapathThread, discover: opts.discover, kernelSteps, log, metrics: opts.metrics !== undefined || http !== undefined, ...(pin !== undefined ? { pin } : {}), ...(config !== undefined ? { config } : {}) });
  // --sim: the simulators are this process's, beside the daemon, which gets their ports like any modem's.
  const sims = await SimHost.start(daemon, opts.sim ?? [], log).catch(async (e: unknown) => {
    await daemon.stop();
    throw e;
  });
  const stopDaemon = async (): Promise<void> => {
    await daemon.stop();
    await sims.stop();
  };
  if (opts.socketGroup !== undefined) await shareSocket(socket, opts.socketGroup).catch(async (e: unknown) => {
    await stopDaemon();
    throw e;
  });
  // SIGHUP re-reads the configuration (a broken file is refused with its line; the last good one stays).
  process.on('SIGHUP', () => void daemon.reload().catch((e: Error) => log(e.message, config ? 'error' : 'warn')));
  process.stdout.write(`${JSON.stringify({ event: 'listening', socket, modems: [...daemon.manager.modems.keys()] })}\n`);
  const fleet = await startFleet(daemon, opts, log, (e) => void process.stdout.write(`${JSON.stringify(e)}\n`)).catch(async (e: unknown) => {
    await stopDaemon();
    throw e;
  });
  // --dbus alone means the system bus, where ModemManager's clients look.
  const mm =
    opts.dbus === undefined
      ? undefined
      : await ModemManagerService.start(daemon, { bus: opts.dbus === true ? 'system' : opts.dbus, log }).catch(async (e: unknown) => {
          await stopDaemon();
          throw e;
        });
  let web: WebServer | undefined;
  if (http) {
    if (!isLoopback(http.host)) log(`WARNING: --http-allow-remote: the dashboard listens on ${http.host}, beyond loopback, over plain HTTP: anyone who learns its URL controls the modems`);
    web = await WebServer.start({ daemon, host: http.host, port: http.port, allowRemote: opts.httpAllowRemote === true, ...(fleet.metrics ? { metrics: fleet.metrics } : {}) }).catch(async (e: unknown) => {
      await fleet.stop();
      await mm?.stop();
      await stopDaemon();
      throw e;
    });
    process.stdout.write(`${JSON.stringify({ event: 'http', url: web.url })}\n`);
  }
  await stopSignal();
  await web?.close();
  await fleet.stop();
  await mm?.stop();
  await stopDaemon();
  return EXIT.ok;
}
