/**
 * The daemon's local API: JSON, one object per line, over a unix socket.
 *   request  {"id": 1, "method": "connect", "params": {...}}
 *   answer   {"id": 1, "result": ...}  or  {"id": 1, "error": {"code": "config", "message": "..."}}
 *   event    {"event": "bearer", "modem": "sim0", ...}   (after a "subscribe" request)
 */
import type { Bearer } from '../modem/modem.js';
import type { Modem } from '../modem/modem.js';
import { SMS_METHODS } from './sms.js';
import { DSS_METHODS } from './dss.js';

export const METHODS = ['status', 'list', 'info', 'connect', 'disconnect', 'links', 'subscribe', 'trace', 'addSim', 'remove', 'unlock', 'reload', 'profiles', ...SMS_METHODS, ...DSS_METHODS] as const;
/** The daemon's API methods. */
export type Method = (typeof METHODS)[number];

export interface Request {
  id: number;
  method: Method;
  params?: Record<string, unknown>;
}

/** The error codes of the daemon's answers. */
export type ErrorCode = 'config' | 'connect' | 'not-found' | 'bad-request' | 'internal';

/** The error part of a daemon answer. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** The longest request line the daemon reads; a longer one closes the connection. */
export const MAX_LINE = 1 << 20;

/** A bearer as the API shows it: never the password. */
export function bearerView(b: Bearer): Record<string, unknown> {
  const { password: _secret, ...request } = b.request;
  return {
    id: b.id,
    status: b.status,
    linkId: b.linkId,
    interface: b.netdev?.name,
    apn: b.connected?.apn,
    request,
    ipv4: b.connected?.ipv4,
    ipv6: b.connected?.ipv6,
    reconnects: b.reconnects,
    ...(b.error ? { error: b.error } : {}),
  };
}

export function modemSummary(m: Modem): Record<string, unknown> {
  return {
    id: m.id,
    state: m.state,
    protocol: m.driver.protocol,
    manufacturer: m.info?.identity.manufacturer,
    model: m.info?.identity.model,
    imei: m.info?.identity.imei,
    registration: m.info?.registration,
    signal: m.info?.signal,
    bearers: m.bearers.size,
  };
}

export function modemInfo(m: Modem): Record<string, unknown> {
  return {
    ...modemSummary(m),
    revision: m.info?.identity.revision,
    sim: m.info?.sim,
    dataFormat: m.datapath?.format,
    dataDrops: m.datapath?.drops(),
    bearers: [...m.bearers.values()].map(bearerView),
    // Each link's lower and upper device (and BAM-DMUX channel state), IP links and streams alike.
    links: [
      ...[...m.bearers.values()].flatMap((b) => (b.netdev ? [{ kind: 'ip', linkId: b.linkId, ...m.links.topology(b.linkId, 'ip') }] : [])),
      ...[...m.streams.values()].map((l) => ({ kind: 'stream', linkId: l.session, service: l.service, name: l.name, status: l.status, ...m.links.topology(l.session, 'stream') })),
    ],
  };
}
