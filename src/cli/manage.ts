/**
 * `wwan daemon|status|list|info|connect|disconnect|links|monitor`. Exit codes scripts can rely on:
 * 0 done, 1 the modem or network refused, 2 bad arguments, 3 no daemon, 4 no such modem, 5 not allowed
 * to use the daemon's socket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { startFleet, type FleetOptions } from './fleet.js';
import { DaemonClient, DaemonError, defaultSocket } from '../daemon/client.js';
import { Daemon } from '../daemon/server.js';
import { chooseNetdevs } from './netdevs.js';
import { dryRunner, writeSysfs, type StepRunner } from '../net/kernel.js';
import { ip } from '../net/iproute.js';
import { ModemManagerService } from '../dbus/service.js';
import { WebServer, isLoopback, parseHttpAddress } from '../web/server.js';
import { stopSignal } from './signals.js';
import { DEFAULT_CONFIG, loadConfig } from '../daemon/config.js';
import { createLogger } from '../daemon/log.js';
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

export function exitFor(e: unknown): number {
  if (e instanceof DaemonError) return e.code === 'unreachable' ? EXIT.unreachable : e.code === 'forbidden' ? EXIT.forbidden : e.code === 'not-found' ? EXIT.notFound : e.code === 'connect' ? EXIT.refused : e.code === 'internal' ? EXIT.refused : EXIT.usage;
  return EXIT.refused;
}

/** Runs one API call and prints it: JSON with --json, `human` otherwise. */
export async function withDaemon(socket: string | undefined, o: Output, fn: (c: DaemonClient) => Promise<unknown>, human: (result: never) => string): Promise<number> {
  let client: DaemonClient | undefined;
  try {
    client = await DaemonClient.connect(socket ?? defaultSocket());
    const result = await fn(client);
    o.out(o.json ? `${JSON.stringify(result)}\n` : human(result as never));
    return EXIT.ok;
  } catch (e) {
    o.err(o.json ? `${JSON.stringify({ error: { code: e instanceof DaemonError ? e.code : 'internal', message: (e as Error).message } })}\n` : `wwan: ${(e as Error).message}\n`);
    return exitFor(e);
  } finally {
    client?.close();
  }
}

interface ModemRow {
  id: string;
  state: string;
  manufacturer?: string;
  model?: string;
  registration?: { state: string; operator?: { name: string }; tech?: string };
  signal?: { rsrp?: number; rssi?: number };
  bearers: number;
}

export const listText = (rows: ModemRow[]): string =>
  rows.length === 0
    ? 'no modems (start the daemon with --sim PROFILE, or plug one in)\n'
    : table([
        ['MODEM', 'STATE', 'MODEL', 'OPERATOR', 'TECH', 'SIGNAL', 'BEARERS'],
        ...rows.map((m) => [m.id, m.state, `${m.manufacturer ?? ''} ${m.model ?? ''}`.trim(), m.registration?.operator?.name, m.registration?.tech, m.signal?.rsrp !== undefined ? `${m.signal.rsrp} dBm` : undefined, m.bearers]),
      ]);

interface BearerRow {
  id: number;
  status: string;
  linkId: number;
  interface?: string;
  apn?: string;
  ipv4?: { address: string; prefix: number; gateway?: string; dns: string[]; mtu?: number };
  ipv6?: { address: string; prefix: number };
  error?: string;
}

export const bearerText = (b: BearerRow): string =>
  `bearer ${b.id}: ${b.status} on link ${b.linkId}${b.interface ? ` (${b.interface})` : ''}${b.apn ? `, APN ${b.apn}` : ''}\n` +
  (b.ipv4 ? `  IPv4 ${b.ipv4.address}/${b.ipv4.prefix} gateway ${b.ipv4.gateway ?? '-'} DNS ${b.ipv4.dns.join(', ')}${b.ipv4.mtu ? ` MTU ${b.ipv4.mtu}` : ''}\n` : '') +
  (b.ipv6 ? `  IPv6 ${b.ipv6.address}/${b.ipv6.prefix}\n` : '') +
  (b.error ? `  last error: ${b.error}\n` : '');

type ModemInfoRow = Omit<ModemRow, 'bearers'> & { imei?: string; revision?: string; protocol?: string; sim?: { status: string; pinRetries?: number }; dataFormat?: unknown; bearers: BearerRow[]; links?: InfoLink[] };

/** A link in `info`: where it runs below (pipe or master netdev) and above (netdev or stream). */
interface InfoLink {
  kind: 'ip' | 'stream';
  linkId: number;
  lower?: string;
  upper?: string;
  channel?: { exists: boolean; remoteOpen: boolean; up: boolean };
}

const channelText = (c: NonNullable<InfoLink['channel']>): string => ` (BAM-DMUX channel ${c.remoteOpen ? 'open' : c.exists ? 'closed' : 'not made'} by the modem, ${c.up ? 'up' : 'down'} here)`;
const infoLinkText = (l: InfoLink): string => `  ${l.kind === 'ip' ? 'link' : 'stream'} ${String(l.linkId).padEnd(7)} ${l.upper ?? '?'} over ${l.lower ?? '?'}${l.channel ? channelText(l.channel) : ''}\n`;

export const infoText = (m: ModemInfoRow): string =>
  `${m.id}: ${m.manufacturer} ${m.model} (${m.revision})\n` +
  `  state        ${m.state}\n  control      ${m.protocol}\n  IMEI         ${m.imei}\n` +
  `  SIM          ${m.sim?.status}${m.sim?.pinRetries !== undefined ? ` (PIN retries ${m.sim.pinRetries})` : ''}\n` +
  `  registration ${m.registration?.state}${m.registration?.operator ? ` on ${m.registration.operator.name}` : ''}${m.registration?.tech ? ` (${m.registration.tech})` : ''}\n` +
  `  signal       ${JSON.stringify(m.signal ?? {})}\n` +
  `  data format  ${m.dataFormat ? JSON.stringify(m.dataFormat) : 'not negotiated yet'}\n` +
  m.bearers.map(bearerText).join('') +
  (m.links ?? []).map(infoLinkText).join('');

interface LinkRow {
  modem: string;
  name: string;
  linkId: number;
  framing: string;
  backend: string;
  status: string;
  addresses: string[];
  counters: { rxPackets: number; txPackets: number };
  kind?: 'ip' | 'stream';
  /** Where the link's data enters the host (the pipe, or the kernel's master netdev) and what carries it above. */
  lower?: string;
  upper?: string;
  /** Stream links: the stable terminal name. */
  path?: string;
}

export const linksText = (rows: LinkRow[]): string =>
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

export async function runDaemon(opts: { socket?: string; sim?: string[]; simControl?: string[]; netdev?: string; discover: boolean; dryRun?: boolean; http?: string; httpAllowRemote?: boolean; dbus?: string | true; pinFile?: string } & ServiceOptions & FleetOptions): Promise<number> {
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
  const { factory, note } = await chooseNetdevs(opts.netdev);
  log(note);
  // Real modems' links are the kernel's: made for real, or with --dry-run printed as the exact steps.
  const kernelSteps: StepRunner = opts.dryRun ? dryRunner((l) => log(`dry run: ${l}`)) : { write: writeSysfs, ip: async (args) => void (await ip(args)), readBack: true };
  const pin = readPasswordFile(opts.pinFile);
  const daemon = await Daemon.start({ socket, sims: opts.sim, simControl: opts.simControl, netdev: factory, discover: opts.discover, kernelSteps, log, ...(pin !== undefined ? { pin } : {}), ...(config !== undefined ? { config } : {}) });
  if (opts.socketGroup !== undefined) await shareSocket(socket, opts.socketGroup).catch(async (e: unknown) => {
    await daemon.stop();
    throw e;
  });
  // SIGHUP re-reads the configuration (a broken file is refused with its line; the last good one stays).
  process.on('SIGHUP', () => void daemon.reload().catch((e: Error) => log(e.message, config ? 'error' : 'warn')));
  process.stdout.write(`${JSON.stringify({ event: 'listening', socket, modems: [...daemon.manager.modems.keys()] })}\n`);
  const fleet = await startFleet(daemon, opts, http !== undefined, log, (e) => void process.stdout.write(`${JSON.stringify(e)}\n`)).catch(async (e: unknown) => {
    await daemon.stop();
    throw e;
  });
  // --dbus alone means the system bus, where ModemManager's clients look.
  const mm =
    opts.dbus === undefined
      ? undefined
      : await ModemManagerService.start(daemon, { bus: opts.dbus === true ? 'system' : opts.dbus, log }).catch(async (e: unknown) => {
          await daemon.stop();
          throw e;
        });
  let web: WebServer | undefined;
  if (http) {
    if (!isLoopback(http.host)) log(`WARNING: --http-allow-remote: the dashboard listens on ${http.host}, beyond loopback, over plain HTTP: anyone who learns its URL controls the modems`);
    web = await WebServer.start({ daemon, host: http.host, port: http.port, allowRemote: opts.httpAllowRemote === true, ...(fleet.metrics ? { metrics: fleet.metrics } : {}) }).catch(async (e: unknown) => {
      await fleet.stop();
      await mm?.stop();
      await daemon.stop();
      throw e;
    });
    process.stdout.write(`${JSON.stringify({ event: 'http', url: web.url })}\n`);
  }
  await stopSignal();
  await web?.close();
  await fleet.stop();
  await mm?.stop();
  await daemon.stop();
  return EXIT.ok;
}
