/** AF_PACKET datagram sockets (the kernel DSS streams' carrier) on a veth pair of this test's own. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect } from 'vitest';
import { ETHERTYPE_LOCAL_EXPERIMENTAL, PacketSocket } from '../../src/net/packet-socket.js';
import { itWithTun } from './root.js';

const itRoot = itWithTun();
const A = `wwdss${process.pid}a`;
const B = `wwdss${process.pid}b`;
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const sockets: PacketSocket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  try {
    ip('link', 'del', A);
  } catch {
    /* the test deleted it */
  }
});

/** A socket on `ifname` that keeps what it receives with our marker (nothing else should come, but a kernel may chatter). */
function open(ifname: string) {
  const got: string[] = [];
  const s = PacketSocket.open(ifname, ETHERTYPE_LOCAL_EXPERIMENTAL, (p) => {
    const text = Buffer.from(p).toString('latin1');
    if (text.startsWith('wwdss:')) got.push(text);
  });
  sockets.push(s);
  return { s, got };
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

async function vethPair(): Promise<void> {
  ip('link', 'add', A, 'type', 'veth', 'peer', 'name', B);
  // No IPv6 link-local addresses: the pair carries only what the test sends.
  for (const d of [A, B]) ip('link', 'set', 'dev', d, 'addrgenmode', 'none', 'mtu', '1400', 'up');
  // Until the kernel's link watch has run, a device that just came up discards what is sent on it.
  await until('the pair up', () => [A, B].every((d) => readFileSync(`/sys/class/net/${d}/operstate`, 'utf8').trim() === 'up'));
}

describe('PacketSocket', () => {
  itRoot('carries datagrams both ways, whole and in order, without its own echoes', async () => {
    await vethPair();
    const a = open(A);
    const b = open(B);
    const sizes = [1, 60, 1000, 1400 - 'wwdss:'.length];
    const payload = (n: number, i: number): string => `wwdss:${String(i).padStart(2, '0')}${'x'.repeat(Math.max(0, n - 2))}`;
    for (const [i, n] of sizes.entries()) expect(a.s.send(Buffer.from(payload(n, i), 'latin1'))).toBe(true);
    expect(b.s.send(Buffer.from('wwdss:back', 'latin1'))).toBe(true);
    await until('both directions', () => b.got.length === sizes.length && a.got.length === 1);
    // veth pads a short frame to ethernet's 60 bytes (cdc_mbim keeps a DSS datagram's length): the short one by its start.
    expect(b.got[0]!.startsWith(payload(sizes[0]!, 0))).toBe(true);
    expect(b.got.slice(1)).toEqual(sizes.slice(1).map((n, i) => payload(n, i + 1)));
    expect(a.got).toEqual(['wwdss:back']);
    expect(a.s.counters).toMatchObject({ txDatagrams: sizes.length, rxDatagrams: 1 });
  });

  itRoot('a datagram longer than the MTU is a counted drop, not a throw; the socket carries on', async () => {
    await vethPair();
    const a = open(A);
    const b = open(B);
    expect(a.s.send(new Uint8Array(1401))).toBe(false);
    expect(a.s.drops['too-long']).toBe(1);
    expect(a.s.send(Buffer.from('wwdss:after', 'latin1'))).toBe(true);
    await until('the datagram after the drop', () => b.got.length === 1);
    expect(b.got[0]!.startsWith('wwdss:after')).toBe(true);
  });

  itRoot('survives its link going down and up and then going away: the kernel\'s error counted, sends counted as link-down', async () => {
    await vethPair();
    const a = open(A);
    const b = open(B);
    ip('link', 'set', 'dev', B, 'down');
    ip('link', 'set', 'dev', B, 'up');
    await until('the peer up again', () => a.s.send(Buffer.from('wwdss:again', 'latin1')) && b.got.length > 0);
    expect(b.s.counters.readErrors).toBe(1);
    ip('link', 'del', A);
    await until('the error', () => b.s.counters.readErrors === 2);
    expect(b.s.send(new Uint8Array(10))).toBe(false);
    expect(b.s.drops['link-down']).toBe(1);
    expect(() => b.s.close()).not.toThrow();
    expect(b.s.send(new Uint8Array(10))).toBe(false);
    expect(b.s.drops.closed).toBe(1);
  });

  itRoot('refuses an interface that does not exist, with the kernel\'s reason', () => {
    expect(() => PacketSocket.open(`wwdss${process.pid}z`, ETHERTYPE_LOCAL_EXPERIMENTAL, () => undefined)).toThrow(/if_nametoindex: No such device/);
  });
});
