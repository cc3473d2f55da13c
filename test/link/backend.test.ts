/** The link backends behind one interface, and the typed control events the datapath acts on. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelBackend } from '../../src/link/kernel.js';
import { LinkStream } from '../../src/link/stream.js';
import { UserspaceBackend } from '../../src/link/userspace.js';
import { Datapath } from '../../src/link/datapath.js';
import { qmapControlEvent, type ControlEvent } from '../../src/mux/control.js';
import { PipeFraming } from '../../src/mux/pipe.js';
import { encodeQmapCommand, QMAP_FLOW_DISABLE, QMAP_FLOW_ENABLE } from '../../src/mux/qmap.js';
import { dryRunner } from '../../src/net/kernel.js';
import { emptyCounters, type Netdev, type NetdevConfig } from '../../src/net/netdev.js';
import { ConfigError } from '../../src/wire/errors.js';
import { ipv4 } from '../mux/helpers.js';
import { memoryPipe, type MemoryPipe } from './helpers.js';

/** A netdev that records what happens to it. */
class FakeNetdev implements Netdev {
  readonly kind = 'memory';
  readonly counters = emptyCounters();
  readonly delivered: number[] = [];
  closed = 0;
  private tx: ((p: Uint8Array) => void)[] = [];
  constructor(readonly name: string) {}
  onTransmit(l: (p: Uint8Array) => void): void {
    this.tx.push(l);
  }
  send(p: Uint8Array): void {
    for (const l of this.tx) l(p);
  }
  deliver(p: Uint8Array): void {
    this.delivered.push(p[27]!);
  }
  async configure(_c: NetdevConfig): Promise<void> {}
  async close(): Promise<void> {
    this.closed++;
  }
  /** Its hold state as the datapath left it. */
  held = false;
  holdTransmit(on: boolean): void {
    this.held = on;
  }
}

const tagged = (tag: number): Uint8Array => {
  const p = ipv4(28);
  p[27] = tag;
  return p;
};

describe('the userspace backend', () => {
  it('gives a link one netdev, keeps it across a new pipe format, and closes it on detach', async () => {
    const pipes: MemoryPipe[] = [];
    const made: FakeNetdev[] = [];
    const backend = new UserspaceBackend({
      netdev: async (name) => (made.push(new FakeNetdev(name)), made.at(-1)!),
      pipe: async () => (pipes.push(memoryPipe(`pipe${pipes.length}`)), pipes.at(-1)!),
    });
    await backend.setFormat({ framing: 'qmimux' });
    const a = await backend.attach(3, { name: 'x3' });
    expect(await backend.attach(3, { name: 'x3' })).toBe(a);
    expect(made).toHaveLength(1);
    expect(backend.topology(3, 'ip')).toEqual({ lower: 'pipe0', upper: 'x3' });
    // The same format again (a reset): the same pipe.
    await backend.setFormat({ framing: 'qmimux' });
    expect(pipes).toHaveLength(1);
    // A new format: a new pipe, and the link carried on it.
    await backend.setFormat({ framing: 'bam-dmux' });
    expect(pipes).toHaveLength(2);
    expect(pipes[0]!.closed).toBe(true);
    const modem = new PipeFraming({ framing: 'bam-dmux' }, 'modem', (t) => pipes[1]!.fromModem(t.slice()), { packet: () => undefined });
    // BAM-DMUX: the modem opens the channel, the attached link answers with its own OPEN.
    modem.sendChannelCommand({ kind: 'ip', id: 3 }, 'open');
    expect(pipes[1]!.sent).toHaveLength(1);
    modem.send({ kind: 'ip', id: 3 }, tagged(9));
    modem.flush();
    expect(made[0]!.delivered).toEqual([9]);
    made[0]!.send(tagged(10));
    await new Promise((r) => setImmediate(r));
    expect(pipes[1]!.sent).toHaveLength(2);
    expect(pipes[0]!.sent).toHaveLength(0);
    await backend.detach(3);
    expect(made[0]!.closed).toBe(1);
    expect(backend.topology(3, 'ip')).toBeUndefined();
  });

  it('carries a stream link’s datagrams apart from the IP link with the same number', async () => {
    const pipe = memoryPipe();
    const ip = new FakeNetdev('ip0');
    const backend = new UserspaceBackend({ netdev: async () => ip, pipe: async () => pipe });
    await backend.setFormat({ framing: 'ntb' });
    await backend.attach(0, { name: 'ip0' });
    const stream = await backend.attachStream(0);
    const got: string[] = [];
    stream.onData((d) => got.push(new TextDecoder().decode(d)));
    await expect(backend.attachStream(0)).rejects.toThrow(/already attached/);
    const modem = new PipeFraming({ framing: 'ntb' }, 'modem', (t) => pipe.fromModem(t.slice()), { packet: () => undefined });
    modem.send({ kind: 'dss', id: 0 }, new TextEncoder().encode('$GPGGA'));
    modem.send({ kind: 'dss', id: 5 }, new TextEncoder().encode('nobody'));
    modem.send({ kind: 'ip', id: 0 }, tagged(4));
    modem.flush();
    expect(got).toEqual(['$GPGGA']);
    expect(ip.delivered).toEqual([4]);
    expect(backend.datapath!.stats.unknownStream).toBe(1);
    expect(stream.send(new Uint8Array([1, 2, 3]))).toBe(true);
    await backend.detachStream(0);
    expect(stream.send(new Uint8Array([1]))).toBe(false);
  });
});

describe('the kernel backend', () => {
  it('runs the link’s plan to attach and its undo to detach, and names the master as the lower device', async () => {
    const lines: string[] = [];
    const backend = new KernelBackend({ driver: 'cdc_mbim', netdev: 'wwan0' }, dryRunner((l) => lines.push(l)), () => []);
    const n = await backend.attach(2, { name: 'unused' });
    expect(n.name).toBe('wwan0.2');
    expect(lines).toEqual(['ip link set dev wwan0 up', 'ip link add link wwan0 name wwan0.2 type vlan id 2']);
    expect(backend.topology(2, 'ip')).toEqual({ lower: 'wwan0', upper: 'wwan0.2' });
    await backend.detach(2);
    expect(lines.at(-1)).toBe('ip link del wwan0.2');
  });

  it('attaches DSS session n as VLAN 256 + n on the MBIM netdev, up without IPv6, named after the master; detach removes it', async () => {
    const lines: string[] = [];
    const backend = new KernelBackend({ driver: 'cdc_mbim', netdev: 'wwan3' }, dryRunner((l) => lines.push(l)), () => []);
    const port = await backend.attachStream(5);
    expect(lines).toEqual(['ip link set dev wwan3 up', 'ip link add link wwan3 name wwan3.261 type vlan id 261', 'ip link set dev wwan3.261 addrgenmode none up']);
    expect(port.name).toBe('wwan3-dss5');
    // No VLAN to read its MTU from in a dry run: the MBIM netdev's default.
    expect(port.maxDatagram).toBe(1500);
    expect(backend.topology(5, 'stream')).toEqual({ lower: 'wwan3', upper: 'wwan3.261' });
    // A dry run carries nothing: a write is a drop the stream counts.
    const stream = new LinkStream(port);
    expect(stream.write(new Uint8Array(3000))).toBe(false);
    expect(stream.counters).toMatchObject({ txDropped: 2, txDatagrams: 0 });
    await expect(backend.attachStream(5)).rejects.toThrow(/already attached/);
    await backend.detachStream(5);
    expect(lines.at(-1)).toBe('ip link del wwan3.261');
    expect(backend.topology(5, 'stream')).toBeUndefined();
    await expect(backend.attachStream(256)).rejects.toThrow(/0\.\.255/);
  });

  it('refuses streams where the kernel has no DSS VLANs', async () => {
    const backend = new KernelBackend({ driver: 'qmi_wwan', netdev: 'wwan0' }, dryRunner(() => undefined), () => []);
    await expect(backend.attachStream(0)).rejects.toThrow(/cdc_mbim's VLANs 256\.\.511; qmi_wwan has none/);
  });

  it('refuses links when this daemon does not drive the kernel', async () => {
    const backend = new KernelBackend({ driver: 'qmi_wwan', netdev: 'wwan0', mux: 'rmnet' }, undefined, () => []);
    await expect(backend.attach(1, { name: 'unused' })).rejects.toThrow(ConfigError);
  });
});

describe('typed control events', () => {
  it('decodes QMAP flow control once, with the ACK rmnet sends, and a channel command as open/close', () => {
    const events: ControlEvent[] = [];
    const host = new PipeFraming({ framing: 'qmap', version: 1, maxDatagrams: 1, maxBytes: 4096 }, 'host', () => undefined, { packet: () => undefined, control: (e) => events.push(e) });
    host.receive(encodeQmapCommand({ muxId: 4, name: QMAP_FLOW_DISABLE, type: 'request', transactionId: 7 }, { version: 1, direction: 'downlink' }));
    host.receive(encodeQmapCommand({ muxId: 4, name: 9, type: 'request', transactionId: 8 }, { version: 1, direction: 'downlink' }));
    expect(events[0]).toMatchObject({ kind: 'flow', link: { id: 4 }, enabled: false, command: { transactionId: 7 } });
    expect((events[0] as { ack: Uint8Array }).ack[5]! & 3).toBe(1);
    expect(events[1]).toMatchObject({ kind: 'qmap-command', command: { name: 9 } });
    const bam: ControlEvent[] = [];
    const h2 = new PipeFraming({ framing: 'bam-dmux' }, 'host', () => undefined, { packet: () => undefined, control: (e) => bam.push(e) });
    const m2 = new PipeFraming({ framing: 'bam-dmux' }, 'modem', (t) => h2.receive(t), { packet: () => undefined });
    m2.sendChannelCommand({ kind: 'ip', id: 2 }, 'close');
    expect(bam).toEqual([{ kind: 'channel', link: { kind: 'ip', id: 2 }, open: false }]);
  });

  it('pauses a link on FLOW_DISABLE, queues its packets, answers with the ACK, and sends the queue on FLOW_ENABLE', async () => {
    const pipe = memoryPipe();
    const dp = new Datapath(pipe, { framing: 'qmap', version: 1, maxDatagrams: 1, maxBytes: 4096 });
    const n = new FakeNetdev('q4');
    dp.attach(4, n);
    pipe.fromModem(encodeQmapCommand({ muxId: 4, name: QMAP_FLOW_DISABLE, type: 'request', transactionId: 7 }, { version: 1, direction: 'downlink' }));
    expect(pipe.sent).toHaveLength(1);
    expect(pipe.sent[0]![5]! & 3).toBe(1);
    n.send(tagged(1));
    n.send(tagged(2));
    await new Promise((r) => setImmediate(r));
    expect(pipe.sent).toHaveLength(1);
    expect(dp.links.get(4)!.queue).toHaveLength(2);
    pipe.fromModem(encodeQmapCommand({ muxId: 4, name: QMAP_FLOW_ENABLE, type: 'request', transactionId: 8 }, { version: 1, direction: 'downlink' }));
    await new Promise((r) => setImmediate(r));
    expect(pipe.sent).toHaveLength(4);
    expect(dp.links.get(4)!.pauses).toBe(1);
  });

  it('holds every netdev while the pipe is congested, a link attached meanwhile too, and releases them when it drains, closes or the link goes', async () => {
    const pipe = memoryPipe();
    const dp = new Datapath(pipe, { framing: 'raw-ip' });
    const [a, b, c] = [new FakeNetdev('a'), new FakeNetdev('b'), new FakeNetdev('c')];
    dp.attach(0, a);
    a.send(tagged(1));
    expect([a.held, pipe.sent]).toEqual([false, [expect.any(Uint8Array)]]);
    pipe.setCongested(true);
    a.send(tagged(2)); // still sent: the packet was taken before the pipe said so
    expect(pipe.sent).toHaveLength(2);
    expect(a.held).toBe(true);
    dp.attach(1, b);
    expect(b.held).toBe(true);
    pipe.setCongested(false);
    expect([a.held, b.held, dp.stats.holds]).toEqual([false, false, 1]);
    pipe.setCongested(true);
    a.send(tagged(3));
    dp.attach(2, c);
    expect([a.held, b.held, c.held, dp.stats.holds]).toEqual([true, true, true, 2]);
    dp.detach(2);
    expect(c.held).toBe(false);
    // Netdevs outlive the datapath: a closed one leaves none held.
    await dp.close();
    expect([a.held, b.held]).toEqual([false, false]);
  });

  it('never throws on arbitrary command bytes, and only answers flow commands', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const e = qmapControlEvent({ kind: 'ip', id: 1 }, bytes);
        if (e.kind === 'flow') expect(e.command.name === QMAP_FLOW_DISABLE || e.command.name === QMAP_FLOW_ENABLE).toBe(true);
        else expect(e.kind).toBe('qmap-command');
      }),
      { numRuns: 300 },
    );
  });
});
