/**
 * Device service streams through the simulator (userspace backend: DSS NDPs in the NTB) on mbim-usb
 * and iosm: the NMEA stream, echo streams carrying 64 KiB in random chunks two at once, a reset while
 * open, and bad input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamSink } from '../../src/link/stream.js';
import { STREAM_BUFFER_LIMIT } from '../../src/link/stream.js';
import type { StreamLink } from '../../src/modem/modem.js';
import { ConfigError } from '../../src/modem/types.js';
import { DSS_SERVICES } from '../../src/sim/mbim-dss.js';
import { managedModem, until, type Managed } from '../support/managed.js';
import { MemoryNetdev } from '../../src/net/memory.js';

let managed: Managed<MemoryNetdev> | undefined;
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

/** A consumer that takes everything, or (full) takes nothing after its first chunk. */
function collector(opts: { full?: boolean } = {}): StreamSink & { bytes(): Uint8Array; endedWith?: string | null } {
  const chunks: Uint8Array[] = [];
  const sink: StreamSink & { bytes(): Uint8Array; endedWith?: string | null } = {
    write(c) {
      chunks.push(c);
      return !opts.full;
    },
    end(reason) {
      sink.endedWith = reason ?? null;
    },
    bytes() {
      return Buffer.concat(chunks);
    },
  };
  return sink;
}

/** Deterministic pseudo-random bytes and chunk sizes. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}

function payload(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

async function writeInRandomChunks(link: StreamLink, bytes: Uint8Array, seed: number): Promise<void> {
  const r = rng(seed);
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(r() * 6000);
    expect(link.stream!.write(bytes.subarray(at, at + n))).toBe(true);
    at += n;
    // Let the pipe move now and then, as a real writer's chunks arrive apart.
    if (r() < 0.3) await new Promise((res) => setImmediate(res));
  }
}

describe.each(['mbim-usb', 'iosm'] as const)('DSS streams on %s', (profile) => {
  it('reads NMEA sentences from session 0', async () => {
    managed = await managedModem({ profile });
    const link = await managed.modem.openStream(0, DSS_SERVICES.nmea.uuid);
    expect(link).toMatchObject({ session: 0, name: 'wwan0-dss0', status: 'open' });
    const sink = collector();
    link.stream!.connect(sink);
    await until(() => new TextDecoder().decode(sink.bytes()).includes('\r\n'), 5000);
    const line = new TextDecoder().decode(sink.bytes()).split('\r\n')[0]!;
    const m = /^\$(GPGGA,[^*]*)\*([0-9A-F]{2})$/.exec(line);
    expect(m).not.toBeNull();
    let cs = 0;
    for (const ch of m![1]!) cs ^= ch.charCodeAt(0);
    expect(cs).toBe(parseInt(m![2]!, 16));
    await managed.modem.closeStream(0);
    expect(sink.endedWith).toBeNull();
    expect(managed.sim.modems[0]!.dss!.sessions.size).toBe(0);
  });

  it('echoes 64 KiB written in random chunks, on two sessions at once', async () => {
    managed = await managedModem({ profile });
    const [a, b] = await Promise.all([managed.modem.openStream(1, DSS_SERVICES.echo.uuid), managed.modem.openStream(2, DSS_SERVICES.echo.uuid)]);
    const sa = collector();
    const sb = collector();
    a.stream!.connect(sa);
    b.stream!.connect(sb);
    const pa = payload(65536, 1);
    const pb = payload(65536, 2);
    await Promise.all([writeInRandomChunks(a, pa, 11), writeInRandomChunks(b, pb, 12)]);
    await until(() => sa.bytes().length >= pa.length && sb.bytes().length >= pb.length);
    expect(Buffer.compare(sa.bytes(), pa)).toBe(0);
    expect(Buffer.compare(sb.bytes(), pb)).toBe(0);
    expect(a.stream!.counters).toMatchObject({ txBytes: 65536, rxBytes: 65536, rxDropped: 0, txDropped: 0 });
  });
});

describe('DSS streams: ends and bad input', () => {
  it('ends an open stream cleanly when the modem resets, and the session can be opened again after', async () => {
    managed = await managedModem({ profile: 'mbim-usb' });
    const link = await managed.modem.openStream(3, DSS_SERVICES.echo.uuid);
    const sink = collector();
    link.stream!.connect(sink);
    const events: string[] = [];
    managed.modem.on('stream', (l) => events.push(`${l.session}:${l.status}`));
    managed.sim.fault({ fault: 'reset' });
    await until(() => sink.endedWith !== undefined);
    expect(sink.endedWith).toMatch(/reset/);
    expect(link.stream!.write(new Uint8Array(4))).toBe(false);
    expect(events).toEqual(['3:closed']);
    expect(managed.modem.streams.size).toBe(0);
    await until(() => managed!.modem.state === 'registered');
    const again = await managed.modem.openStream(3, DSS_SERVICES.echo.uuid);
    const s2 = collector();
    again.stream!.connect(s2);
    again.stream!.write(new Uint8Array([1, 2, 3]));
    await until(() => s2.bytes().length === 3);
  });

  it('refuses a session id out of range, a session opened twice, an unknown service, and a missing service choice', async () => {
    managed = await managedModem({ profile: 'iosm' });
    const m = managed.modem;
    await expect(m.openStream(256, DSS_SERVICES.echo.uuid)).rejects.toThrow(/0\.\.255/);
    await expect(m.openStream(-1, DSS_SERVICES.echo.uuid)).rejects.toThrow(ConfigError);
    await expect(m.openStream(1.5, DSS_SERVICES.echo.uuid)).rejects.toThrow(ConfigError);
    const first = m.openStream(4, DSS_SERVICES.echo.uuid);
    await expect(m.openStream(4, DSS_SERVICES.echo.uuid)).rejects.toThrow(/already open/);
    await first;
    await expect(m.openStream(5, '00000000-0000-0000-0000-000000000000')).rejects.toThrow(/offers no stream service/);
    await expect(m.openStream(5)).rejects.toThrow(/give the device service/);
    await expect(m.closeStream(9)).rejects.toThrow(/no open DSS session 9/);
    expect([...m.streams.keys()]).toEqual([4]);
  });

  it('counts DSS data for a session nobody opened as a drop', async () => {
    managed = await managedModem({ profile: 'mbim-usb' });
    await managed.modem.openStream(0, DSS_SERVICES.nmea.uuid);
    expect(managed.sim.modems[0]!.data.sendDss(7, new Uint8Array([1, 2, 3]))).toBe(true);
    await until(() => managed!.modem.datapath!.stats.unknownStream === 1);
  });

  it('holds what a reader that never reads has not taken up to the bound, then counts each datagram dropped', async () => {
    managed = await managedModem({ profile: 'mbim-usb' });
    const link = await managed.modem.openStream(1, DSS_SERVICES.echo.uuid);
    const sink = collector({ full: true });
    link.stream!.connect(sink);
    const total = STREAM_BUFFER_LIMIT + 64 * 1024;
    const bytes = payload(total, 3);
    await writeInRandomChunks(link, bytes, 4);
    await until(() => link.stream!.counters.rxBytes === total);
    const c = link.stream!.counters;
    expect(c.rxDropped).toBeGreaterThan(0);
    expect(link.stream!.bufferedBytes).toBeLessThanOrEqual(STREAM_BUFFER_LIMIT);
    // Nothing lost before the bound: the reader, waking, gets the first bytes in order.
    const kept = sink.bytes().length + link.stream!.bufferedBytes;
    expect(kept).toBeGreaterThan(STREAM_BUFFER_LIMIT - 4096);
    const awake = collector();
    link.stream!.connect(awake);
    expect(Buffer.compare(Buffer.concat([sink.bytes(), awake.bytes()]), bytes.subarray(0, kept))).toBe(0);
  });

  it('has no streams on a QMI modem', async () => {
    managed = await managedModem({ profile: 'qmi-usb' });
    await expect(managed.modem.openStream(0)).rejects.toThrow(/DSS is MBIM/);
  });
});
