/**
 * The TUN bridge: instead of the built-in responder, PDN traffic goes into a TUN device inside a
 * network namespace, so real servers there (iperf3 -s, nginx) answer the host. The namespace side
 * holds each session's gateway and DNS addresses, and the connected routes through the TUN back to
 * the sessions' addresses. Packets the kernel sends out of the TUN go down to the session whose
 * address (IPv4) or prefix (IPv6) they are for.
 */
import { dropCounts, packetType } from '../../mux/framing.js';
import { checkNetnsName, deleteNetns, ensureNetns, ip } from '../../net/iproute.js';
import { TunDevice } from '../../net/tun.js';
import { TUN_TX_QUEUE } from '../../net/tun-netdev.js';
import type { PartialChecksum } from '../../wire/checksum.js';
import type { Session } from '../firmware.js';
import { addressAt, inPrefix, pdnAddresses, type PdnAddresses } from './pdn-addresses.js';

export const TUN_BRIDGE_DROP_REASONS = [
  /** From the namespace, for no session's address (also the kernel's own multicast: RS, MLD). */
  'no-session',
  /** From the namespace, not an IPv4 or IPv6 packet or shorter than its header. */
  'not-ip',
  /** Toward the namespace, refused by the TUN (EIO while it is down). */
  'write-failed',
] as const;
export type TunBridgeDropReason = (typeof TUN_BRIDGE_DROP_REASONS)[number];

export interface TunBridgeOptions {
  /** The network namespace; created if absent, and then deleted on close. */
  netns: string;
  /** A packet from the namespace for `session`: a view valid until this returns. */
  downlink: (session: Session, packet: Uint8Array) => void;
  /** Reading the TUN failed (its namespace was deleted under it, say); the bridge is closed. */
  onError: (error: Error) => void;
  /** The TUN's MTU; 1500 by default, as the firmware's. */
  mtu?: number;
  /** The TUN's name or a `%d` template; `wwansim%d` by default. */
  name?: string;
}

interface Route {
  session: Session;
  pdn: PdnAddresses;
  /** `ip addr` arguments this session holds on the TUN. */
  addresses: string[];
}

/** Header lengths: the IPv4 destination is at 16, the IPv6 one at 24. */
const IPV4_MIN = 20;
const IPV6_MIN = 40;

export class TunBridge {
  readonly drops = dropCounts(TUN_BRIDGE_DROP_REASONS);
  private readonly routes: Route[] = [];
  /** Sessions share the DNS addresses (and could share a gateway): each address counts its holders. */
  private readonly holders = new Map<string, number>();
  /** `ip` changes run one after another so adds and deletes of shared addresses stay in order. */
  private changes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: TunBridgeOptions,
    private readonly tun: TunDevice,
    private readonly createdNetns: boolean,
  ) {}

  /** Stops (on) or resumes reading the namespace's packets: the host's pipe is full (TunDevice.hold). */
  hold(on: boolean): void {
    this.tun.hold(on);
  }

  /** Creates the namespace if needed and a TUN in it, up with the MTU, no addresses yet. */
  static async open(options: TunBridgeOptions): Promise<TunBridge> {
    checkNetnsName(options.netns);
    const created = await ensureNetns(options.netns);
    let bridge: TunBridge | undefined;
    try {
      // Nothing is read before the bridge exists: reads wait for the event loop.
      const tun = TunDevice.open({ name: options.name ?? 'wwansim%d' }, { packet: (p) => bridge!.fromNamespace(p), error: (e) => bridge!.failed(e), dropped: (n) => void (bridge!.drops['write-failed'] += n) });
      bridge = new TunBridge(options, tun, created);
      await tun.moveToNetns(options.netns);
      // The queue a held TUN needs (TunNetdev's reason): the bridge holds it while the host's pipe is full.
      await ip(['link', 'set', 'dev', tun.name, 'mtu', String(options.mtu ?? 1500), 'txqueuelen', String(TUN_TX_QUEUE), 'up'], options.netns);
      return bridge;
    } catch (e) {
      if (bridge) await bridge.close();
      else if (created) await deleteNetns(options.netns);
      throw e;
    }
  }

  get netns(): string {
    return this.options.netns;
  }

  /** The TUN's name inside the namespace. */
  get interfaceName(): string {
    return this.tun.name;
  }

  /** Routes a session's traffic: its gateway and DNS addresses appear on the TUN. */
  addSession(session: Session): Promise<void> {
    const pdn = pdnAddresses(session);
    const addresses: string[] = [];
    for (const [family, host] of [['ipv4', 32], ['ipv6', 128]] as const) {
      const s = session[family];
      if (!s) continue;
      addresses.push(`${s.gateway}/${s.prefix}`, ...s.dns.map((d) => `${d}/${host}`));
    }
    this.routes.push({ session, pdn, addresses });
    return this.change(addresses, 'add');
  }

  /** Stops routing a session; addresses no other session holds leave the TUN. */
  removeSession(session: Session): Promise<void> {
    const i = this.routes.findIndex((r) => r.session === session);
    if (i < 0) return this.changes;
    const [route] = this.routes.splice(i, 1);
    return this.change(route!.addresses, 'del');
  }

  /** One uplink packet of a session into the namespace; it fits the sim's Responder (replies come via `downlink`). */
  readonly uplink = (_session: Session, packet: Uint8Array, partial?: PartialChecksum): void => {
    if (this.tun.closed) return;
    try {
      this.tun.write(packet, partial);
    } catch {
      this.drops['write-failed']++;
    }
  };

  /** Deletes the TUN, and the namespace if the bridge created it. */
  async close(): Promise<void> {
    await this.changes;
    this.tun.close();
    this.routes.length = 0;
    this.holders.clear();
    if (this.createdNetns) await deleteNetns(this.options.netns);
  }

  private change(addresses: readonly string[], verb: 'add' | 'del'): Promise<void> {
    const run = async (): Promise<void> => {
      for (const address of addresses) {
        const held = this.holders.get(address) ?? 0;
        // The first holder adds, the last one deletes; nodad: nothing else is on this link.
        if (verb === 'add' ? held === 0 : held === 1) {
          await ip(['address', verb, address, 'dev', this.tun.name, ...(verb === 'add' && address.includes(':') ? ['nodad'] : [])], this.options.netns);
        }
        const now = held + (verb === 'add' ? 1 : -1);
        if (now > 0) this.holders.set(address, now);
        else this.holders.delete(address);
      }
    };
    const next = this.changes.then(run);
    this.changes = next.catch(() => undefined);
    return next;
  }

  private fromNamespace(packet: Uint8Array): void {
    const type = packetType(packet[0]);
    if (packet.length < (type === 'ipv4' ? IPV4_MIN : type === 'ipv6' ? IPV6_MIN : Infinity)) {
      this.drops['not-ip']++;
      return;
    }
    for (const route of this.routes) {
      const { ipv4, ipv6 } = route.pdn;
      if (type === 'ipv4' ? ipv4 && addressAt(packet, 16, ipv4.address) : ipv6 && inPrefix(packet, 24, ipv6.address, ipv6.prefixLength)) {
        this.options.downlink(route.session, packet);
        return;
      }
    }
    this.drops['no-session']++;
  }

  private failed(error: Error): void {
    this.routes.length = 0;
    this.options.onError(error);
  }
}
