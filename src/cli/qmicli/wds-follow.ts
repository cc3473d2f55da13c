/**
 * `--wds-start-network … --wds-follow-network`: after the call is up, qmicli checks its packet
 * service status every 20 s until the call drops (then stops it) or the user interrupts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { wds, WdsConnectionStatus } from '../../qmi/services/wds.js';
import { ask, CliError, enumName, errorText, type ActionContext } from './action.js';

const m = wds.messages;
const POLL_MS = 20_000;

export const FOLLOW_NETWORK = { option: { long: 'wds-follow-network', arg: 'none' }, alone: "`--wds-follow-network' must be used with `--wds-start-network'" } as const;

export async function followNetwork(ctx: ActionContext<typeof wds>, handle: number): Promise<void> {
  ctx.print('\nCtrl+C will stop the network\n');
  let interrupted = false;
  const stop = new AbortController();
  void ctx.interrupted().then(() => {
    interrupted = true;
    stop.abort();
  });
  try {
    for (;;) {
      await sleep(POLL_MS, undefined, { signal: stop.signal }).catch(() => {});
      if (interrupted) {
        // qmicli 1.32 announces it twice, then sends Stop Network with its already-cancelled
        // cancellable: nothing goes out and it fails; releasing the client is what ends the call.
        ctx.print('Network cancelled... releasing resources\n'.repeat(2));
        throw new CliError('operation failed: Operation was cancelled');
      }
      let status: number;
      try {
        status = (await ctx.client.request(m.getPacketServiceStatus, {})).connectionStatus;
      } catch (e) {
        ctx.printErr(`error: couldn't get packet service status: ${errorText(e)}\n`);
        continue;
      }
      ctx.print(`${ctx.tag} Connection status: '${enumName(WdsConnectionStatus, status)}'\n`);
      if (status === WdsConnectionStatus.names.connected) continue;
      ctx.print(`${ctx.tag} Stopping after detecting disconnection\nNetwork cancelled... releasing resources\n`);
      await ask('stop network', ctx.client.request(m.stopNetwork, { packetDataHandle: handle }, { timeoutMs: 120_000 }));
      ctx.print(`${ctx.tag} Network stopped\n`);
      return;
    }
  } finally {
    stop.abort();
  }
}
