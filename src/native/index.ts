/**
 * Loads our small N-API addon (native/wwan_native.c): the checkout's own build (build/Release, made at
 * `npm ci`) or, in an installed package, the binary prebuilt for this platform (prebuilds/). Only
 * pseudo-terminals, TUN devices, abstract unix sockets, QRTR and packet sockets need it; it is loaded on first use, so everything
 * else works where no binary could be had.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeAddon {
  /** A raw-mode pseudo-terminal pair; the caller owns both fds. */
  openPty(): { master: number; slave: number; path: string };
  /**
   * Opens /dev/net/tun (close-on-exec) and attaches it to interface `name` with TUNSETIFF and these
   * `ifr_flags`; a name template such as `wwan%d` lets the kernel number it. The caller owns the fd.
   */
  tunOpen(name: string, flags: number): { fd: number; name: string };
  /** TUNSETOFFLOAD: the TUN_F_* offloads this reader takes (the fd was opened with IFF_VNET_HDR). Throws on EINVAL. */
  tunSetOffload(fd: number, flags: number): void;
  /**
   * Calls `callback` on the event loop while `fd` is readable (level-triggered; a negative status is
   * a libuv error) until `unwatch`. The fd becomes non-blocking. Node has no readiness API for a
   * character device such as a TUN.
   */
  watchReadable(fd: number, callback: (status: number, events: number) => void): ReadableWatch;
  /**
   * Also calls back while the fd is writable (`on`), or no longer: for a writer the device told
   * EAGAIN. `events` in the callback has POLL_READABLE and/or POLL_WRITABLE set.
   */
  watchWritable(watch: ReadableWatch, on: boolean): void;
  /** Stops a watch; call it once, before closing the fd. */
  unwatch(watch: ReadableWatch): void;
  /**
   * A listening (or connected) unix stream socket on abstract `name` (no leading NUL), bound with
   * the exact name length as libqmi and libmbim use; Node pads the name to 108 bytes instead.
   */
  abstractListen(name: string): number;
  abstractConnect(name: string): number;
  /**
   * An AF_QIPCRTR datagram socket (non-blocking, close-on-exec) bound to a fresh port on the local
   * node. Throws an Error with `errno` (EAFNOSUPPORT without the kernel's qrtr module).
   */
  qrtrOpen(): { fd: number; node: number; port: number };
  /** sendto {node, port}; -1 when the socket's queue is full (nothing sent). Throws an Error with `errno`. */
  qrtrSend(fd: number, node: number, port: number, bytes: Uint8Array): number;
  /** recvfrom: the next datagram and its sender, or null when none is queued. */
  qrtrRecv(fd: number): { node: number; port: number; data: Buffer } | null;
  /**
   * An AF_PACKET datagram socket (non-blocking, close-on-exec) bound to interface `ifname`, receiving
   * every protocol there. Throws an Error with `errno` (ENODEV: no such interface; EPERM: not root).
   */
  packetOpen(ifname: string): { fd: number; ifindex: number };
  /** One datagram with this ethertype to the broadcast address: its length, or -errno (nothing thrown). */
  packetSend(fd: number, ifindex: number, ethertype: number, bytes: Uint8Array): number;
  /** The next datagram received on the interface (what this host sent skipped), or null. Throws with `errno`. */
  packetRecv(fd: number): Buffer | null;
}

/** libuv's uv_poll_event bits, as a watch's callback gets them. */
export const POLL_READABLE = 1;
export const POLL_WRITABLE = 2;

/** An opaque libuv poll handle. */
export type ReadableWatch = { readonly __brand: 'ReadableWatch' };

/** Every function this source calls, checked on load (the compiler keeps the list complete). */
const ADDON_FUNCTIONS = Object.keys({
  openPty: 1, tunOpen: 1, tunSetOffload: 1, watchReadable: 1, watchWritable: 1, unwatch: 1, abstractListen: 1, abstractConnect: 1,
  qrtrOpen: 1, qrtrSend: 1, qrtrRecv: 1, packetOpen: 1, packetSend: 1, packetRecv: 1,
} satisfies Record<keyof NativeAddon, 1>);

/**
 * The addon as loaded, refused when it lacks a function this source calls: a binary built from an
 * older native/ (a checkout whose build/ was not remade after native/ changed) would otherwise fail
 * quietly where the C side changed beside a new function (a cdc-wdm watch whose callback never said
 * "readable", so the modem's answers were never read).
 */
export function checkAddon(loaded: Partial<NativeAddon>, where: string): NativeAddon {
  const missing = ADDON_FUNCTIONS.filter((f) => typeof loaded[f as keyof NativeAddon] !== 'function');
  if (missing.length === 0) return loaded as NativeAddon;
  throw new Error(
    `wwankit's native addon (${where}) is older than this code: it has no ${missing.join(', ')}. Rebuild it: ` +
      '`npm rebuild wwankit` (in a checkout: `npm ci`, or `node scripts/install-native.cjs` with npm_config_node_gyp set).',
  );
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const require = createRequire(import.meta.url);
    const gypBuild = require('node-gyp-build') as ((root: string) => NativeAddon) & { path(root: string): string };
    const root = fileURLToPath(new URL('../..', import.meta.url));
    let loaded: NativeAddon;
    try {
      loaded = gypBuild(root);
    } catch (e) {
      throw new Error(
        `wwankit's native addon is not available for ${process.platform}-${process.arch}; it is needed for ` +
          'pseudo-terminals (the simulated modem\'s serial ports), TUN devices and abstract unix sockets, and nothing ' +
          'else. Install a C compiler and run `npm rebuild wwankit` (in a checkout: `npm ci`). ' +
          `(${(e as Error).message.split('\n')[0]})`,
      );
    }
    addon = checkAddon(loaded, gypBuild.path(root));
  }
  return addon;
}
