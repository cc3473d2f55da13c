/** Which netdevs links get: TUN where this process may create them, else in memory (and say so). */
import type { NetdevFactory } from '../modem/manager.js';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { MemoryNetdev } from '../net/memory.js';
import { TunNetdev } from '../net/tun-netdev.js';

export interface NetdevChoice {
  factory: NetdevFactory;
  backend: 'memory' | 'tun';
  /** For people: which backend and why. */
  note: string;
  /** TUN links' packets move on a thread of their own (the daemon's default with TUN). */
  datapathThread: boolean;
}

/** Why TUN cannot be used here, or null if it can. */
export function tunUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return 'no /dev/net/tun';
  }
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'no ip command (iproute2)';
  return null;
}

/** `thread`: with TUN links, move their packets on a datapath thread (false: on the main thread, with control). */
export async function chooseNetdevs(wanted: string | undefined, thread = true): Promise<NetdevChoice> {
  if (wanted !== undefined && wanted !== 'memory' && wanted !== 'tun') throw new Error(`unknown netdev backend '${wanted}': memory or tun`);
  const why = wanted === 'memory' ? 'memory was asked for (or no ping to test TUN links with)' : tunUnavailable();
  if (why === null) {
    return { factory: async (_modem, name) => new TunNetdev(name), backend: 'tun', datapathThread: thread, note: `links are TUN devices (userspace datapath, on ${thread ? 'a thread of its own' : 'the main thread'})` };
  }
  if (wanted === 'tun') throw new Error(`TUN devices are not available: ${why}`);
  return { factory: async (_modem, name) => new MemoryNetdev(name), backend: 'memory', datapathThread: false, note: `links use the in-memory datapath (no TUN devices: ${why})` };
}
