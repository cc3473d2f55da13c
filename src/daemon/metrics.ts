/**
 * Prometheus metrics for `wwan daemon --metrics` and `/metrics` under `--http`. Modem, bearer and link
 * figures are read from the manager's state when Prometheus scrapes (no timers, nothing kept per
 * modem between scrapes); control requests are counted as they end. Nothing here is secret: no PIN,
 * password, IMSI or ICCID, only names the operator chose (modem ids, APNs) and what the network says.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Manager } from '../modem/manager.js';
import type { Bearer, BearerStatus, Modem, ModemState } from '../modem/modem.js';
import type { Registration, SignalQuality } from '../modem/types.js';

const MODEM_STATES: readonly ModemState[] = ['probing', 'locked', 'failed', 'searching', 'registered', 'connected'];
const REGISTRATION_STATES: readonly Registration['state'][] = ['home', 'roaming', 'searching', 'denied', 'idle', 'unknown'];
const BEARER_STATES: readonly BearerStatus[] = ['connecting', 'connected', 'reconnecting', 'disconnected', 'failed'];
/** Operator names come from the network: cut short so a hostile cell cannot blow up a label. */
const MAX_LABEL = 64;

/** Each modem and bearer once per scrape, with its labels already written (`modem="sim0",…`). */
interface Rows {
  modems: { x: Modem; l: string }[];
  bearers: { b: Bearer; x: Modem; l: string }[];
}
/** `labels`: written label pairs without braces ('' for none); an undefined value is left out. */
type Fill = (set: (labels: string, value: number | undefined) => void, rows: Rows) => void;

export class DaemonMetrics {
  /** prom-client's: Node's process figures and the control-request counters and histogram. */
  readonly registry = new Registry();
  private readonly families: { name: string; help: string; type: 'gauge' | 'counter'; fill: Fill }[] = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly manager: Manager) {
    // Memory, CPU, event-loop lag, GC: Node's own figures. The active-handle gauges are left out: their
    // `_total` names break the convention promtool checks.
    collectDefaultMetrics({ register: this.registry });
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    const r = this.registry;

    this.gauge('wwan_modems', 'Modems the daemon manages.', (set) => set('', this.manager.modems.size));

    // Per modem.
    this.gauge('wwan_modem_info', 'A modem: its control protocol and identity (always 1).', (set, rows) => {
      for (const { x, l } of rows.modems) {
        const id = x.info?.identity;
        set(`${l},${labels({ protocol: x.driver.protocol, manufacturer: cut(id?.manufacturer), model: cut(id?.model), revision: cut(id?.revision) })}`, 1);
      }
    });
    this.gauge('wwan_modem_state', "The modem's state: 1 for the current one, 0 for the others.", (set, rows) => {
      for (const { x, l } of rows.modems) for (const s of MODEM_STATES) set(`${l},state="${s}"`, x.state === s ? 1 : 0);
    });
    this.gauge('wwan_modem_registration_state', 'Network registration: 1 for the current state, 0 for the others.', (set, rows) => {
      for (const { x, l } of rows.modems) {
        const now = x.info?.registration.state ?? 'unknown';
        for (const s of REGISTRATION_STATES) set(`${l},state="${s}"`, now === s ? 1 : 0);
      }
    });
    // One series per modem whatever the operator: the label changes, the cardinality does not grow.
    this.gauge('wwan_modem_network_info', 'The network the modem is on: access technology and operator (always 1).', (set, rows) => {
      for (const { x, l } of rows.modems) {
        const reg = x.info?.registration;
        if (reg) set(`${l},${labels({ access_technology: cut(reg.tech ?? 'unknown'), mcc: cut(reg.operator?.mcc), mnc: cut(reg.operator?.mnc), operator: cut(reg.operator?.name) })}`, 1);
      }
    });
    const signal = (name: string, help: string, pick: (s: SignalQuality) => number | undefined): void =>
      this.gauge(name, help, (set, rows) => {
        for (const { x, l } of rows.modems) if (x.info) set(l, pick(x.info.signal));
      });
    signal('wwan_modem_signal_rssi_dbm', 'Received signal strength (dBm).', (s) => s.rssi);
    signal('wwan_modem_signal_rsrp_dbm', 'LTE reference signal received power (dBm).', (s) => s.rsrp);
    signal('wwan_modem_signal_rsrq_db', 'LTE reference signal received quality (dB).', (s) => s.rsrq);
    signal('wwan_modem_signal_sinr_db', 'Signal to interference and noise ratio (dB).', (s) => s.snr);
    this.counter('wwan_datapath_receive_drops_total', 'Data from the modem dropped before reaching a link, by reason.', (set, rows) => {
      for (const { x, l } of rows.modems) {
        const dp = x.datapath;
        if (!dp) continue;
        set(`${l},reason="unknown_link"`, dp.stats.unknownLink);
        for (const [reason, n] of Object.entries(dp.drops().receive)) set(`${l},${labels({ reason: snake(reason) })}`, n);
      }
    });

    // Per bearer and its link.
    this.gauge('wwan_bearer_info', 'A bearer: its link id, interface and IP type (always 1).', (set, rows) => {
      for (const { b, l } of rows.bearers) set(`${l},${labels({ link: String(b.linkId), interface: b.netdev?.name ?? '', ip_type: b.request.ipType })}`, 1);
    });
    this.gauge('wwan_bearer_state', "The bearer's state: 1 for the current one, 0 for the others.", (set, rows) => {
      for (const { b, l } of rows.bearers) for (const s of BEARER_STATES) set(`${l},state="${s}"`, b.status === s ? 1 : 0);
    });
    this.counter('wwan_bearer_reconnects_total', 'Times the bearer was dialled again after the network or a modem reset dropped it.', (set, rows) => {
      for (const { b, l } of rows.bearers) set(l, b.reconnects);
    });
    this.gauge('wwan_bearer_last_connect_duration_seconds', 'How long the last successful connect took, first request to link configured.', (set, rows) => {
      for (const { b, l } of rows.bearers) set(l, b.connectSeconds);
    });
    const counter = (name: string, help: string, key: 'rxBytes' | 'txBytes' | 'rxPackets' | 'txPackets'): void =>
      this.counter(name, help, (set, rows) => {
        for (const { b, l } of rows.bearers) if (b.netdev) set(l, b.netdev.counters[key]);
      });
    counter('wwan_link_receive_bytes_total', 'Bytes the link delivered from the modem.', 'rxBytes');
    counter('wwan_link_transmit_bytes_total', 'Bytes the link sent toward the modem.', 'txBytes');
    counter('wwan_link_receive_packets_total', 'Packets the link delivered from the modem.', 'rxPackets');
    counter('wwan_link_transmit_packets_total', 'Packets the link sent toward the modem.', 'txPackets');
    this.counter('wwan_link_transmit_drops_total', 'Packets toward the modem dropped, by reason: the flow-control queue was full, or the framing refused them.', (set, rows) => {
      for (const { b, x, l } of rows.bearers) {
        if (!b.netdev) continue;
        const queued = x.datapath?.links.get(b.linkId)?.queueDropped ?? 0;
        set(`${l},reason="flow_control_queue_full"`, queued);
        set(`${l},reason="framing"`, Math.max(0, b.netdev.counters.txDropped - queued));
      }
    });
    this.counter('wwan_link_flow_control_pauses_total', 'Times the modem paused the link (QMAP flow control).', (set, rows) => {
      for (const { b, x, l } of rows.bearers) {
        const link = x.datapath?.links.get(b.linkId);
        if (link) set(l, link.pauses);
      }
    });
    this.gauge('wwan_link_paused', 'Whether the modem holds the link paused now (QMAP flow control).', (set, rows) => {
      for (const { b, x, l } of rows.bearers) {
        const link = x.datapath?.links.get(b.linkId);
        if (link) set(l, link.paused ? 1 : 0);
      }
    });

    // Per daemon: control requests as they end.
    const requests = new Counter({ name: 'wwan_control_requests_total', help: 'Control requests to modems (QMI messages, MBIM commands), by service and result.', labelNames: ['protocol', 'service', 'result'], registers: [r] });
    const latency = new Histogram({
      name: 'wwan_control_request_duration_seconds',
      help: 'Control request latency, request sent to response decoded.',
      labelNames: ['protocol', 'service'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [r],
    });
    const onRequest = (protocol: string, service: string, seconds: number, result: string): void => {
      requests.inc({ protocol, service, result });
      latency.observe({ protocol, service }, seconds);
    };
    this.manager.on('request', onRequest);
    this.unsubscribe = () => this.manager.off('request', onRequest);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format, collected now. */
  async scrape(): Promise<string> {
    return `${await this.registry.metrics()}\n${this.render()}`;
  }

  close(): void {
    this.unsubscribe();
    this.registry.clear();
  }

  /** A gauge read from the manager at each scrape; an undefined value is left out. */
  private gauge(name: string, help: string, fill: Fill): void {
    this.families.push({ name, help, type: 'gauge', fill });
  }

  /** A counter read from a counter the manager keeps (the manager's count is the truth; no deltas here). */
  private counter(name: string, help: string, fill: Fill): void {
    this.families.push({ name, help, type: 'counter', fill });
  }

  /** The scrape-time families in the text format, written directly: tens of thousands of series at fleet size. */
  private render(): string {
    const rows: Rows = { modems: [], bearers: [] };
    for (const x of this.manager.modems.values()) {
      const l = labels({ modem: x.id });
      rows.modems.push({ x, l });
      for (const b of x.bearers.values()) rows.bearers.push({ b, x, l: `${l},${labels({ bearer: String(b.id), apn: cut(b.connected?.apn ?? b.request.apns[0]) })}` });
    }
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      f.fill((l, v) => v !== undefined && out.push(`${f.name}${l ? `{${l}}` : ''} ${numberText(v)}`), rows);
    }
    return `${out.join('\n')}\n`;
  }
}

/** `k="v",…` with the text format's escapes (backslash, quote, newline). */
function labels(pairs: Record<string, string>): string {
  let s = '';
  for (const k in pairs) {
    const v = pairs[k]!;
    s += `${s ? ',' : ''}${k}="${/["\\\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v}"`;
  }
  return s;
}

function numberText(v: number): string {
  return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

function cut(v: string | undefined): string {
  return (v ?? '').slice(0, MAX_LABEL);
}

/** Label values in one style: `queue-full` → `queue_full`. */
function snake(v: string): string {
  return v.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}
