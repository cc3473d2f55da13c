/**
 * Which notifications an MBIM function sends. A Device Service Subscribe List set replaces the whole
 * list, so a host with several users (the daemon's own notifications, QMI over MBIM) must merge their
 * wishes into one, as mbim-proxy does: the standard services' notifications (the ones a function sends
 * by default) always, plus what each user of another service asked for.
 */
import { basicConnect } from './services/basic-connect.js';
import { sms } from './services/sms.js';

/** One entry of the list: a service and its CIDs (none listed: all of them). */
export interface Subscription {
  deviceServiceId: string;
  cids: number[];
}

const bc = basicConnect.cids;

/** The standard services' notifications, as libmbim's proxy keeps them on for every client. */
export const STANDARD_SUBSCRIPTIONS: readonly Subscription[] = [
  {
    deviceServiceId: basicConnect.uuid,
    cids: [bc.subscriberReadyStatus, bc.radioState, bc.preferredProviders, bc.registerState, bc.packetService, bc.signalState, bc.connect, bc.provisionedContexts, bc.ipConfiguration, bc.emergencyMode, bc.multicarrierProviders].map((c) => c.id),
  },
  { deviceServiceId: sms.uuid, cids: [sms.cids.configuration, sms.cids.read, sms.cids.messageStoreStatus].map((c) => c.id) },
  // USSD, Phonebook Configuration and STK PAC (services wwankit does not declare: MBIM 1.0's UUIDs).
  { deviceServiceId: 'e550a0c8-5e82-479e-82f7-10abf4c3351f', cids: [1] },
  { deviceServiceId: '4bf38476-1e6a-41db-b1d8-bed289c25bdb', cids: [1] },
  { deviceServiceId: 'd8f20131-fcb5-4e17-8602-d6ed3816164c', cids: [1] },
];

const STANDARD = new Set(STANDARD_SUBSCRIPTIONS.map((s) => s.deviceServiceId));

/** The notifications a host's users asked for on top of the standard ones. */
export class Subscriptions {
  /** Per service: the CIDs asked for, or null for all of them. */
  private readonly extra = new Map<string, Set<number> | null>();

  /** Adds `cids` of `service` (none: all); false when nothing changes (a standard service's, or asked for already). */
  add(service: string, cids: readonly number[]): boolean {
    const id = service.toLowerCase();
    if (STANDARD.has(id)) return false;
    const had = this.extra.get(id);
    if (had === null) return false;
    if (cids.length === 0) {
      this.extra.set(id, null);
      return true;
    }
    const set = had ?? new Set<number>();
    const before = set.size;
    for (const c of cids) set.add(c);
    this.extra.set(id, set);
    return had === undefined || set.size !== before;
  }

  /** Whether anyone asked for more than the standard notifications. */
  get any(): boolean {
    return this.extra.size > 0;
  }

  /** The list to set: the standard notifications, then each service asked for. */
  list(): Subscription[] {
    return [...STANDARD_SUBSCRIPTIONS.map((s) => ({ ...s, cids: [...s.cids] })), ...[...this.extra].map(([deviceServiceId, cids]) => ({ deviceServiceId, cids: cids ? [...cids].sort((a, b) => a - b) : [] }))];
  }
}
