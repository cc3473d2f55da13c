/** Finding 6 of issue 18 at the transport: a modem (or pipe peer) that stops reading costs a bounded queue and counted drops. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { recordPipe } from '../../src/link/data-pipe.js';
import type { Responder } from '../../src/sim/data-plane.js';
import { TRANSPORT_MAX_QUEUED } from '../../src/transport/types.js';
import { connectUnix } from '../../src/transport/unix.js';

// What the transport holds, not the garbage of the 64 MiB offered: measured after a collection.
setFlagsFromString('--expose-gc');
const v8gc = runInNewContext('gc') as () => void;
/** Collections with turns between: array buffers' memory goes back on their finalizers, after a collection. */
const gc = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) {
    v8gc();
    await new Promise((r) => setImmediate(r));
  }
};

it('a unix transport whose peer never reads queues at most TRANSPORT_MAX_QUEUED and counts the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), `wwan-tb-${process.pid}-`));
  const path = join(dir, 'stalled.sock');
  const peers: net.Socket[] = [];
  const server = net.createServer((s) => {
    s.pause(); // a modem that stopped reading
    peers.push(s);
  });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    const pipe = recordPipe(await connectUnix(path));
    const transfer = new Uint8Array(16 * 1024);
    await gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 4096; i++) pipe.send(transfer); // 64 MiB offered
    await gc();
    const held = process.memoryUsage().arrayBuffers - before;
    expect(pipe.writeDrops).toBeGreaterThan(3000);
    expect(held).toBeLessThan(TRANSPORT_MAX_QUEUED + (8 << 20));
    await pipe.close();
  } finally {
    for (const p of peers) p.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the simulator's side of the data pipe queues at most TRANSPORT_MAX_QUEUED toward a host that never reads, counts the rest, and holds the network meanwhile", async () => {
  const { Simulator } = await import('../../src/sim/simulator.js');
  const { PROFILES } = await import('../../src/sim/profiles.js');
  const { SimNetwork } = await import('../../src/sim/network/index.js');
  const network = new SimNetwork();
  const holds: boolean[] = [];
  const respond: Responder = (session, packet, reply) => network.respond(session, packet, reply);
  respond.hold = (on) => void holds.push(on);
  const sim = await Simulator.start({ profile: PROFILES['mbim-usb'], log: () => undefined, respond });
  const host = net.connect(sim.modems[0]!.data.path);
  try {
    await new Promise<void>((r) => host.once('connect', () => r()));
    host.pause(); // a host that stopped reading
    const data = sim.modems[0]!.data;
    const datagram = new Uint8Array(1400);
    // Until the host's pipe is attached, a datagram has nowhere to go.
    for (let i = 0; i < 100 && !data.sendDss(7, datagram); i++) await new Promise((r) => setTimeout(r, 10));
    await gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < 1000; i++) expect(data.sendDss(7, datagram)).toBe(true); // 22 MiB offered in all
      await new Promise((r) => setImmediate(r)); // the pump sends a tick's transfers
    }
    await gc();
    const held = process.memoryUsage().arrayBuffers - before;
    expect(data.hostWriteDrops).toBeGreaterThan(100);
    expect(held).toBeLessThan(TRANSPORT_MAX_QUEUED + (8 << 20));
    // The network was told to hold back once the pipe filled, and to go on once the host read it all.
    expect(holds[0]).toBe(true);
    host.resume();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no release: ${holds.join()}`)), 5000);
      const check = setInterval(() => holds.at(-1) === false && (clearTimeout(t), clearInterval(check), resolve()), 10);
    });
  } finally {
    host.destroy();
    await sim.stop();
  }
});
