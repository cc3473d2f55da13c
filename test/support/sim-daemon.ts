/** A daemon with simulated modems hosted beside it by the CLI's SimHost, as `wwan daemon --sim` runs them. */
import { SimHost } from '../../src/cli/sim-host.js';
import { Daemon, type DaemonOptions } from '../../src/daemon/server.js';

/** Starts the daemon, then the simulators of `sims` (`profile[:N]`) whose modems it is given; its stop() stops them too. */
export async function daemonWithSims(options: DaemonOptions, sims: string[]): Promise<Daemon> {
  const daemon = await Daemon.start(options);
  const host = await SimHost.start(daemon, sims).catch(async (e: unknown) => {
    await daemon.stop();
    throw e;
  });
  // The simulators stop after the daemon, as `wwan daemon` stops them.
  const stop = daemon.stop.bind(daemon);
  daemon.stop = async () => {
    await stop();
    await host.stop();
  };
  return daemon;
}
