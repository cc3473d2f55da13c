/**
 * A daemon in its own process managing the modems of a `wwan sim` in another (run with
 * `node --import tsx`): argv[2] the socket, argv[3] the sim's ready line. Prints one line when it
 * listens with its modems probed; stops on SIGTERM. For tests that measure the daemon alone.
 */
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import type { SimReady } from './sim-process.js';

const [socket, readyJson] = process.argv.slice(2);
const ready = JSON.parse(readyJson!) as SimReady;
const daemon = await Daemon.start({ socket: socket!, netdev: async (_m, n) => new MemoryNetdev(n), log: (l) => void process.stderr.write(`[wwand] ${l}\n`) });
for (const [i, m] of ready.modems.entries()) {
  await daemon.manager.add({ id: `m${i}`, control: m.profile.startsWith('mbim') || m.profile === 'iosm' ? 'mbim' : 'qmi', port: `unix:${m.ports[0]!.socket}`, dataPipe: m.data, pipe: 'usb' });
}
process.stdout.write(`${JSON.stringify({ event: 'listening', socket })}\n`);
process.once('SIGTERM', () => void daemon.stop().then(() => process.exit(0)));
