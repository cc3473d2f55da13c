/** `wwan trace [--pcap FILE]`: every control message the daemon exchanges, decoded, live (secrets overwritten). */
import { DaemonClient, defaultSocket } from '../daemon/client.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU, PcapWriter, controlPdu } from '../trace/pcap.js';
import { exitFor } from './manage.js';
import { onStopSignal } from './signals.js';

export async function runTrace(opts: { socket?: string; json?: boolean; pcap?: string; count?: string }): Promise<number> {
  const limit = opts.count === undefined ? Infinity : Number(opts.count);
  let client: DaemonClient;
  const pcap = opts.pcap ? new PcapWriter(opts.pcap, LINKTYPE_WIRESHARK_UPPER_PDU) : undefined;
  let seen = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  try {
    client = await DaemonClient.connect(opts.socket ?? defaultSocket());
    client.onEvent((e) => {
      // The daemon drops what a tracer too slow to read would pile up, and says how much once it caught up.
      if (e.event === 'dropped') process.stderr.write(`wwan trace: the daemon dropped ${Number(e.count)} message(s) while this trace fell behind\n`);
      if (e.event !== 'trace') return;
      const bytes = Buffer.from(String(e.hex), 'hex');
      pcap?.write(controlPdu(e.protocol === 'mbim' ? 'mbim' : 'qmi', bytes), Number(e.time));
      const time = new Date(Number(e.time)).toISOString().slice(11, 23);
      process.stdout.write(opts.json ? `${JSON.stringify(e)}\n` : `${time} ${String(e.modem)} ${String(e.protocol)} ${e.direction === 'tx' ? '→' : '←'} ${String(e.summary)}\n`);
      if (++seen >= limit) done();
    });
    await client.call('trace');
  } catch (e) {
    pcap?.close();
    process.stderr.write(`wwan: ${(e as Error).message}\n`);
    return exitFor(e);
  }
  onStopSignal(done);
  await finished;
  client.close();
  pcap?.close();
  return 0;
}

/** While a connect runs: each request the daemon sends to `modem`, one line each (none if the daemon is unreachable). */
export async function connectProgress(socket: string | undefined, modem: string, print: (line: string) => void): Promise<DaemonClient | undefined> {
  const client = await DaemonClient.connect(socket ?? defaultSocket()).catch(() => undefined);
  if (!client) return undefined;
  client.onEvent((e) => {
    if (e.event === 'trace' && e.modem === modem && e.direction === 'tx') print(`  → ${String(e.summary)}\n`);
  });
  await client.call('trace').catch(() => undefined);
  return client;
}
