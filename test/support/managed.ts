/** A simulated modem with the manager's Modem on top: the setup the modem and end-to-end tests share. */
import type { LinkBackend } from '../../src/link/backend.js';
import { connectRecordPipe } from '../../src/link/data-pipe.js';
import { MbimDevice } from '../../src/mbim/client.js';
import type { ControlDriver } from '../../src/modem/driver.js';
import { MbimDriver } from '../../src/modem/mbim-driver.js';
import { Modem, type ModemOptions } from '../../src/modem/modem.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import type { PacketNetdev } from '../../src/net/netdev.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import type { Responder } from '../../src/sim/data-plane.js';
import type { FirmwareConfig } from '../../src/sim/firmware.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

export interface Managed<N extends PacketNetdev> {
  sim: Simulator;
  modem: Modem;
  /** Each link's netdev, by link id. */
  netdevs: Map<number, N>;
  stop(): Promise<void>;
}

export interface ManagedOptions<N extends PacketNetdev> {
  profile: ProfileName;
  seed?: number;
  /** The network behind the modem; default: echo every packet back, so loops through both framings show. */
  respond?: Responder;
  tunNetns?: string;
  /** Firmware changes on top of the profile's (e.g. a PIN-locked SIM). */
  firmware?: FirmwareConfig;
  netdev?: (name: string) => N;
  modem?: Partial<ModemOptions>;
  /** More simulator options (e.g. a capture file). */
  sim?: Partial<SimulatorOptions>;
  /** A link backend of its own over the simulator's data pipe (default: the in-process userspace one). */
  backend?: (dataPipe: string) => LinkBackend;
}

export async function managedModem<N extends PacketNetdev = MemoryNetdev>(o: ManagedOptions<N>): Promise<Managed<N>> {
  const sim = await Simulator.start({
    profile: { ...PROFILES[o.profile], firmware: { ...PROFILES[o.profile].firmware, ...o.firmware } },
    seed: o.seed ?? 9,
    ...(o.tunNetns ? { tunNetns: o.tunNetns } : { respond: o.respond ?? ((_s, p, reply) => reply(p.slice())) }),
    ...o.sim,
  });
  const socket = sim.modems[0]!.ports[0]!.socket;
  const driver = async (): Promise<ControlDriver> =>
    PROFILES[o.profile].control === 'qmi'
      ? new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(socket))), { pipe: o.profile === 'bam-dmux' ? 'bam-dmux' : 'usb' })
      : new MbimDriver(await MbimDevice.open(await connectUnix(socket)));
  const netdevs = new Map<number, N>();
  const modem = new Modem('modem0', await driver(), {
    reopen: driver,
    linkPrefix: 'wwan0.',
    pipe: () => connectRecordPipe(sim.ready().modems[0]!.data),
    netdev: async (name, linkId) => {
      const n = o.netdev ? o.netdev(name) : (new MemoryNetdev(name) as unknown as N);
      netdevs.set(linkId, n);
      return n;
    },
    backoffMs: [20, 200],
    ...(o.backend ? { backend: o.backend(sim.ready().modems[0]!.data) } : {}),
    ...o.modem,
  });
  return {
    sim,
    modem,
    netdevs,
    async stop() {
      await modem.close();
      await sim.stop();
    },
  };
}

/** Waits until `cond` holds, or fails after `ms` naming `what` it waited for. */
export async function until(cond: () => boolean, ms = 8000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(what === 'condition' ? 'condition not met in time' : `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
