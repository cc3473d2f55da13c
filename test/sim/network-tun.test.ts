/** The TUN bridge: PDN traffic into a namespace of our own, where the kernel and real servers answer. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect } from 'vitest';
import { deleteNetns, ensureNetns, ip, listNetns } from '../../src/net/iproute.js';
import { ModemFirmware, type Session } from '../../src/sim/firmware.js';
import { TUN_TX_QUEUE } from '../../src/net/tun-netdev.js';
import { TunBridge } from '../../src/sim/network/index.js';
import { ipv4FromBytes } from '../../src/wire/ip.js';
import { echoBody, icmpPacket, packetChecksumsValid, udpPacket } from '../net/packets.js';
import { itWithTun, testNetnsName } from '../net/root.js';

const itTun = itWithTun();
const NS = testNetnsName('bridge');
let bridge: TunBridge | undefined;

afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
  if ((await listNetns()).includes(NS)) await deleteNetns(NS);
});

/** A bridge whose downlink packets queue up for `next`. */
async function openBridge() {
  const queue: [Session, Uint8Array][] = [];
  let wake: (() => void) | undefined;
  bridge = await TunBridge.open({
    netns: NS,
    downlink: (session, packet) => {
      queue.push([session, packet.slice()]);
      wake?.();
    },
    onError: (e) => {
      throw e;
    },
  });
  async function next(wanted: (p: Uint8Array) => boolean, ms = 2000): Promise<[Session, Uint8Array]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = queue.findIndex(([, p]) => wanted(p));
      if (i >= 0) return queue.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no downlink packet within ${ms} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }
  return { bridge, next };
}

const icmpFrom = (version: 4 | 6, type: number) => (p: Uint8Array) => p[0]! >> 4 === version && p[version === 4 ? 9 : 6] === (version === 4 ? 1 : 58) && p[version === 4 ? 20 : 40] === type;

describe('TunBridge', () => {
  itTun('creates the namespace, and the kernel there answers pings to the sessions’ gateways', async () => {
    const { bridge, next } = await openBridge();
    expect(await listNetns()).toContain(NS);
    const firmware = new ModemFirmware();
    const a = firmware.startSession({ apn: 'internet', family: 'ipv4v6' });
    const b = firmware.startSession({ apn: 'ims', family: 'ipv4v6' });
    await bridge.addSession(a);
    await bridge.addSession(b);

    for (const session of [a, b]) {
      bridge.uplink(session, icmpPacket({ src: session.ipv4!.address, dst: session.ipv4!.gateway }, 8, 0, echoBody(0x42, 1, Uint8Array.of(1, 2, 3))));
      const [to, reply] = await next(icmpFrom(4, 0));
      expect(to).toBe(session);
      expect(packetChecksumsValid(reply)).toBe(true);
      expect(ipv4FromBytes(reply.subarray(12, 16))).toBe(session.ipv4!.gateway);

      bridge.uplink(session, icmpPacket({ src: session.ipv6!.address, dst: session.ipv6!.gateway }, 128, 0, echoBody(0x43, 2, Uint8Array.of(4, 5))));
      const [to6, reply6] = await next(icmpFrom(6, 129));
      expect(to6).toBe(session);
      expect(packetChecksumsValid(reply6)).toBe(true);
    }
    // The DNS addresses are there too, for a resolver someone runs in the namespace.
    const addresses = await ip(['-o', 'address', 'show', 'dev', bridge.interfaceName], NS);
    for (const s of [a, b]) for (const d of [...s.ipv4!.dns, ...s.ipv6!.dns]) expect(addresses).toContain(` ${d}/`);
    // Room in the namespace's queue toward the bridge for what TCP may put there while the bridge holds it.
    expect(await ip(['-o', 'link', 'show', 'dev', bridge.interfaceName], NS)).toContain(`qlen ${TUN_TX_QUEUE}`);
  });

  itTun('lets a real server bound in the namespace answer a session: a UDP echo server on the gateway', async () => {
    const { bridge, next } = await openBridge();
    const session = new ModemFirmware().startSession({ apn: 'internet', family: 'ipv4' });
    await bridge.addSession(session);
    const gateway = session.ipv4!.gateway;
    const server = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', `
      const s = require('node:dgram').createSocket('udp4');
      s.on('message', (m, r) => s.send(Buffer.concat([Buffer.from('echo: '), m]), r.port, r.address));
      s.bind(7777, ${JSON.stringify(gateway)}, () => console.log('listening'));
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout!.once('data', () => resolve());
        server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
      });
      const hello = Uint8Array.from('hello', (c) => c.charCodeAt(0));
      bridge.uplink(session, udpPacket({ src: session.ipv4!.address, dst: gateway }, 40000, 7777, hello));
      const [to, reply] = await next((p) => p[9] === 17);
      expect(to).toBe(session);
      expect(packetChecksumsValid(reply)).toBe(true);
      expect(Buffer.from(reply.subarray(28)).toString()).toBe('echo: hello');
    } finally {
      server.kill();
    }
  });

  itTun('keeps an address two sessions share until both are gone, and drops what is for no session', async () => {
    const { bridge, next } = await openBridge();
    const firmware = new ModemFirmware();
    const a = firmware.startSession({ apn: 'internet', family: 'ipv4' });
    const b = firmware.startSession({ apn: 'ims', family: 'ipv4' });
    const dns = a.ipv4!.dns[0];
    expect(b.ipv4!.dns[0]).toBe(dns);
    await bridge.addSession(a);
    await bridge.addSession(b);
    await bridge.removeSession(a);
    const shown = () => ip(['-o', '-4', 'address', 'show', 'dev', bridge.interfaceName], NS);
    expect(await shown()).toContain(` ${dns}/32`);
    expect(await shown()).not.toContain(` ${a.ipv4!.gateway}/`);

    // The kernel answers another address in b's subnet, but that is no session's.
    const stranger = b.ipv4!.address.replace(/\d+$/, '99');
    bridge.uplink(b, icmpPacket({ src: stranger, dst: dns }, 8, 0, echoBody(1, 1, new Uint8Array())));
    bridge.uplink(b, icmpPacket({ src: b.ipv4!.address, dst: dns }, 8, 0, echoBody(2, 2, new Uint8Array())));
    const [to] = await next(icmpFrom(4, 0));
    expect(to).toBe(b);
    expect(bridge.drops['no-session']).toBeGreaterThanOrEqual(1);

    await bridge.removeSession(b);
    expect(await shown()).toBe('');
    // A TUN someone took down refuses writes (EIO).
    await ip(['link', 'set', 'dev', bridge.interfaceName, 'down'], NS);
    bridge.uplink(b, icmpPacket({ src: b.ipv4!.address, dst: dns }, 8, 0, echoBody(3, 3, new Uint8Array())));
    expect(bridge.drops['write-failed']).toBe(1);
  });

  itTun('leaves a namespace it did not create, without its TUN; removes one it created', async () => {
    await ensureNetns(NS);
    const { bridge: first } = await openBridge();
    const name = first.interfaceName;
    await first.close();
    bridge = undefined;
    expect(await listNetns()).toContain(NS);
    await expect(ip(['link', 'show', 'dev', name], NS)).rejects.toThrow(/does not exist/);

    await deleteNetns(NS);
    await (await openBridge()).bridge.close();
    bridge = undefined;
    expect(await listNetns()).not.toContain(NS);
  });
});
