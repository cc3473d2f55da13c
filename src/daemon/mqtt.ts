/**
 * `wwan daemon --mqtt`: the daemon's state and events on an MQTT broker, and (with --mqtt-commands)
 * connect/disconnect from it. Topics, under a prefix P and this daemon's name D:
 *   P/D/status                   `online` (retained birth) / `offline` (retained last will)
 *   P/D/<modem>/state            the modem as `wwan info --json` shows it (retained)
 *   P/D/<modem>/bearer/<id>      a bearer as the API shows it (retained; cleared when it goes away)
 *   P/D/<modem>/traffic          bytes and packets over the modem's links (retained, every trafficMs)
 *   P/D/<modem>/event/<type>     the daemon's events as they happen (not retained)
 *   P/D/<modem>/cmd/<method>     commands in (JSON parameters); answers on the MQTT 5 response topic
 *                                when one is given, else on P/D/<modem>/reply/<method>
 * Retained state is published again whenever the connection comes back (a restarted broker may have
 * lost it); events while the broker is away wait in a bounded queue, and what overflows is counted.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Daemon } from './server.js';
import { errorBody, type Result } from './api.js';
import { errorOf } from './protocol.js';
import { ConfigError } from '../modem/types.js';

export interface MqttOptions {
  /** mqtt://host:port or mqtts://host:port; no credentials in it. */
  url: string;
  /** Topic prefix (default `wwankit`). */
  prefix?: string;
  /** This daemon's name in topics (default: the host name). */
  name: string;
  username?: string;
  /** From a file; never logged. */
  password?: string;
  /** PEM CA certificate(s) for mqtts. */
  ca?: Buffer;
  /** Obey connect/disconnect commands; without it they are answered with a refusal. */
  commands?: boolean;
  /** Publish Home Assistant MQTT discovery (under `homeassistant/`). */
  homeAssistant?: boolean;
  /** Events kept while the broker is away (default 1000). */
  queueLimit?: number;
  /** Reconnect backoff: first delay and cap (ms). */
  backoffMs?: [number, number];
  /** State changes within this window are published once (default 250 ms). */
  coalesceMs?: number;
  /** How often traffic counters are published (default 30 s; 0: never). */
  trafficMs?: number;
  log?: (line: string) => void;
}

const COMMANDS = ['connect', 'disconnect'] as const;
const DEFAULT_BACKOFF: [number, number] = [500, 30_000];
const MAX_COMMAND = 64 * 1024;
const TOPIC_LEVEL = /^[A-Za-z0-9._-]{1,64}$/;

/** Counted for metrics and tests. */
export interface MqttStats {
  published: number;
  queued: number;
  dropped: number;
  commands: number;
  refused: number;
  connects: number;
}

export class MqttBridge {
  readonly stats: MqttStats = { published: 0, queued: 0, dropped: 0, commands: 0, refused: 0, connects: 0 };
  readonly base: string;
  private readonly client: MqttClient;
  private readonly queue: { topic: string; payload: string }[] = [];
  /** Bearers published and not yet cleared, per modem, with what was published (unchanged ones are not sent again). */
  private readonly bearerTopics = new Map<string, Map<number, string>>();
  private readonly dirty = new Set<string>();
  private readonly discovered = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private trafficTimer: NodeJS.Timeout | undefined;
  private readonly lastTraffic = new Map<string, string>();
  private readonly unsubscribe: () => void;
  private attempts = 0;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly daemon: Daemon,
    private readonly options: MqttOptions,
  ) {
    this.log = options.log ?? (() => undefined);
    const prefix = options.prefix ?? 'wwankit';
    this.base = `${prefix}/${options.name}`;
    const [first] = options.backoffMs ?? DEFAULT_BACKOFF;
    const clientOptions: IClientOptions = {
      protocolVersion: 5,
      clientId: `wwankit-${options.name}-${process.pid}`,
      clean: true,
      reconnectPeriod: first,
      connectTimeout: 10_000,
      // Our own bounded queue holds events; mqtt.js must not keep another, unbounded one.
      queueQoSZero: false,
      will: { topic: `${this.base}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    };
    this.client = mqtt.connect(options.url, clientOptions);
    this.client.on('connect', () => this.online());
    // Before mqtt.js's own close handler, which arms the next attempt with this period.
    this.client.prependListener('close', () => this.backoff());
    // Errors are followed by close and a reconnect; say what went wrong (never with the password: mqtt.js has no way to show it).
    this.client.on('error', (e) => this.log(`mqtt: ${e.message}`));
    this.client.on('message', (topic, payload, packet) => void this.command(topic, payload, packet));
    this.unsubscribe = daemon.onEvent((e) => this.event(e));
  }

  /** Checks the options, then connects in the background (the daemon does not wait for the broker). */
  static start(daemon: Daemon, options: MqttOptions): MqttBridge {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(`--mqtt takes mqtt://HOST:PORT or mqtts://HOST:PORT, not ${JSON.stringify(options.url.slice(0, 64))}`);
    }
    if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') throw new ConfigError(`--mqtt takes mqtt:// or mqtts://, not ${url.protocol}`);
    if (url.username || url.password) throw new ConfigError('give MQTT credentials with --mqtt-username and --mqtt-password-file, not in the URL');
    if (options.prefix !== undefined && !/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(options.prefix)) throw new ConfigError('--mqtt-topic-prefix: letters, digits, . _ - and / between levels');
    if (!TOPIC_LEVEL.test(options.name)) throw new ConfigError(`the daemon's MQTT name must be 1 to 64 letters, digits, . _ or -, not ${JSON.stringify(options.name.slice(0, 64))}`);
    if (options.password !== undefined && options.username === undefined) throw new ConfigError('--mqtt-password-file needs --mqtt-username');
    return new MqttBridge(daemon, options);
  }

  /** Whether the broker is reachable now. */
  get connected(): boolean {
    return this.client.connected;
  }

  /** Birth, then everything retained again: a restarted broker may have lost it. */
  private online(): void {
    this.attempts = 0;
    this.stats.connects++;
    this.client.options.reconnectPeriod = (this.options.backoffMs ?? DEFAULT_BACKOFF)[0];
    this.log(`mqtt: connected to ${this.options.url} as ${this.base}`);
    this.client.subscribe(`${this.base}/+/cmd/+`, { qos: 1 });
    this.send(`${this.base}/status`, 'online', true);
    void this.publishAll();
    for (const m of this.queue.splice(0)) this.send(m.topic, m.payload, false);
    this.stats.queued = 0;
    this.scheduleTraffic();
  }

  /** Each failed attempt waits twice as long, up to the cap. */
  private backoff(): void {
    const [first, cap] = this.options.backoffMs ?? DEFAULT_BACKOFF;
    this.client.options.reconnectPeriod = Math.min(cap, first * 2 ** this.attempts++);
    if (this.attempts === 1) this.log(`mqtt: disconnected from ${this.options.url}; reconnecting with backoff`);
  }

  private async publishAll(): Promise<void> {
    const list = await this.daemon.request('list');
    const ids = new Set(list.map((m) => m.id));
    // Modems removed while the broker was away: their retained topics go too.
    for (const gone of [...this.bearerTopics.keys()].filter((id) => !ids.has(id))) this.clearModem(gone);
    for (const id of ids) {
      // Sent again even if unchanged; ids kept so a bearer gone meanwhile is cleared.
      const published = this.bearerTopics.get(id);
      for (const b of published?.keys() ?? []) published!.set(b, '');
      await this.publishModem(id);
    }
  }

  private async publishModem(modem: string): Promise<void> {
    if (!this.client.connected || !TOPIC_LEVEL.test(modem)) return;
    let info: Result<'info'>;
    try {
      info = await this.daemon.request('info', { modem });
    } catch {
      return; // removed meanwhile
    }
    this.send(`${this.base}/${modem}/state`, JSON.stringify(info), true);
    const before = this.bearerTopics.get(modem) ?? new Map<number, string>();
    const now = new Map(info.bearers.map((b) => [b.id, JSON.stringify(b)]));
    for (const [id, text] of now) if (before.get(id) !== text) this.send(`${this.base}/${modem}/bearer/${id}`, text, true);
    for (const id of before.keys()) if (!now.has(id)) this.send(`${this.base}/${modem}/bearer/${id}`, '', true);
    this.bearerTopics.set(modem, now);
    if (this.options.homeAssistant && !this.discovered.has(modem)) this.discover(modem, info);
  }

  /** Home Assistant MQTT discovery: the modem as a device with signal, state and data-usage sensors. */
  private discover(modem: string, info: Record<string, unknown>): void {
    this.discovered.add(modem);
    const node = `wwankit_${this.options.name}_${modem}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const device = { identifiers: [node], name: `${modem} (${this.options.name})`, manufacturer: String(info.manufacturer ?? ''), model: String(info.model ?? ''), sw_version: String(info.revision ?? '') };
    const sensors: [string, string, string, Record<string, unknown>][] = [
      ['rssi', 'RSSI', 'state', { value_template: '{{ value_json.signal.rssi }}', unit_of_measurement: 'dBm', device_class: 'signal_strength', state_class: 'measurement' }],
      ['rsrp', 'RSRP', 'state', { value_template: '{{ value_json.signal.rsrp }}', unit_of_measurement: 'dBm', device_class: 'signal_strength', state_class: 'measurement' }],
      ['state', 'State', 'state', { value_template: '{{ value_json.state }}' }],
      ['rx', 'Data received', 'traffic', { value_template: '{{ value_json.rxBytes }}', unit_of_measurement: 'B', device_class: 'data_size', state_class: 'total_increasing' }],
      ['tx', 'Data sent', 'traffic', { value_template: '{{ value_json.txBytes }}', unit_of_measurement: 'B', device_class: 'data_size', state_class: 'total_increasing' }],
    ];
    for (const [key, name, topic, extra] of sensors) {
      const config = { name, unique_id: `${node}_${key}`, state_topic: `${this.base}/${modem}/${topic}`, availability_topic: `${this.base}/status`, device, ...extra };
      this.send(`homeassistant/sensor/${node}/${key}/config`, JSON.stringify(config), true);
    }
  }

  private clearModem(modem: string): void {
    this.dirty.delete(modem);
    if (!this.client.connected) return;
    this.send(`${this.base}/${modem}/state`, '', true);
    this.send(`${this.base}/${modem}/traffic`, '', true);
    for (const id of this.bearerTopics.get(modem)?.keys() ?? []) this.send(`${this.base}/${modem}/bearer/${id}`, '', true);
    this.bearerTopics.delete(modem);
    this.lastTraffic.delete(modem);
  }

  private event(e: Record<string, unknown>): void {
    const modem = typeof e.modem === 'string' ? e.modem : undefined;
    if (modem === undefined || !TOPIC_LEVEL.test(modem)) return;
    const type = String(e.event);
    this.publishEvent(`${this.base}/${modem}/event/${type}`, JSON.stringify(e));
    if (type === 'modem-removed') {
      this.clearModem(modem);
      this.discovered.delete(modem);
      return;
    }
    // Retained state follows, coalesced: a burst of signal reports makes one publish.
    this.dirty.add(modem);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const modems = [...this.dirty];
      this.dirty.clear();
      for (const m of modems) void this.publishModem(m);
    }, this.options.coalesceMs ?? 250);
  }

  private publishEvent(topic: string, payload: string): void {
    if (this.client.connected) return this.send(topic, payload, false);
    if (this.queue.length >= (this.options.queueLimit ?? 1000)) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push({ topic, payload });
    this.stats.queued = this.queue.length;
  }

  private send(topic: string, payload: string, retain: boolean): void {
    this.stats.published++;
    this.client.publish(topic, payload, { qos: retain ? 1 : 0, retain });
  }

  /** Link counters summed per modem, published when they moved. One timer for the whole daemon. */
  private scheduleTraffic(): void {
    const every = this.options.trafficMs ?? 30_000;
    if (every <= 0 || this.trafficTimer) return;
    this.trafficTimer = setInterval(() => void this.publishTraffic(), every);
    this.trafficTimer.unref();
  }

  private async publishTraffic(): Promise<void> {
    if (!this.client.connected) return;
    const links = await this.daemon.request('links');
    const sums = new Map<string, { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }>();
    for (const l of links) {
      const s = sums.get(l.modem) ?? { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 };
      s.rxBytes += l.counters.rxBytes;
      s.txBytes += l.counters.txBytes;
      s.rxPackets += l.counters.rxPackets;
      s.txPackets += l.counters.txPackets;
      sums.set(l.modem, s);
    }
    for (const [modem, s] of sums) {
      const text = JSON.stringify(s);
      if (this.lastTraffic.get(modem) === text || !TOPIC_LEVEL.test(modem)) continue;
      this.lastTraffic.set(modem, text);
      this.send(`${this.base}/${modem}/traffic`, text, true);
    }
  }

  /** A command from the broker: refused unless commands are on; answered either way. */
  private async command(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const m = topic.startsWith(`${this.base}/`) ? /^([^/]+)\/cmd\/([^/]+)$/.exec(topic.slice(this.base.length + 1)) : null;
    if (!m) return;
    const [, modem, method] = m as unknown as [string, string, string];
    const responseTopic = packet.properties?.responseTopic;
    const replyTo = responseTopic && !/[+#]/.test(responseTopic) ? responseTopic : `${this.base}/${modem}/reply/${method}`;
    let params: Record<string, unknown> = {};
    let id: unknown = null;
    const answer = (body: Record<string, unknown>): void => {
      const properties = packet.properties?.correlationData ? { correlationData: packet.properties.correlationData } : undefined;
      this.stats.published++;
      this.client.publish(replyTo, JSON.stringify({ id, ...body }), { qos: 1, ...(properties ? { properties } : {}) });
    };
    try {
      if (payload.length > MAX_COMMAND) throw new ConfigError('the command is too large');
      const v: unknown = payload.length === 0 ? {} : JSON.parse(payload.toString('utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('a command is a JSON object of parameters');
      params = v as Record<string, unknown>;
      id = params.id ?? null;
    } catch (e) {
      return answer({ error: errorBody('bad-request', (e as Error).message) });
    }
    if (!this.options.commands) {
      this.stats.refused++;
      this.log(`mqtt: refused command ${method.slice(0, 32)} for ${modem.slice(0, 64)} (the daemon runs without --mqtt-commands)`);
      return answer({ error: errorBody('no-method', 'this daemon does not take commands over MQTT (start it with --mqtt-commands)') });
    }
    if (!(COMMANDS as readonly string[]).includes(method)) {
      return answer({ error: errorBody('no-method', `unknown command ${JSON.stringify(method.slice(0, 32))}; known: ${COMMANDS.join(', ')}`) });
    }
    this.stats.commands++;
    this.log(`mqtt: command ${method} for ${modem}`);
    const { id: _id, ...rest } = params;
    // Checked against the contract like a socket request (the params come from the broker).
    await this.daemon.request(method as (typeof COMMANDS)[number], { ...rest, modem } as never).then(
      (result) => answer({ result }),
      (e: unknown) => answer({ error: errorOf(e) }),
    );
  }

  /** Says `offline` (retained) before leaving: a clean stop is not a crash, but the daemon is gone all the same. */
  async stop(): Promise<void> {
    this.unsubscribe();
    clearTimeout(this.flushTimer);
    clearInterval(this.trafficTimer);
    const online = this.client.connected;
    if (online) await this.client.publishAsync(`${this.base}/status`, 'offline', { qos: 1, retain: true }).catch(() => undefined);
    // Offline, nothing waits to be flushed: end now rather than after the next reconnect attempt.
    await this.client.endAsync(!online);
  }
}
