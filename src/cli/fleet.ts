/**
 * `wwan daemon`'s fleet options: Prometheus metrics (`--metrics`) and MQTT (`--mqtt…`). Started after
 * the daemon, stopped before it.
 */
import type { Command } from 'commander';
import { DaemonMetrics } from '../daemon/metrics.js';
import type { Daemon } from '../daemon/server.js';
import { DEFAULT_METRICS_ADDRESS, MetricsServer } from '../web/metrics-server.js';
import { parseHttpAddress } from '../web/server.js';

export interface FleetOptions {
  metrics?: string | true;
  metricsAllowRemote?: boolean;
}

export function fleetOptions(c: Command): Command {
  return c
    .option('--metrics [address]', `serve Prometheus metrics at http://ADDRESS:PORT/metrics (default ${DEFAULT_METRICS_ADDRESS}; read-only, no token)`)
    .option('--metrics-allow-remote', '--metrics may listen beyond loopback');
}

export interface Fleet {
  /** Present when metrics are wanted (`--metrics`, or the dashboard's /metrics). */
  metrics: DaemonMetrics;
  stop(): Promise<void>;
}

export async function startFleet(daemon: Daemon, opts: FleetOptions, log: (l: string) => void, announce: (event: Record<string, unknown>) => void): Promise<Fleet> {
  const metrics = new DaemonMetrics(daemon.manager);
  let server: MetricsServer | undefined;
  const stop = async (): Promise<void> => {
    await server?.close();
    metrics.close();
  };
  try {
    if (opts.metrics !== undefined) {
      const a = parseHttpAddress(opts.metrics === true ? DEFAULT_METRICS_ADDRESS : opts.metrics, '--metrics');
      server = await MetricsServer.start({ metrics, host: a.host, port: a.port, allowRemote: opts.metricsAllowRemote });
      log(`Prometheus metrics at ${server.url}`);
      announce({ event: 'metrics', url: server.url });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { metrics, stop };
}
