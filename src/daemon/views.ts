/** The manager's objects as the API shows them (api.ts declares the shapes; the compiler holds these to them). */
import type { Bearer, Modem } from '../modem/modem.js';
import type { BearerView, LinkView, ModemInfo, ModemSummary } from './api.js';

/** A bearer as the API shows it: never the password. */
export function bearerView(b: Bearer): BearerView {
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

export function modemSummary(m: Modem): ModemSummary {
  return {
    id: m.id,
    state: m.state,
    protocol: m.driver.protocol,
    manufacturer: m.info?.identity.manufacturer,
    model: m.info?.identity.model,
    imei: m.info?.identity.imei,
    registration: m.info?.registration,
    signal: m.info?.signal,
    bearers: [...m.bearers.values()].map(bearerView),
  };
}

/** One modem in full; `port` and `driver` are its control port and kernel driver (from how it was added). */
export function modemInfo(m: Modem, spec: { port: string; kernel?: { driver: string } }): ModemInfo {
  return {
    ...modemSummary(m),
    port: spec.port,
    ...(spec.kernel ? { driver: spec.kernel.driver } : {}),
    revision: m.info?.identity.revision,
    hardwareRevision: m.info?.identity.hardwareRevision,
    sim: m.info?.sim,
    dataFormat: m.datapath?.format as Record<string, unknown> | undefined,
    dataDrops: m.datapath?.drops(),
    dataStats: m.links.stats(),
    // Each link's lower and upper device (and BAM-DMUX channel state), IP links and streams alike.
    links: [
      ...[...m.bearers.values()].flatMap((b) => (b.netdev ? [{ kind: 'ip' as const, linkId: b.linkId, ...m.links.topology(b.linkId, 'ip') }] : [])),
      ...[...m.streams.values()].map((l) => ({ kind: 'stream' as const, linkId: l.session, service: l.service, name: l.name, status: l.status, ...m.links.topology(l.session, 'stream') })),
    ],
  };
}

/** Every link of a modem that has a netdev. */
export function linkViews(modem: Modem): LinkView[] {
  return [...modem.bearers.values()]
    .filter((b) => b.netdev)
    .map((b) => ({
      modem: modem.id,
      name: b.netdev!.name,
      linkId: b.linkId,
      framing: modem.datapath?.format.framing ?? 'kernel',
      backend: b.netdev!.kind,
      bearer: b.id,
      status: b.status,
      addresses: [b.connected?.ipv4, b.connected?.ipv6].filter(Boolean).map((a) => `${a!.address}/${a!.prefix}`),
      counters: b.netdev!.counters,
      kind: 'ip' as const,
      ...modem.links.topology(b.linkId, 'ip'),
    }));
}
