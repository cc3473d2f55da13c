/** `wwan sim`: run simulated modems until SIGINT/SIGTERM. The first stdout line is the ready event; logs go to stderr. */
import type { PersonalizationFeature, PersonalizationLock } from '../sim/personalization.js';
import { PROFILES, isProfileName } from '../sim/profiles.js';
import type { Simulator } from '../sim/simulator.js';
import { connectUnix } from '../transport/unix.js';
import { stopSignal } from './signals.js';

export interface SimCommandOptions {
  profile?: string;
  modems: string;
  seed: string;
  proxy?: boolean;
  pcap?: string;
  dir?: string;
  tunNetns?: string;
  withModemmanager?: boolean;
  modemmanagerLog?: string;
  pinLocked?: boolean;
  /** The SIM's PIN1 (default 1234). */
  pin?: string;
  puk?: string;
  /** Personalization locks: `FACILITY=KEY`. */
  simLock?: string[];
  /** Faults to apply once the modems are up: `NAME key=value …`. */
  fault?: string[];
  /** Publish the modem's QMI services on QRTR. */
  qrtr?: boolean;
}

/** The facilities `--sim-lock` names, as the personalization features they lock. */
const SIM_LOCK_FEATURES: Record<string, PersonalizationFeature> = { network: 'gw-network', 'network-subset': 'gw-network-subset', 'service-provider': 'gw-service-provider', corporate: 'gw-corporate' };

/** `FACILITY=KEY` words into personalization locks, or what is wrong with one (never the key). */
function simLocks(specs: string[]): PersonalizationLock[] | string {
  const locks: PersonalizationLock[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const facility = eq < 0 ? spec : spec.slice(0, eq);
    const feature = SIM_LOCK_FEATURES[facility];
    if (!feature) return `--sim-lock takes FACILITY=KEY with FACILITY one of ${Object.keys(SIM_LOCK_FEATURES).join(', ')}, not ${JSON.stringify(facility.slice(0, 32))}`;
    const key = spec.slice(eq + 1);
    if (eq < 0 || !/^\d{1,16}$/.test(key)) return `--sim-lock ${facility}: the control key is 1 to 16 digits`;
    if (locks.some((l) => l.feature === feature)) return `--sim-lock ${facility} is given twice`;
    locks.push({ feature, key });
  }
  return locks;
}

/** `key=value` words into a fault request's arguments (numbers and booleans typed). */
function faultArgs(words: string[]): Record<string, unknown> | string {
  const req: Record<string, unknown> = {};
  for (const a of words) {
    const eq = a.indexOf('=');
    if (eq <= 0) return `arguments are key=value, got ${JSON.stringify(a)}`;
    const v = a.slice(eq + 1);
    req[a.slice(0, eq)] = /^-?\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return req;
}

export async function runSim(opts: SimCommandOptions): Promise<number> {
  if (opts.profile === undefined || !isProfileName(opts.profile)) {
    process.stderr.write(`wwan sim: ${opts.profile === undefined ? 'give --profile' : `unknown profile '${opts.profile}'`}; choose one of ${Object.keys(PROFILES).join(', ')}\n`);
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
  if (opts.puk !== undefined && !/^\d{8}$/.test(opts.puk)) {
    process.stderr.write('wwan sim: --puk takes 8 digits\n');
    return 2;
  }
  if (opts.pin !== undefined && !/^\d{4,8}$/.test(opts.pin)) {
    process.stderr.write('wwan sim: --pin takes 4 to 8 digits\n');
    return 2;
  }
  const personalization = simLocks(opts.simLock ?? []);
  if (typeof personalization === 'string') {
    process.stderr.write(`wwan sim: ${personalization}\n`);
    return 2;
  }
  if (opts.withModemmanager) return (await import('./sim-modemmanager.js')).runSimWithModemManager({ profile: opts.profile, modems, seed, pinLocked: opts.pinLocked, personalization, modemManagerLog: opts.modemmanagerLog });
  const log = (line: string): void => void process.stderr.write(`[sim] ${line}\n`);
  let sim: Simulator;
  try {
    const base = PROFILES[opts.profile];
    const profile = { ...base, firmware: { ...base.firmware, ...(opts.pinLocked ? { pinLocked: true } : {}), ...(opts.pin !== undefined ? { pin: opts.pin } : {}), ...(opts.puk !== undefined ? { puk: opts.puk } : {}), ...(personalization.length > 0 ? { personalization } : {}) } };
    const { Simulator } = await import('../sim/simulator.js');
    sim = await Simulator.start({ profile, modems, seed, proxy: opts.proxy, pcap: opts.pcap, dir: opts.dir, tunNetns: opts.tunNetns, qrtr: opts.qrtr, log });
  } catch (e) {
    process.stderr.write(`wwan sim: ${(e as Error).message}\n`);
    return 1;
  }
  for (const f of opts.fault ?? []) {
    const [name, ...words] = f.trim().split(/\s+/);
    const args = faultArgs(words);
    const answer = typeof args === 'string' ? { ok: false, error: args } : sim.fault({ ...args, fault: name ?? '' });
    if (!answer.ok) {
      process.stderr.write(`wwan sim: --fault ${JSON.stringify(f)}: ${answer.error}\n`);
      await sim.stop();
      return 2;
    }
    log(`fault ${name} applied from the command line`);
  }
  process.stdout.write(`${JSON.stringify(sim.ready())}\n`);
  log(`${modems} ${opts.profile} modem(s) ready; stop with Ctrl-C`);
  await stopSignal();
  await sim.stop();
  log('stopped');
  return 0;
}

/** `wwan sim ctl --control PATH FAULT [key=value …]` (or a query: `clients`, `modems`, `usb`): the answer on stdout. */
export async function runSimCtl(control: string, fault: string, args_: string[], fields: Record<string, string | undefined> = {}): Promise<number> {
  const args = faultArgs(args_);
  if (typeof args === 'string') {
    process.stderr.write(`wwan sim ctl: ${args}\n`);
    return 2;
  }
  // Options (--to, --text…) are taken as given: a text of digits stays text.
  const { QUERIES } = await import('../sim/control-queries.js');
  const req = (QUERIES as readonly string[]).includes(fault) ? { query: fault } : { ...args, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)), fault };
  const sock = await connectUnix(control).catch((e: Error) => e);
  if (sock instanceof Error) {
    process.stderr.write(`wwan sim ctl: cannot reach the simulator at ${control}: ${sock.message}\n`);
    return 1;
  }
  const answer = await new Promise<string>((resolve) => {
    let buf = '';
    sock.onData((c) => {
      buf += Buffer.from(c).toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    sock.onClose(() => resolve(buf || '{"ok":false,"error":"the simulator closed the connection"}'));
    sock.write(Buffer.from(`${JSON.stringify(req)}\n`));
  });
  await sock.close();
  process.stdout.write(`${answer}\n`);
  return (JSON.parse(answer) as { ok: boolean }).ok ? 0 : 1;
}
