/**
 * Questions over the simulator's control socket, beside faults: `{"query":"modems"}` (what a daemon
 * managing this simulator from another process needs: ports and data pipes), `{"query":"clients"}`
 * (what a leak check needs: client ids per QMI service, MBIM connections open, PDN sessions up) and
 * `{"query":"usb"}` (the USB gadgets' control counters, for a stuck cdc-wdm).
 */
import { findService } from '../qmi/registry.js';
import type { SimModem } from './modem.js';
import type { SimProfile } from './profiles.js';

export interface SimModemEntry {
  id: string;
  profile: string;
  control: 'qmi' | 'mbim';
  data: SimProfile['data'];
  ports: SimModem['ports'];
  dataPipe: string;
}

export interface SimClientsEntry {
  id: string;
  /** QMI client ids allocated, by service name (MBIM modems: those of QMI over MBIM). */
  qmiClients: Record<string, number[]>;
  /** MBIM modems: host connections that have the function open. */
  mbimOpen?: number;
  sessions: { handle: number; apn: string; linkId: number; family: string }[];
}

/** A USB gadget's counters: what cdc-wdm fetched, what was announced, what went back (see usb/). */
export interface SimUsbEntry {
  description: string;
  stats: Record<string, number>;
}

export const QUERIES = ['modems', 'clients', 'usb'] as const;
export type SimQuery = (typeof QUERIES)[number];

export function answerUsbQuery(gadgets: readonly SimUsbEntry[]): { ok: true; usb: SimUsbEntry[] } {
  return { ok: true, usb: gadgets.map((g) => ({ description: g.description, stats: g.stats })) };
}

export function answerQuery(modems: readonly SimModem[], query: Exclude<SimQuery, 'usb'>): { ok: true; modems: SimModemEntry[] | SimClientsEntry[] } {
  if (query === 'modems') {
    return { ok: true, modems: modems.map((m) => ({ id: m.id, profile: m.profile.name, control: m.profile.control, data: m.profile.data, ports: m.ports, dataPipe: m.data.path })) };
  }
  return {
    ok: true,
    modems: modems.map((m) => ({
      id: m.id,
      qmiClients: Object.fromEntries([...m.endpoint.allocated()].map(([service, cids]) => [findService(service)?.name ?? String(service), cids])),
      ...(m.mbim ? { mbimOpen: m.mbim.openConnections } : {}),
      sessions: [...m.firmware.sessions.values()].map((s) => ({ handle: s.handle, apn: s.apn, linkId: s.linkId, family: s.family })),
    })),
  };
}
