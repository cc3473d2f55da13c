/**
 * `wwan daemon --http`: the dashboard's static bundle and the JSON/event API it uses, over node:http.
 * Loopback unless --http-allow-remote; requests must name this server in Host (DNS rebinding). Every /api request carries a random token as a bearer
 * header; the page learns it from the URL fragment, which browsers never send, so it stays out of logs.
 * No CORS: the page and the API share one origin, and a strict Content-Security-Policy guards the page.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Daemon } from '../daemon/server.js';
import { isWebMethod, type ApiEvent } from '../daemon/api.js';
import { errorOf } from '../daemon/protocol.js';
import type { DaemonMetrics } from '../daemon/metrics.js';
import { serveMetrics } from './metrics-server.js';
import { ConfigError } from '../modem/types.js';
import { describeMbim } from '../mbim/describe.js';
import { describeQmux } from '../qmi/describe.js';
import { controlPdu, LINKTYPE_WIRESHARK_UPPER_PDU, pcapHeader, pcapRecord } from '../trace/pcap.js';
import { HostCheck } from './host-check.js';

/** The built bundle (scripts/build-web.mjs); the same path from src/web and from dist/web. */
export const STATIC_DIR = fileURLToPath(new URL('../../dist/web/static/', import.meta.url));

const SIGNAL_KEEP_MS = 10 * 60_000;
const THROUGHPUT_KEEP_MS = 5 * 60_000;
const TRACE_KEEP = 2000;
/** The kept trace's hex in all: a few huge MBIM messages must not pin hundreds of MB. */
const TRACE_KEEP_BYTES = 8 << 20;
const MAX_BODY = 64 * 1024;
/** A page that stops reading its event stream is dropped rather than buffered without end. */
const MAX_BUFFERED = 4 << 20;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

export interface WebOptions {
  daemon: Daemon;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The operator asked to serve beyond loopback (--http-allow-remote; the token still guards the API). */
  allowRemote?: boolean;
  /** Where the bundle is (default: STATIC_DIR). */
  staticDir?: string;
  /** How often link counters are sampled for throughput. */
  sampleMs?: number;
  /** Also serve these at /metrics, behind the token like the API. */
  metrics?: DaemonMetrics;
}

/** `PORT`, `HOST:PORT` or `[V6]:PORT`; HOST is an IP address or `localhost`. */
export function parseHttpAddress(spec: string, flag = '--http'): { host: string; port: number } {
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(spec.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new ConfigError(`${flag} takes PORT or ADDRESS:PORT (e.g. 127.0.0.1:8080), not ${JSON.stringify(spec.slice(0, 64))}`);
  const named = m[1] ?? m[2];
  const host = named === undefined || named === 'localhost' ? '127.0.0.1' : named;
  if (net.isIP(host) === 0) throw new ConfigError(`${flag} needs an IP address, not the name ${JSON.stringify(host.slice(0, 64))}`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return net.isIPv4(host) ? host.startsWith('127.') : host === '::1' || /^::ffff:127\./i.test(host);
}

interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

type TraceEvent = ApiEvent<'trace'>;
/** [time in s, rssi, rsrp, rsrq, snr]: the columns the page's chart takes. */
type SignalSample = [number, ...(number | null)[]];
/** [time in s, down bytes/s, up bytes/s]. */
type RateSample = [number, number, number];

export class WebServer {
  readonly token = randomBytes(32).toString('base64url');
  private readonly tokenHash = createHash('sha256').update(this.token).digest();
  private readonly server: http.Server;
  private readonly streams = new Set<http.ServerResponse>();
  private readonly signal = new Map<string, SignalSample[]>();
  private readonly throughput = new Map<string, RateSample[]>();
  private readonly counters = new Map<string, { time: number; rx: number; tx: number }>();
  private readonly trace: TraceEvent[] = [];
  private traceBytes = 0;
  /** Event streams closed because their page stopped reading (shown in /api/status as `web`). */
  readonly stats = { streamsDropped: 0 };
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private hostCheck: HostCheck | undefined;
  url = '';

  private constructor(
    private readonly daemon: Daemon,
    private readonly files: Map<string, StaticFile>,
    private readonly metrics?: DaemonMetrics,
  ) {
    this.server = http.createServer((req, res) => void this.route(req, res));
  }

  static async start(options: WebOptions): Promise<WebServer> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host) && !options.allowRemote) throw new ConfigError(`the dashboard serves loopback only; ${host} is not loopback (add --http-allow-remote to serve there)`);
    const web = new WebServer(options.daemon, loadStatic(options.staticDir ?? STATIC_DIR), options.metrics);
    await web.watch(options.sampleMs ?? 1000);
    await new Promise<void>((resolve, reject) => {
      web.server.once('error', reject);
      web.server.listen(options.port ?? 0, host, () => resolve());
    }).catch(async (e: unknown) => {
      // Its sampling timers would keep the process alive after the failure is reported.
      await web.close();
      throw e;
    });
    const { address, port } = web.server.address() as AddressInfo;
    web.hostCheck = new HostCheck(address, port);
    web.url = `http://${net.isIPv6(address) ? `[${address}]` : address}:${port}/#token=${web.token}`;
    return web;
  }

  /** Keeps what a page opened later wants to see: recent signal, throughput and control messages. */
  private async watch(sampleMs: number): Promise<void> {
    const list = await this.daemon.request('list');
    for (const m of list) if (m.signal) this.noteSignal(m.id, m.signal);
    this.unsubscribe.push(
      this.daemon.onEvent((e) => {
        if (e.event === 'signal') this.noteSignal(e.modem, e.signal);
        if (e.event === 'modem-removed') this.signal.delete(e.modem);
        this.send(e);
      }),
      this.daemon.onTrace((t) => {
        this.trace.push(t);
        this.traceBytes += t.hex.length;
        while (this.trace.length > TRACE_KEEP || this.traceBytes > TRACE_KEEP_BYTES) this.traceBytes -= this.trace.shift()!.hex.length;
        this.send(t);
      }),
    );
    this.timers.push(
      setInterval(() => void this.sampleLinks(), sampleMs),
      // Comments keep idle streams open through proxies and tell us early when a page has gone.
      setInterval(() => this.streams.forEach((s) => s.write(': keep-alive\n\n')), 20_000),
    );
  }

  private noteSignal(modem: string, s: ApiEvent<'signal'>['signal']): void {
    const now = Date.now();
    const samples = this.signal.get(modem) ?? [];
    samples.push([now / 1000, s.rssi ?? null, s.rsrp ?? null, s.rsrq ?? null, s.snr ?? null]);
    prune(samples, now - SIGNAL_KEEP_MS);
    this.signal.set(modem, samples);
  }

  /** Throughput per link from the links' byte counters, one sample per tick, published to every page. */
  private async sampleLinks(): Promise<void> {
    const links = await this.daemon.request('links');
    const now = Date.now();
    const seen = new Set<string>();
    const rates = links.map((l) => {
      const key = `${l.modem}/${l.name}`;
      seen.add(key);
      const before = this.counters.get(key);
      this.counters.set(key, { time: now, rx: l.counters.rxBytes, tx: l.counters.txBytes });
      const dt = before ? (now - before.time) / 1000 : 0;
      const sample: RateSample = [now / 1000, dt > 0 ? Math.max(0, (l.counters.rxBytes - before!.rx) / dt) : 0, dt > 0 ? Math.max(0, (l.counters.txBytes - before!.tx) / dt) : 0];
      const history = this.throughput.get(key) ?? [];
      history.push(sample);
      prune(history, now - THROUGHPUT_KEEP_MS);
      this.throughput.set(key, history);
      return { key, modem: l.modem, name: l.name, linkId: l.linkId, sample };
    });
    for (const key of this.counters.keys()) {
      if (seen.has(key)) continue;
      this.counters.delete(key);
      this.throughput.delete(key);
    }
    if (rates.length > 0) this.send({ event: 'throughput', links: rates });
  }

  private send(event: object): void {
    if (this.streams.size === 0) return;
    const chunk = `data: ${JSON.stringify(event)}\n\n`;
    for (const s of this.streams) {
      if (s.writableLength > MAX_BUFFERED) {
        this.stats.streamsDropped++;
        this.streams.delete(s);
        s.destroy();
      }
      else s.write(chunk);
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // Before anything else, pages included: a foreign Host is a DNS-rebinding page talking to us.
    if (!this.hostCheck?.host(req.headers.host)) return json(res, 421, { error: { code: 'bad-host', message: `this server does not answer to the host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))}; open the URL the daemon printed` } });
    if (req.method !== 'GET' && req.method !== 'HEAD' && !this.hostCheck.origin(req.headers.origin)) return json(res, 403, { error: { code: 'bad-origin', message: 'a request from another origin was refused' } });
    try {
      if (path === '/metrics' && this.metrics) return this.authorized(req.headers.authorization) ? serveMetrics(this.metrics, req, res) : json(res, 401, { error: { code: 'unauthorized', message: 'send the token as a bearer header' } });
      if (!path.startsWith('/api/')) return this.serveStatic(req, res, path);
      res.setHeader('Cache-Control', 'no-store');
      if (!this.authorized(req.headers.authorization)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return json(res, 401, { error: { code: 'unauthorized', message: 'open the URL the daemon printed (it carries the token)' } });
      }
      const route = `${req.method ?? ''} ${path}`;
      if (route === 'GET /api/events') return this.stream(req, res);
      if (route === 'GET /api/trace.pcap') return this.pcap(res);
      if (route === 'POST /api/describe') return json(res, 200, { result: describe(await readJson(req)) });
      const method = /^POST \/api\/([a-zA-Z]+)$/.exec(route)?.[1];
      // The contract says which methods are the page's (access `web`); adding simulators or removing modems stays on the socket.
      if (isWebMethod(method)) {
        const params = await readJson(req);
        // Like the socket: a refusal is an answer ({error}), not an HTTP failure; HTTP codes are for HTTP. The daemon checks the params.
        const answer: { result?: unknown; error?: unknown } = await this.daemon.request(method, params as never).then((result) => ({ result }), (e: unknown) => ({ error: errorOf(e) }));
        if (method === 'status' && 'result' in answer) answer.result = { ...(answer.result as object), web: this.stats };
        return json(res, 200, answer);
      }
      return json(res, 404, { error: { code: 'not-found', message: `no ${route}` } });
    } catch (e) {
      json(res, 400, { error: { code: 'bad-request', message: (e as Error).message } });
    }
  }

  /** Constant time over hashes, so neither the token's bytes nor its length leak through timing. */
  private authorized(header: string | undefined): boolean {
    const given = /^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '';
    return timingSafeEqual(createHash('sha256').update(given).digest(), this.tokenHash);
  }

  private serveStatic(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const file = this.files.get(path === '/' ? 'index.html' : path.slice(1));
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return json(res, 404, { error: { code: 'not-found', message: 'no such file' } });
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzip : file.body;
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': body.length, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Server-Sent Events: first what the page missed (histories, recent messages), then everything live. */
  private stream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
    res.write(`data: ${JSON.stringify({ event: 'hello', signal: Object.fromEntries(this.signal), throughput: Object.fromEntries(this.throughput), trace: this.trace })}\n\n`);
    this.streams.add(res);
    req.socket.setNoDelay(true);
    res.on('close', () => this.streams.delete(res));
  }

  /** The recent control messages as a capture for Wireshark. */
  private pcap(res: http.ServerResponse): void {
    const parts = [pcapHeader(LINKTYPE_WIRESHARK_UPPER_PDU), ...this.trace.map((e) => pcapRecord(controlPdu(e.protocol, Buffer.from(e.hex, 'hex')), e.time))];
    const body = Buffer.concat(parts);
    res.writeHead(200, { 'Content-Type': 'application/vnd.tcpdump.pcap', 'Content-Disposition': 'attachment; filename="wwankit-trace.pcap"', 'Content-Length': body.length });
    res.end(body);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    for (const t of this.timers) clearInterval(t);
    for (const s of this.streams) s.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function loadStatic(dir: string): Map<string, StaticFile> {
  if (!existsSync(join(dir, 'index.html'))) throw new ConfigError(`the dashboard is not built in ${dir}; run \`npm run build\``);
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    files.set(name, { type, body, gzip: gzipSync(body) });
  }
  return files;
}

/** Every TLV or field of one traced message; secrets were overwritten before the bytes were traced. */
function describe(p: Record<string, unknown>): unknown {
  if (typeof p.hex !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(p.hex) || p.hex.length > 2 * MAX_BODY) throw new Error('hex must be the message as hex');
  const bytes = Buffer.from(p.hex, 'hex');
  if (p.protocol === 'qmi') return describeQmux(bytes);
  if (p.protocol === 'mbim') return describeMbim(bytes, { redact: true });
  throw new Error('protocol is qmi or mbim');
}

function prune(samples: [number, ...unknown[]][], before: number): void {
  const keep = samples.findIndex((s) => s[0] * 1000 >= before);
  samples.splice(0, keep === -1 ? samples.length : keep);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new Error('send application/json');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new Error('the request body is too large');
    chunks.push(c);
  }
  const v: unknown = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the body must be a JSON object');
  return v as Record<string, unknown>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
