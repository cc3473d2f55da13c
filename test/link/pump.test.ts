/** The one flush policy: the negotiated uplink time limit holds a trickle's transfer open, a burst's tail leaves with its tick; without one, a tick does. */
import { describe, expect, it } from 'vitest';
import { Datapath } from '../../src/link/datapath.js';
import { QmapDecoder } from '../../src/mux/qmap.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { ManualClock, ipv4 } from '../mux/helpers.js';
import { memoryPipe } from './helpers.js';

/** Packets per uplink transfer, as the modem would split them. */
function packetsPer(transfers: Uint8Array[]): number[] {
  const d = new QmapDecoder({ version: 5, direction: 'uplink' });
  return transfers.map((t) => {
    let n = 0;
    d.decapsulate(t, { packet: () => n++ });
    return n;
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the datapath pump', () => {
  it('keeps an uplink transfer open for the negotiated time limit, across ticks, then sends it once', async () => {
    const clock = new ManualClock();
    const pipe = memoryPipe();
    const dp = new Datapath(pipe, { framing: 'qmap', version: 5, maxDatagrams: 16, maxBytes: 8192, timeLimitMs: 2 }, { clock });
    const netdev = new MemoryNetdev('t0');
    dp.attach(1, netdev);
    netdev.send(ipv4(60, 1));
    netdev.send(ipv4(60, 2));
    await tick();
    expect(pipe.sent).toHaveLength(0);
    clock.skip(1);
    netdev.send(ipv4(60, 3));
    await tick();
    expect(pipe.sent).toHaveLength(0);
    clock.advance(1);
    expect(packetsPer(pipe.sent)).toEqual([3]);
    expect(clock.pending).toBe(0);
  });

  it('sends a full transfer before the limit', async () => {
    const clock = new ManualClock();
    const pipe = memoryPipe();
    const dp = new Datapath(pipe, { framing: 'qmap', version: 5, maxDatagrams: 2, maxBytes: 8192, timeLimitMs: 2 }, { clock });
    const netdev = new MemoryNetdev('t0');
    dp.attach(1, netdev);
    for (let i = 0; i < 5; i++) netdev.send(ipv4(60, i));
    expect(packetsPer(pipe.sent)).toEqual([2, 2]);
    clock.advance(2);
    expect(packetsPer(pipe.sent)).toEqual([2, 2, 1]);
  });

  it("sends a burst's partial tail at the end of the tick that filled a transfer, without waiting for the limit", async () => {
    const clock = new ManualClock();
    const pipe = memoryPipe();
    const dp = new Datapath(pipe, { framing: 'qmap', version: 5, maxDatagrams: 4, maxBytes: 8192, timeLimitMs: 2 }, { clock });
    const netdev = new MemoryNetdev('t0');
    dp.attach(1, netdev);
    for (let i = 0; i < 6; i++) netdev.send(ipv4(60, i));
    expect(packetsPer(pipe.sent)).toEqual([4]);
    await tick();
    expect(packetsPer(pipe.sent)).toEqual([4, 2]);
    expect(clock.pending).toBe(0);
    // The next tick is a trickle again: its packet waits for the limit.
    netdev.send(ipv4(60, 6));
    await tick();
    expect(packetsPer(pipe.sent)).toEqual([4, 2]);
    clock.advance(2);
    expect(packetsPer(pipe.sent)).toEqual([4, 2, 1]);
  });

  it('without a time limit, packets of one tick share a transfer that leaves at the end of the tick', async () => {
    const clock = new ManualClock();
    const pipe = memoryPipe();
    const dp = new Datapath(pipe, { framing: 'qmap', version: 5, maxDatagrams: 16, maxBytes: 8192 }, { clock });
    const netdev = new MemoryNetdev('t0');
    dp.attach(1, netdev);
    netdev.send(ipv4(60, 1));
    netdev.send(ipv4(60, 2));
    expect(pipe.sent).toHaveLength(0);
    await tick();
    expect(packetsPer(pipe.sent)).toEqual([2]);
    expect(clock.pending).toBe(0);
  });
});
