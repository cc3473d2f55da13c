/**
 * One process of a simulator fleet: `node fleet-child.js PROFILE MODEMS SEED`. Prints the ready line
 * and runs until SIGTERM or SIGINT. Lighter than `wwan sim` (only the simulator is loaded), which
 * matters when a fleet starts tens of them at once.
 */
import { PROFILES, isProfileName } from './profiles.js';
import { Simulator } from './simulator.js';

const [profile, modems, seed] = process.argv.slice(2);
if (!profile || !isProfileName(profile) || !Number.isInteger(Number(modems)) || !Number.isInteger(Number(seed))) {
  process.stderr.write('usage: fleet-child PROFILE MODEMS SEED\n');
  process.exit(2);
}
const sim = await Simulator.start({ profile: PROFILES[profile], modems: Number(modems), seed: Number(seed), log: (l) => void process.stderr.write(`[sim] ${l}\n`) });
process.stdout.write(`${JSON.stringify(sim.ready())}\n`);
const stop = (): void => {
  process.off('SIGTERM', stop).off('SIGINT', stop);
  // A repeated signal during cleanup is ignored rather than killing the process mid-way.
  process.on('SIGTERM', () => undefined).on('SIGINT', () => undefined);
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop).on('SIGINT', stop);
