/**
 * `wwan daemon --metrics [ADDRESS:]PORT`: Prometheus's scrape endpoint, read-only, without a token
 * (nothing it serves is secret and nothing it answers changes anything). Loopback unless the operator
 * allows another address explicitly.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { DaemonMetrics } from '../daemon/metrics.js';
import { ConfigError } from '../modem/types.js';
import { isLoopback } from './server.js';

export class MetricsServer {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(options: { metrics: DaemonMetrics; host: string; port: number; allowRemote?: boolean }): Promise<MetricsServer> {
    if (!isLoopback(options.host) && !options.allowRemote) throw new ConfigError(`--metrics serves loopback only; add --metrics-allow-remote to serve on ${options.host}`);
    const server = http.createServer((req, res) => void serveMetrics(options.metrics, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    return new MetricsServer(server, `http://${net.isIPv6(address) ? `[${address}]` : address}:${port}/metrics`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** GET or HEAD /metrics; everything else is refused (the endpoint is read-only). */
export async function serveMetrics(metrics: DaemonMetrics, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path !== '/metrics') return plain(res, 404, 'only /metrics is served here\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, 'read-only: GET /metrics\n');
  }
  try {
    const body = await metrics.scrape();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    plain(res, 500, `collecting metrics failed: ${(e as Error).message}\n`);
  }
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
