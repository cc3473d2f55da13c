/**
 * Simulator control plane: round trips per second (NAS Get Signal Strength over the modem's unix
 * socket) and the Start Network latency, each beside a bare echo over the same kind of socket.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QmiDevice } from '../src/qmi/client.js';
import { qmuxPort } from '../src/qmi/port.js';
import { nas } from '../src/qmi/services/nas.js';
import { wds } from '../src/qmi/services/wds.js';
import { PROFILES } from '../src/sim/profiles.js';
import { Simulator } from '../src/sim/simulator.js';
import { connectUnix } from '../src/transport/unix.js';
import { measureAsync, report } from './harness.js';

/** Round trips of `size` bytes through a server that echoes them back. */
async function echoRate(size: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'wwan-bench-'));
  const path = join(dir, 'echo.sock');
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(path, () => r()));
  const t = await connectUnix(path);
  const msg = new Uint8Array(size);
  let waiting: (() => void) | undefined;
  let got = 0;
  t.onData((c) => {
    got += c.length;
    if (got >= size && waiting) {
      got -= size;
      const w = waiting;
      waiting = undefined;
      w();
    }
  });
  const rate = await measureAsync(
    () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
        t.write(msg);
      }),
  );
  await t.close();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
  return rate.opsPerSec;
}

export async function run(): Promise<void> {
  const sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
  try {
    const dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)));
    const n = await dev.allocateClient(nas);
    const w = await dev.allocateClient(wds);
    const baseline = { name: 'echo of 40 B over a unix socket', value: await echoRate(40) };
    const rt = await measureAsync(async () => {
      await n.request(nas.messages.getSignalStrength, { requestMask: 0xef });
    });
    report({ bench: 'sim.qmi.roundTrip.getSignalStrength', unit: 'round trips/s', value: rt.opsPerSec, baseline });
    const start = await measureAsync(async () => {
      const { packetDataHandle } = await w.request(wds.messages.startNetwork, { apn: 'internet', ipFamilyPreference: 4 });
      await w.request(wds.messages.stopNetwork, { packetDataHandle });
    });
    // One iteration is a start and a stop: two round trips.
    report({ bench: 'sim.qmi.startNetwork.latency', unit: 'ms', value: 1000 / start.opsPerSec / 2, baseline: { name: 'echo round trip', value: 1000 / baseline.value } });
    await dev.close();
  } finally {
    await sim.stop();
  }
}
