/**
 * Simulated modems for `wwan daemon --sim PROFILE[:N]`, hosted by the CLI, not the daemon: up to 64 in
 * this process, more in child processes (64 each: a SimulatorFleet). The daemon gets their ports like
 * any other modem's, through the API's `add`, 128 at a time.
 */
import { ConfigError } from '../modem/types.js';
import type { Daemon } from '../daemon/server.js';
import { PROFILES, isProfileName } from '../sim/profiles.js';
import { Simulator } from '../sim/simulator.js';
import { SimulatorFleet } from '../sim/fleet.js';

/** Simulated modems one daemon may be given (beyond 64 they run in child processes). */
const MAX_SIMS = 4096;

export class SimHost {
  private readonly running: { stop(): Promise<void> }[] = [];
  private nextSim = 0;
  /** The daemon's ids of the modems hosted here, in order. */
  readonly modems: string[] = [];

  private constructor(
    private readonly daemon: Daemon,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the simulators of `specs` and gives their modems to `daemon`; stops what it started if one fails. */
  static async start(daemon: Daemon, specs: string[], log: (line: string) => void = () => undefined): Promise<SimHost> {
    const host = new SimHost(daemon, log);
    try {
      for (const s of specs) await host.add(s);
    } catch (e) {
      await host.stop();
      throw e;
    }
    return host;
  }

  /** Starts `N` simulated modems of a profile (`profile[:N]`); answers the daemon's ids for them. */
  async add(spec: string): Promise<string[]> {
    const [name, countText] = spec.split(':');
    if (!name || !isProfileName(name)) throw new ConfigError(`unknown simulator profile ${JSON.stringify(spec.slice(0, 64))}; choose one of ${Object.keys(PROFILES).join(', ')}`);
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > MAX_SIMS) throw new ConfigError(`a simulator count is 1 to ${MAX_SIMS}`);
    const profile = PROFILES[name];
    const seed = this.running.length * 100 + 1;
    let modems: ReturnType<Simulator['ready']>['modems'];
    if (count <= 64) {
      const sim = await Simulator.start({ profile, modems: count, seed, log: (l) => this.log(`[sim] ${l}`) });
      this.running.push(sim);
      modems = sim.ready().modems;
    } else {
      const fleet = await SimulatorFleet.start({ profile: name, modems: count, seed, log: (l) => this.log(l) });
      this.running.push(fleet);
      modems = fleet.modems;
    }
    // Names go on from the modems there are (`sim<N>`), skipping any taken.
    const taken = new Set((await this.daemon.request('list')).map((m) => m.id));
    this.nextSim = Math.max(this.nextSim, taken.size);
    const nextId = (): string => {
      while (taken.has(`sim${this.nextSim}`)) this.nextSim++;
      return `sim${this.nextSim++}`;
    };
    const adds = modems.map((m) => ({ id: nextId(), control: profile.control, port: `unix:${m.ports[0]!.socket}`, dataPipe: m.data, pipe: profile.data === 'bam-dmux' ? ('bam-dmux' as const) : ('usb' as const) }));
    await inBatches(adds, 128, (a) => this.daemon.request('add', a));
    this.modems.push(...adds.map((a) => a.id));
    return adds.map((a) => a.id);
  }

  /** Stops the simulators (after the daemon, so it does not see its modems vanish). */
  async stop(): Promise<void> {
    for (const s of this.running.splice(0)) await s.stop();
  }
}

/** Runs `fn` over `items`, at most `width` at a time; the first failure is thrown once all have settled. */
async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!).catch((e: unknown) => errors.push(e));
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
