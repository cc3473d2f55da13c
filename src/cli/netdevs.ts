/** Which netdevs links get: TUN where this process may create them, else in memory (and say so). */
import type { NetdevFactory } from '../modem/manager.js';
import { MemoryNetdev } from '../net/memory.js';

export interface NetdevChoice {
  factory: NetdevFactory;
  backend: 'memory' | 'tun';
  /** For people: which backend and why. */
  note: string;
}

export async function chooseNetdevs(wanted: string | undefined): Promise<NetdevChoice> {
  if (wanted !== undefined && wanted !== 'memory') throw new Error(`netdev backend '${wanted}' is not available in this build; use memory`);
  return { factory: async (_modem, name) => new MemoryNetdev(name), backend: 'memory', note: 'links use the in-memory datapath (no TUN devices)' };
}
