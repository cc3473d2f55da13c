/** `wwan monitor`: the daemon's events as they happen. */
import { DaemonClient, defaultSocket } from '../daemon/client.js';
import { exitFor } from './manage.js';
import { stopSignal } from './signals.js';

export async function runMonitor(socket: string | undefined, json: boolean): Promise<number> {
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(socket ?? defaultSocket());
    client.onEvent((e) => {
      const time = new Date().toISOString().slice(11, 23);
      const modem = 'modem' in e ? e.modem : '';
      process.stdout.write(json ? `${JSON.stringify({ time, ...e })}\n` : `${time} ${modem} ${e.event} ${JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'event' && k !== 'modem')))}\n`);
    });
    await client.call('subscribe');
  } catch (e) {
    process.stderr.write(`wwan: ${(e as Error).message}\n`);
    return exitFor(e);
  }
  await stopSignal();
  client.close();
  return 0;
}
