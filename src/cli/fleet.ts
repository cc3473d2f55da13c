/**
 * `wwan daemon`'s fleet options: Prometheus metrics (`--metrics`) and MQTT (`--mqtt…`). Started after
 * the daemon, stopped before it.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { MqttBridge } from '../daemon/mqtt.js';
import { readPasswordFile } from './manage.js';
import type { DaemonMetrics } from '../daemon/metrics.js';
import type { Daemon } from '../daemon/server.js';
import type { MetricsServer } from '../web/metrics-server.js';

/** Where `--metrics` without an address serves: loopback only, Prometheus' usual port range. */
const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9470';

export interface FleetOptions {
  metrics?: string | true;
  metricsAllowRemote?: boolean;
  mqtt?: string;
  mqttTopicPrefix?: string;
  mqttName?: string;
  mqttUsername?: string;
  mqttPasswordFile?: string;
  mqttTlsCa?: string;
  mqttCommands?: boolean;
  mqttHomeassistant?: boolean;
}

export function fleetOptions(c: Command): Command {
  return c
    .option('--metrics [address]', `serve Prometheus metrics at http://ADDRESS:PORT/metrics (default ${DEFAULT_METRICS_ADDRESS}; read-only, no token)`)
    .option('--metrics-allow-remote', '--metrics may listen beyond loopback')
    .option('--mqtt <url>', 'publish state and events to an MQTT broker: mqtt://HOST:PORT or mqtts://HOST:PORT')
    .option('--mqtt-topic-prefix <prefix>', 'topic prefix (default wwankit): topics are PREFIX/NAME/MODEM/…')
    .option('--mqtt-name <name>', "this daemon's name in topics (default: the host name)")
    .option('--mqtt-username <user>', 'MQTT user name')
    .option('--mqtt-password-file <file>', 'a file holding the MQTT password (never on the command line, never logged)')
    .option('--mqtt-tls-ca <file>', 'CA certificate(s) (PEM) for mqtts://')
    .option('--mqtt-commands', 'obey connect/disconnect commands on PREFIX/NAME/MODEM/cmd/METHOD (refused otherwise)')
    .option('--mqtt-homeassistant', 'publish Home Assistant MQTT discovery: each modem a device with signal, state and data-usage sensors');
}

export interface Fleet {
  /** Served by --metrics and by the dashboard's /metrics; absent when neither serves them. */
  metrics?: DaemonMetrics;
  stop(): Promise<void>;
}

/** The daemon's metrics (started with `metrics` when --metrics or the dashboard serves them) exported, and the MQTT bridge. */
export async function startFleet(daemon: Daemon, opts: FleetOptions, log: (l: string) => void, announce: (event: Record<string, unknown>) => void): Promise<Fleet> {
  // Loaded with the daemon only: the CLI's other commands start without them.
  const [{ Counter }, { MqttBridge }, { MetricsServer }, { parseHttpAddress }] = await Promise.all([import('prom-client'), import('../daemon/mqtt.js'), import('../web/metrics-server.js'), import('../web/server.js')]);
  const metrics = daemon.metrics;
  let server: MetricsServer | undefined;
  let bridge: MqttBridge | undefined;
  const stop = async (): Promise<void> => {
    await bridge?.stop();
    await server?.close();
  };
  try {
    if (opts.metrics !== undefined && metrics) {
      const a = parseHttpAddress(opts.metrics === true ? DEFAULT_METRICS_ADDRESS : opts.metrics, '--metrics');
      server = await MetricsServer.start({ metrics, host: a.host, port: a.port, allowRemote: opts.metricsAllowRemote });
      log(`Prometheus metrics at ${server.url}`);
      announce({ event: 'metrics', url: server.url });
    }
    if (opts.mqtt !== undefined) {
      const password = readPasswordFile(opts.mqttPasswordFile);
      bridge = MqttBridge.start(daemon, {
        url: opts.mqtt,
        name: opts.mqttName ?? hostname().replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64),
        ...(opts.mqttTopicPrefix !== undefined ? { prefix: opts.mqttTopicPrefix } : {}),
        ...(opts.mqttUsername !== undefined ? { username: opts.mqttUsername } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(opts.mqttTlsCa !== undefined ? { ca: readFileSync(opts.mqttTlsCa) } : {}),
        commands: !!opts.mqttCommands,
        homeAssistant: !!opts.mqttHomeassistant,
        log,
      });
      const stats = bridge.stats;
      if (metrics) new Counter({ name: 'wwan_mqtt_dropped_events_total', help: 'Events dropped while the MQTT broker was away and the queue was full.', registers: [metrics.registry], collect() { this.reset(); this.inc(stats.dropped); } });
      announce({ event: 'mqtt', url: opts.mqtt, topics: `${bridge.base}/#` });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { metrics, stop };
}
