/**
 * DNS rebinding guard for the dashboard: a page from another site can make a browser send requests
 * to our port under its own host name. Such a request carries that name in Host (and in Origin for a
 * POST), so only the names this server really answers as are accepted: the address it is bound to
 * as an IP literal, loopback names when bound to loopback, any IP literal when bound to every
 * address. A name that DNS controls (other than localhost) is never one of them.
 */
import net from 'node:net';

const WILDCARD = new Set(['0.0.0.0', '::']);

const isLoopbackIp = (ip: string): boolean => (net.isIPv4(ip) ? ip.startsWith('127.') : ip === '::1' || /^::ffff:127\./i.test(ip));

/** `name`, `name:port`, `[v6]` or `[v6]:port` → the host (brackets removed, lowercase) and port (80 if absent). */
export function parseHostHeader(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? 80 : Number(m[3]);
  return port > 65535 ? undefined : { host: (m[1] ?? m[2]!).toLowerCase(), port };
}

export class HostCheck {
  constructor(
    private readonly bound: string,
    private readonly port: number,
  ) {}

  /** Whether a Host header value names this server. */
  host(value: string | undefined): boolean {
    const h = value === undefined ? undefined : parseHostHeader(value);
    if (!h || h.port !== this.port) return false;
    if (h.host === 'localhost') return isLoopbackIp(this.bound) || WILDCARD.has(this.bound);
    if (net.isIP(h.host) === 0) return false;
    if (WILDCARD.has(this.bound)) return true;
    if (isLoopbackIp(this.bound)) return isLoopbackIp(h.host);
    return h.host === this.bound;
  }

  /** Whether an Origin header (sent by browsers with a POST) is this server's own; absent is fine (not a browser). */
  origin(value: string | undefined): boolean {
    if (value === undefined) return true;
    const m = /^http:\/\/(.+)$/.exec(value);
    return m !== null && this.host(m[1]!);
  }
}
