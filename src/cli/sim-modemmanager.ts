/** `wwan sim --with-modemmanager`: the real ModemManager managing simulated modems, until SIGINT/SIGTERM. */
import { ModemManagerHarness } from '../sim/modemmanager/harness.js';
import type { PersonalizationLock } from '../sim/personalization.js';
import { onStopSignal } from './signals.js';

export interface ModemManagerSimOptions {
  profile: string;
  modems: number;
  seed: number;
  pinLocked?: boolean;
  personalization?: PersonalizationLock[];
  modemManagerLog?: string;
}

export async function runSimWithModemManager(opts: ModemManagerSimOptions): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`[sim] ${line}\n`);
  let harness: ModemManagerHarness;
  try {
    harness = ModemManagerHarness.start({ ...opts, log });
  } catch (e) {
    process.stderr.write(`wwan sim: ${(e as Error).message}\n`);
    return 1;
  }
  // Signals stop the harness whether it is still starting or running.
  onStopSignal(() => void harness.stop());
  try {
    const ready = await harness.ready;
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    log(`ModemManager manages ${ready.modems.length} ${opts.profile} modem(s); DBUS_SYSTEM_BUS_ADDRESS=${ready.dbus} mmcli -L; stop with Ctrl-C`);
  } catch (e) {
    process.stderr.write(`wwan sim: ${(e as Error).message}\n`);
    await harness.exited;
    return 1;
  }
  const code = await harness.exited;
  log(code === 0 ? 'stopped' : 'the harness failed; everything it started is stopped');
  return code;
}
