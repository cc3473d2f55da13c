/** `wwan sim`: run simulated modems until SIGINT/SIGTERM. The first stdout line is the ready event; logs go to stderr. */
import { PROFILES, isProfileName } from '../sim/profiles.js';
import { Simulator } from '../sim/simulator.js';

export interface SimCommandOptions {
  profile: string;
  modems: string;
  seed: string;
  proxy?: boolean;
  pcap?: string;
  dir?: string;
}

export async function runSim(opts: SimCommandOptions): Promise<number> {
  if (!isProfileName(opts.profile)) {
    process.stderr.write(`wwan sim: unknown profile '${opts.profile}'; choose one of ${Object.keys(PROFILES).join(', ')}\n`);
    return 2;
  }
  const modems = Number(opts.modems);
  const seed = Number(opts.seed);
  if (!Number.isInteger(modems) || modems < 1 || modems > 64) {
    process.stderr.write('wwan sim: --modems takes a whole number from 1 to 64\n');
    return 2;
  }
  if (!Number.isInteger(seed)) {
    process.stderr.write('wwan sim: --seed takes a whole number\n');
    return 2;
  }
  const log = (line: string): void => void process.stderr.write(`[sim] ${line}\n`);
  let sim: Simulator;
  try {
    sim = await Simulator.start({ profile: PROFILES[opts.profile], modems, seed, proxy: opts.proxy, pcap: opts.pcap, dir: opts.dir, log });
  } catch (e) {
    process.stderr.write(`wwan sim: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(sim.ready())}\n`);
  log(`${modems} ${opts.profile} modem(s) ready; stop with Ctrl-C`);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await sim.stop();
  log('stopped');
  return 0;
}
