/**
 * `wwan daemon --mqtt` against a real mosquitto on loopback: retained state, events, the last will,
 * commands refused and obeyed, a broker restart, and a password that stays out of every log.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it as plainIt } from 'vitest';
import { MqttBridge } from '../../src/daemon/mqtt.js';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { WWAN } from '../support/capture.js';
import { makeCertificates, startMosquitto, type Broker } from '../support/mosquitto.js';
import { hasTool, itWithTools } from '../support/tools.js';
import { daemonWithSims } from '../support/sim-daemon.js';

const run = promisify(execFile);
const it = itWithTools(['mosquitto', 'mosquitto_passwd']);
const dir = mkdtempSync(join(tmpdir(), `wwan-mqtt-${process.pid}-`));
const prefix = `t${process.pid}`;
const PASSWORD = 'mq77-s3cret-pw';
let broker: Broker | undefined;

interface Seen {
  topic: string;
  text: string;
  retain: boolean;
  properties?: { correlationData?: Buffer };
}

/** A subscriber that keeps every message and waits for the one a test needs. */
class Watcher {
  readonly seen: Seen[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.seen.push({ topic, text: payload.toString(), retain: packet.retain, ...(packet.properties ? { properties: packet.properties as Seen['properties'] } : {}) });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(topics = `${prefix}/#`): Promise<Watcher> {
    const client = await mqtt.connectAsync(broker!.url, { username: 'test', password: 'test-pw', protocolVersion: 5, reconnectPeriod: 200 });
    const w = new Watcher(client);
    // Retain as published: a retained message keeps its flag on a live subscription too.
    await client.subscribeAsync(topics, { qos: 1, rap: true });
    return w;
  }

  /** The first message (after `from`) on `topic` that `ok` accepts. */
  async until(topic: string, ok: (text: string, m: Seen) => boolean = () => true, from = 0, ms = 15_000): Promise<Seen> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.seen.slice(from).find((m) => m.topic === topic && ok(m.text, m));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`nothing on ${topic} within ${ms} ms; seen: ${this.seen.map((m) => m.topic).join(', ')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

const json = (t: string): Record<string, unknown> => JSON.parse(t) as Record<string, unknown>;

beforeAll(async () => {
  if (hasTool('mosquitto') && hasTool('mosquitto_passwd')) broker = await startMosquitto(dir, { test: 'test-pw', wwan: PASSWORD });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('wwan daemon --mqtt (a daemon process, commands off)', () => {
  let child: ChildProcess | undefined;
  let stderr = '';
  const socket = join(dir, 'd1.sock');
  const base = `${prefix}/d1`;
  afterAll(() => void child?.kill('SIGKILL'));

  it('publishes retained state, events after a connect, survives a broker restart, refuses commands, and leaves a last will when killed', async () => {
    const pwFile = join(dir, 'mqtt.pw');
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    // The daemon's simulators put their sockets under TMPDIR: a SIGKILLed daemon leaves them in our folder.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    child = spawn(
      process.execPath,
      [WWAN, 'daemon', '--socket', socket, '--no-discover', '--netdev', 'memory', '--sim', 'qmi-rmnet', '--mqtt', broker!.url, '--mqtt-topic-prefix', prefix, '--mqtt-name', 'd1', '--mqtt-username', 'wwan', '--mqtt-password-file', pwFile, '--mqtt-homeassistant'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
    );
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const ready = createInterface({ input: child.stdout! });
    for await (const line of ready) if ((json(line) as { event: string }).event === 'mqtt') break;

    // Retained: a subscriber that comes later gets the birth, the modem's state and the discovery config.
    let w = await Watcher.open();
    expect((await w.until(`${base}/status`, (t) => t === 'online')).retain).toBe(true);
    const state = await w.until(`${base}/sim0/state`, (t, m) => m.retain && json(t).state === 'registered');
    expect(json(state.text)).toMatchObject({ id: 'sim0', protocol: 'qmi', model: 'RM500Q-GL', registration: { state: 'home' }, bearers: [] });
    const ha = await Watcher.open('homeassistant/sensor/wwankit_d1_sim0/+/config');
    const rssi = json((await ha.until('homeassistant/sensor/wwankit_d1_sim0/rssi/config')).text);
    expect(rssi).toMatchObject({ state_topic: `${base}/sim0/state`, availability_topic: `${base}/status`, unit_of_measurement: 'dBm', device: { identifiers: ['wwankit_d1_sim0'] } });
    await ha.close();

    // Commands are refused without --mqtt-commands, and answered with why.
    let mark = w.seen.length;
    await w.client.publishAsync(`${base}/sim0/cmd/connect`, JSON.stringify({ id: 7, apn: 'internet' }));
    const refused = json((await w.until(`${base}/sim0/reply/connect`, () => true, mark)).text);
    expect(refused).toMatchObject({ id: 7, error: { code: -32601, data: { name: 'no-method' }, message: expect.stringContaining('--mqtt-commands') } });
    expect(JSON.parse((await run(process.execPath, [WWAN, 'list', '--json', '--socket', socket])).stdout)[0].bearers).toEqual([]);

    // An event as it happens, and the bearer's retained topic, after a connect through the socket.
    mark = w.seen.length;
    await run(process.execPath, [WWAN, 'connect', 'sim0', '--apn', 'internet', '--socket', socket]);
    const event = json((await w.until(`${base}/sim0/event/bearer`, (t) => (json(t).bearer as { status: string }).status === 'connected', mark)).text);
    expect(event).toMatchObject({ event: 'bearer', modem: 'sim0', bearer: { id: 1, status: 'connected', apn: 'internet', interface: 'wwan0.1' } });
    expect((await w.until(`${base}/sim0/bearer/1`, (t, m) => m.retain && json(t).status === 'connected', mark)).text).toContain('"linkId":1');
    await w.close();

    // The broker restarts and forgets everything (no persistence): the daemon reconnects and publishes again.
    await broker!.stop();
    await broker!.start();
    w = await Watcher.open();
    await w.until(`${base}/status`, (t, m) => t === 'online' && m.retain);
    expect(json((await w.until(`${base}/sim0/state`, (_t, m) => m.retain)).text)).toMatchObject({ state: 'connected', bearers: [{ id: 1, status: 'connected' }] });
    await w.until(`${base}/sim0/bearer/1`, (_t, m) => m.retain);

    // SIGKILL: no goodbye from the daemon; the broker publishes its last will.
    mark = w.seen.length;
    child.kill('SIGKILL');
    const will = await w.until(`${base}/status`, (t) => t === 'offline', mark);
    expect(will.text).toBe('offline');
    await w.close();
    child = undefined;
    expect(stderr).toContain('mqtt: connected');
    expect(stderr).not.toContain(PASSWORD);
  }, 60_000);
});

describe('MQTT commands (--mqtt-commands)', () => {
  let daemon: Daemon;
  let bridge: MqttBridge;
  const logs: string[] = [];
  const base = `${prefix}/d2`;

  beforeAll(async () => {
    if (!broker) return;
    daemon = await daemonWithSims({ socket: join(dir, 'd2.sock'), netdev: async (_m, n) => new MemoryNetdev(n), log: (l) => logs.push(l) }, ['qmi-rmnet']);
    bridge = MqttBridge.start(daemon, { url: broker.url, prefix, name: 'd2', username: 'wwan', password: PASSWORD, commands: true, queueLimit: 2, backoffMs: [100, 1000], coalesceMs: 50, log: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await bridge?.stop();
    await daemon?.stop();
  });

  it('connects and disconnects on command, answering on the MQTT 5 response topic with the correlation data', async () => {
    const w = await Watcher.open();
    await w.until(`${base}/sim0/state`);
    let mark = w.seen.length;
    await w.client.publishAsync(`${base}/sim0/cmd/connect`, JSON.stringify({ apn: 'internet', auth: 'chap', user: 'u', password: 'cmd-s3cret' }), {
      properties: { responseTopic: `${prefix}/replies/me`, correlationData: Buffer.from('c-1') },
    });
    const reply = await w.until(`${prefix}/replies/me`, () => true, mark);
    expect(json(reply.text)).toMatchObject({ id: null, result: { status: 'connected', linkId: 1, apn: 'internet' } });
    expect(reply.properties?.correlationData?.toString()).toBe('c-1');
    expect(reply.text).not.toContain('cmd-s3cret');
    await w.until(`${base}/sim0/bearer/1`, (t, m) => m.retain && json(t).status === 'connected', mark);

    mark = w.seen.length;
    await w.client.publishAsync(`${base}/sim0/cmd/disconnect`, JSON.stringify({ id: 'd', linkId: 1 }));
    expect(json((await w.until(`${base}/sim0/reply/disconnect`, () => true, mark)).text)).toEqual({ id: 'd', result: { disconnected: 1 } });
    // The bearer's retained topic is cleared (an empty retained message).
    await w.until(`${base}/sim0/bearer/1`, (t, m) => t === '' && m.retain, mark);

    mark = w.seen.length;
    await w.client.publishAsync(`${base}/sim0/cmd/remove`, '{}');
    expect(json((await w.until(`${base}/sim0/reply/remove`, () => true, mark)).text)).toMatchObject({ error: { data: { name: 'no-method' } } });
    await w.client.publishAsync(`${base}/sim9/cmd/connect`, '{"apn":"internet"}');
    expect(json((await w.until(`${base}/sim9/reply/connect`, () => true, mark)).text)).toMatchObject({ error: { data: { name: 'not-found' } } });
    await w.client.publishAsync(`${base}/sim0/cmd/connect`, 'not json');
    expect(json((await w.until(`${base}/sim0/reply/connect`, () => true, mark)).text)).toMatchObject({ error: { data: { name: 'bad-request' } } });
    await w.close();
    expect(logs.join('\n')).not.toMatch(/cmd-s3cret|mq77-s3cret/);
  });

  it('keeps at most queueLimit events while the broker is away, counts the rest, and publishes state again when it is back', async () => {
    await broker!.stop();
    await expect.poll(() => bridge.connected).toBe(false);
    const dropped = bridge.stats.dropped;
    // A connect makes at least three events (bearer connecting, bearer connected, state connected).
    await daemon.request('connect', { modem: 'sim0', apn: 'ims' });
    expect(bridge.stats.queued).toBe(2);
    expect(bridge.stats.dropped).toBeGreaterThan(dropped);
    await broker!.start();
    const w = await Watcher.open();
    const state = await w.until(`${base}/sim0/state`, (t, m) => m.retain && json(t).state === 'connected');
    expect(json(state.text)).toMatchObject({ bearers: [{ status: 'connected', apn: 'ims' }] });
    await w.close();
    expect(bridge.stats.queued).toBe(0);
  });
});

describe('MQTT over TLS (--mqtt-tls-ca)', () => {
  itWithTools(['mosquitto', 'openssl'])('trusts the broker through the given CA, and refuses it without', async () => {
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    const certs = makeCertificates(tlsDir);
    const tls = await startMosquitto(tlsDir, undefined, certs);
    const d = await daemonWithSims({ socket: join(dir, 'd4.sock'), netdev: async (_m, n) => new MemoryNetdev(n) }, ['qmi-rmnet']);
    const logs: string[] = [];
    const trusting = MqttBridge.start(d, { url: tls.url, prefix, name: 'd4', ca: readFileSync(certs.ca), log: (l) => logs.push(l) });
    const untrusting = MqttBridge.start(d, { url: tls.url, prefix, name: 'd5', backoffMs: [5000, 5000], log: (l) => logs.push(l) });
    try {
      const w = await mqtt.connectAsync(tls.url, { ca: readFileSync(certs.ca), protocolVersion: 5 });
      const got = new Promise<string>((resolve) => w.on('message', (_t, p) => resolve(p.toString())));
      await w.subscribeAsync(`${prefix}/d4/sim0/state`);
      expect(JSON.parse(await got)).toMatchObject({ id: 'sim0', state: 'registered' });
      await w.endAsync();
      expect(trusting.connected).toBe(true);
      await expect.poll(() => logs.some((l) => /mqtt: .*(certificate|self.signed)/i.test(l))).toBe(true);
      expect(untrusting.connected).toBe(false);
    } finally {
      await trusting.stop();
      await untrusting.stop();
      await d.stop();
      await tls.stop();
    }
  });
});

describe('MQTT options', () => {
  plainIt('refuses credentials in the URL, other schemes, wildcard prefixes and a password without a user, before connecting', async () => {
    const d = await Daemon.start({ socket: join(dir, 'd3.sock'), netdev: async (_m, n) => new MemoryNetdev(n) });
    try {
      const start = (o: Partial<Parameters<typeof MqttBridge.start>[1]>): unknown => MqttBridge.start(d, { url: 'mqtt://127.0.0.1:1', name: 'd3', ...o });
      expect(() => start({ url: 'mqtt://bob:pw@127.0.0.1:1883' })).toThrow(/--mqtt-password-file, not in the URL/);
      expect(() => start({ url: 'http://127.0.0.1:1883' })).toThrow(/mqtt:\/\/ or mqtts:\/\//);
      expect(() => start({ url: 'not a url' })).toThrow(/--mqtt takes/);
      expect(() => start({ prefix: 'a/#' })).toThrow(/--mqtt-topic-prefix/);
      expect(() => start({ name: 'a+b' })).toThrow(/MQTT name/);
      expect(() => start({ password: 'x' })).toThrow(/needs --mqtt-username/);
    } finally {
      await d.stop();
    }
  });
});
