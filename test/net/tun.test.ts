/** TUN devices in network namespaces of our own: the kernel there answers what we write. */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { pseudoHeaderSum, transportChecksum } from '../../src/wire/checksum.js';
import { deleteNetns, ensureNetns, ip, listNetns } from '../../src/net/iproute.js';
import { TunDevice, type TunListener, type TunOptions } from '../../src/net/tun.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { SimNetwork } from '../../src/sim/network/index.js';
import { toHex } from '../../src/wire/hex.js';
import { echoBody, icmpPacket, ipPacket } from './packets.js';
import { itWithTun, testNetnsName } from './root.js';

const itTun = itWithTun();
const itTunPython = itWithTun(['python3']);
const itTunPing = itWithTun(['ping']);
const NS = testNetnsName('tun');
const opened: TunDevice[] = [];

afterEach(async () => {
  for (const t of opened.splice(0)) t.close();
  if ((await listNetns()).includes(NS)) await deleteNetns(NS);
});

/** A TUN whose packets queue up for `next`, and whose read errors are kept. */
function openTun(name?: string, options: TunOptions = {}) {
  const queue: Uint8Array[] = [];
  const errors: Error[] = [];
  let wake: (() => void) | undefined;
  const dropped: number[] = [];
  const listener: TunListener = {
    packet: (p) => {
      queue.push(p.slice());
      wake?.();
    },
    dropped: (packets) => void dropped.push(packets),
    error: (e) => {
      errors.push(e);
      wake?.();
    },
  };
  const tun = TunDevice.open(name === undefined ? options : { ...options, name }, listener);
  opened.push(tun);
  /** The next packet that `wanted` accepts (others, like the kernel's IPv6 RS and MLD, are skipped). */
  async function next(wanted: (p: Uint8Array) => boolean, ms = 2000): Promise<Uint8Array> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = queue.findIndex(wanted);
      if (i >= 0) return queue.splice(i, 1)[0]!;
      if (errors.length || Date.now() > deadline) throw new Error(`no packet within ${ms} ms (${errors[0]?.message ?? 'no error'})`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }
  return { tun, next, errors, dropped };
}

const isIcmpv4 = (p: Uint8Array) => p[0] === 0x45 && p[9] === 1;

describe('TunDevice', () => {
  it('refuses interface names longer than IFNAMSIZ - 1 bytes before asking the kernel', () => {
    expect(() => TunDevice.open({ name: 'a'.repeat(16) }, { packet: () => undefined, error: () => undefined })).toThrow(/1\.\.15 bytes/);
  });

  itTun('carries a ping into a namespace and the kernel’s reply back, byte for byte what our SimNetwork answers but for ID and DF', async () => {
    await ensureNetns(NS);
    const { tun, next } = openTun('wwantest%d');
    expect(tun.name).toMatch(/^wwantest\d+$/);
    await tun.moveToNetns(NS);
    expect(tun.netns).toBe(NS);
    await ip(['address', 'add', '10.77.0.1/24', 'dev', tun.name], NS);
    await ip(['link', 'set', 'dev', tun.name, 'up'], NS);
    const request = icmpPacket({ src: '10.77.0.2', dst: '10.77.0.1' }, 8, 0, echoBody(0x77, 1, Uint8Array.from('ping from the modem', (c) => c.charCodeAt(0))));
    tun.write(request);
    const reply = await next(isIcmpv4);

    const firmware = new ModemFirmware({ ipv4Base: '10.77' });
    const session = firmware.startSession({ apn: 'internet', family: 'ipv4' });
    session.ipv4!.address = '10.77.0.2';
    const ours: Uint8Array[] = [];
    new SimNetwork().respond(session, request, (r) => ours.push(r.slice()));
    // Linux sends echo replies without DF and with a hashed ID; ours are atomic (DF, ID 0, RFC 6864).
    const unlessIdAndDf = (p: Uint8Array) => toHex(Uint8Array.from([...p.subarray(0, 4), ...p.subarray(8, 10), ...p.subarray(12)]));
    expect(ours.map(unlessIdAndDf)).toEqual([unlessIdAndDf(reply)]);
  });

  // UDP GSO sends (UDP_SEGMENT) of odd sizes, one of them shorter than a segment: with offload the
  // kernel hands them over whole and we cut them; without, the kernel cuts them itself.
  const SEND_UDP = `
import socket
for family, dst in ((socket.AF_INET, '10.78.0.2'), (socket.AF_INET6, 'fd00:78::2')):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_UDP, 103, 1000)
    for n in (4321, 1, 2999, 1000):
        s.sendto(bytes((i * 7 + n) & 255 for i in range(n)), (dst, 9))
`;

  itTunPython('offload on and off carry the same UDP datagrams (IPv4 and IPv6), each with a valid checksum', async () => {
    const seen: Record<string, string[]> = {};
    for (const offload of [false, true]) {
      await ensureNetns(NS);
      const { tun, next } = openTun('wwantest%d', { offload });
      await tun.moveToNetns(NS);
      await ip(['address', 'add', '10.78.0.1', 'peer', '10.78.0.2', 'dev', tun.name], NS);
      await ip(['-6', 'address', 'add', 'fd00:78::1/64', 'dev', tun.name, 'nodad'], NS);
      await ip(['link', 'set', 'dev', tun.name, 'mtu', '1500', 'up'], NS);
      await promisify(execFile)('ip', ['netns', 'exec', NS, 'python3', '-c', SEND_UDP]);
      const isUdpTo9 = (p: Uint8Array): boolean => {
        const l3 = p[0]! >> 4 === 6 ? 40 : 20;
        return p[l3 === 40 ? 6 : 9] === 17 && p[l3 + 2] === 0 && p[l3 + 3] === 9;
      };
      const got: string[] = [];
      // 5 + 1 + 3 + 1 datagrams per family.
      for (let i = 0; i < 20; i++) {
        const p = await next(isUdpTo9);
        const l3 = p[0]! >> 4 === 6 ? 40 : 20;
        expect(transportChecksum(p, l3, 17)).toBe(0);
        got.push(`${l3 === 40 ? 'v6' : 'v4'} ${toHex(p.subarray(l3 + 8), '')}`);
      }
      seen[String(offload)] = got;
      // USO is Linux 6.2+; where the kernel refused it, it cut the datagrams itself.
      if (offload && tun.offloads & 0x20) expect(tun.superPackets).toBeGreaterThan(0);
      tun.close();
      opened.length = 0;
      await deleteNetns(NS);
    }
    expect(seen.true).toEqual(seen.false);
    expect(seen.true!.filter((d) => d.length - 3 === 2000)).toHaveLength(14);
  });

  itTunPing('held, reads nothing while the kernel keeps what is sent; released, reads it all', async () => {
    await ensureNetns(NS);
    const { tun, next } = openTun('wwantest%d');
    await tun.moveToNetns(NS);
    await ip(['address', 'add', '10.79.0.1', 'peer', '10.79.0.2', 'dev', tun.name], NS);
    await ip(['link', 'set', 'dev', tun.name, 'up'], NS);
    tun.hold(true);
    tun.hold(true); // twice is once
    const ping = spawn('ip', ['netns', 'exec', NS, 'ping', '-c', '3', '-i', '0.2', '-W', '1', '10.79.0.2'], { stdio: 'ignore' });
    await once(ping, 'exit');
    await expect(next(isIcmpv4, 300)).rejects.toThrow(/no packet/);
    tun.hold(false);
    const sequences = [];
    for (let i = 0; i < 3; i++) sequences.push((await next(isIcmpv4)).subarray(20)[7]);
    expect(sequences).toEqual([1, 2, 3]);
    tun.hold(true);
    tun.close(); // held, then closed: nothing left watching
    tun.hold(false);
    expect(tun.closed).toBe(true);
  });

  itTun('takes a free name when its own is taken in the namespace, and reads the kernel’s choice back', async () => {
    await ensureNetns(NS);
    const a = openTun('wwantest%d').tun;
    await a.moveToNetns(NS);
    expect(a.name).toBe('wwantest0');
    // The same number is free here again once the first has left.
    const b = openTun('wwantest%d').tun;
    expect(b.name).toBe('wwantest0');
    await b.moveToNetns(NS);
    expect(b.name).toMatch(/^wwantest\d+$/);
    expect(b.name).not.toBe(a.name);
    const names = (await ip(['-o', 'link', 'show'], NS)).split('\n').map((l) => l.split(': ')[1]).filter(Boolean);
    expect(names).toEqual(expect.arrayContaining([a.name, b.name]));
  });

  itTun('deletes its interface on close', async () => {
    const { tun } = openTun();
    await ip(['link', 'show', 'dev', tun.name]);
    tun.close();
    expect(tun.closed).toBe(true);
    await expect(ip(['link', 'show', 'dev', tun.name])).rejects.toThrow(/does not exist/);
  });

  itTun('says so when its namespace is deleted under it, and stops', async () => {
    await ensureNetns(NS);
    const { tun, errors, next } = openTun();
    await tun.moveToNetns(NS);
    await deleteNetns(NS);
    await expect(next(() => true)).rejects.toThrow();
    expect(errors).toHaveLength(1);
    expect(tun.closed).toBe(true);
  });

  itTun('refuses a write while the interface is down: thrown without offloads, told to the listener with them', () => {
    const ping = icmpPacket({ src: '10.77.0.2', dst: '10.77.0.1' }, 8, 0, echoBody(1, 1, new Uint8Array()));
    expect(() => openTun(undefined, { offload: false }).tun.write(ping)).toThrow(/EIO/);
    const { tun, dropped } = openTun(undefined, { offload: true });
    tun.write(ping);
    tun.write(ping);
    expect(dropped).toEqual([1, 1]);
  });

  // A TCP server in the namespace; the test is its client, writing segments by hand through the TUN.
  const SERVE_TCP = `
import hashlib, socket, sys
s = socket.socket(); s.bind(('10.79.0.1', 5001)); s.listen(1)
print('listening', flush=True)
c, _ = s.accept(); data = b''
while len(data) < int(sys.argv[1]):
    d = c.recv(65536)
    if not d: break
    data += d
print(len(data), hashlib.sha256(data).hexdigest(), flush=True)
`;

  for (const partial of [false, true]) {
    itTunPython(`joins a burst of TCP segments${partial ? ' with partial checksums (as a modem hands them on)' : ''} into one super-packet the kernel takes whole: a real socket reads the same bytes`, async () => {
      await ensureNetns(NS);
      const { tun, next } = openTun('wwantest%d', { offload: true });
      await tun.moveToNetns(NS);
      await ip(['address', 'add', '10.79.0.1/24', 'dev', tun.name], NS);
      await ip(['link', 'set', 'dev', tun.name, 'mtu', '1500', 'up'], NS);
      const size = 40 * 1400 + 321;
      const server = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', SERVE_TCP, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
      expect((await lines.next()).value).toBe('listening');
      const tcp = (seq: number, ack: number, flags: number, payload = new Uint8Array()): Uint8Array => {
        const h = new Uint8Array(20 + payload.length);
        h.set([0x0f, 0xa0, 0x13, 0x89]); // 4000 → 5001
        new DataView(h.buffer).setUint32(4, seq);
        new DataView(h.buffer).setUint32(8, ack);
        h[12] = 5 << 4;
        h[13] = flags;
        h[14] = 0xff;
        h.set(payload, 20);
        const p = ipPacket({ src: '10.79.0.2', dst: '10.79.0.1', protocol: 6 }, h);
        const sum = transportChecksum(p, 20, 6);
        p[36] = sum >> 8;
        p[37] = sum & 0xff;
        return p;
      };
      const fromServer = (p: Uint8Array): boolean => p[0] === 0x45 && p[9] === 6 && p[20] === 0x13 && p[21] === 0x89;
      tun.write(tcp(1000, 0, 0x02)); // SYN
      const synAck = await next(fromServer);
      const serverSeq = new DataView(synAck.buffer, synAck.byteOffset).getUint32(24);
      tun.write(tcp(1001, serverSeq + 1, 0x10));
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 13 + 5) & 0xff);
      const joinedBefore = tun.joined;
      // One burst: the segments of one aggregate, as a modem's framing delivers them. IDs count up as GSO's do.
      for (let at = 0, n = 0; at < size; at += 1400, n++) {
        const seg = tcp(1001 + at, serverSeq + 1, 0x10, data.subarray(at, Math.min(size, at + 1400)));
        seg[4] = n >> 8;
        seg[5] = n & 0xff;
        seg[10] = seg[11] = 0;
        let x = 0;
        for (let i = 0; i < 20; i += 2) x += (seg[i]! << 8) | seg[i + 1]!;
        while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
        seg[10] = (~x >> 8) & 0xff;
        seg[11] = ~x & 0xff;
        if (partial) {
          const pseudo = pseudoHeaderSum(seg, 20, 6);
          seg[36] = pseudo >> 8;
          seg[37] = pseudo & 0xff;
        }
        tun.write(seg, partial ? { start: 20, offset: 16 } : undefined);
      }
      await Promise.resolve();
      expect(tun.joined - joinedBefore).toBe(40);
      const result = (await lines.next()).value as string;
      expect(result).toBe(`${size} ${createHash('sha256').update(data).digest('hex')}`);
      server.kill();
      await once(server, 'exit');
    });
  }
});
