/**
 * The small network behind the simulated modem. Every address answers ICMP/ICMPv6 echo and UDP echo
 * (port 7); the session's DNS addresses answer DNS. Anything else is dropped and counted by reason.
 * Replies are written into one buffer and handed out as views: no allocation per packet beyond them.
 */
import { dropCounts } from '../../mux/framing.js';
import type { Session } from '../firmware.js';
import { DNS_PORT, DnsZone, type DnsHost } from './dns.js';
import { writeEchoReply } from './icmp.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_UDP, IpHeader } from './ip.js';
import { addressAt, pdnAddresses, type PdnAddresses, type PdnFamilyAddresses } from './pdn-addresses.js';
import { finishUdpReply, udpReplyPayloadAt, UdpHeader } from './udp.js';

export const ECHO_PORT = 7;

export const NETWORK_DROP_REASONS = [
  /** Shorter than its headers or its length fields say. */
  'truncated',
  /** Neither IPv4 nor IPv6. */
  'bad-version',
  'bad-header-checksum',
  /** ICMP, ICMPv6 or UDP checksum wrong (or missing, for UDP over IPv6). */
  'bad-checksum',
  /** Fragments are not reassembled. */
  'fragment',
  /** TTL or hop limit 0. */
  'ttl-zero',
  /** IPv4 on a session without IPv4, or IPv6 without IPv6. */
  'family-not-on-session',
  /** A source address that is not the session's (a network drops spoofed packets). */
  'source-not-session',
  'multicast',
  /** Not ICMP, ICMPv6 or UDP (TCP, or an IPv6 extension header). */
  'unknown-protocol',
  /** ICMP other than echo request (replies, NDP, errors). */
  'not-echo-request',
  /** UDP to a port nothing listens on. */
  'no-udp-service',
  'malformed-dns',
] as const;
export type NetworkDropReason = (typeof NETWORK_DROP_REASONS)[number];

export interface NetworkAnswers {
  icmpEcho: number;
  icmpv6Echo: number;
  udpEcho: number;
  dns: number;
}

export interface SimNetworkOptions {
  /** Names the DNS stub knows, besides `gateway.sim` (DEFAULT_DNS_HOSTS when absent). */
  dnsHosts?: Readonly<Record<string, DnsHost>>;
}

/** Receives a reply: a view valid until the call returns. */
export type ReplySink = (packet: Uint8Array) => void;

/** The largest reply: an echo of the largest IPv6 packet. */
const MAX_REPLY = 40 + 0xffff;

export class SimNetwork {
  readonly drops = dropCounts(NETWORK_DROP_REASONS);
  readonly answers: NetworkAnswers = { icmpEcho: 0, icmpv6Echo: 0, udpEcho: 0, dns: 0 };
  private readonly zone: DnsZone;
  private readonly out = new Uint8Array(MAX_REPLY);
  private readonly ip = new IpHeader();
  private readonly udp = new UdpHeader();
  private readonly addresses = new WeakMap<Session, PdnAddresses>();

  constructor(options: SimNetworkOptions = {}) {
    this.zone = new DnsZone(options.dnsHosts);
  }

  /**
   * Answers one uplink IP packet of `session` (the sim's Responder): at most one reply, handed to
   * `reply`. Never throws on the packet's bytes.
   */
  readonly respond = (session: Session, packet: Uint8Array, reply: ReplySink): void => {
    let pdn = this.addresses.get(session);
    if (!pdn) this.addresses.set(session, (pdn = pdnAddresses(session)));
    const result = this.answer(packet, pdn);
    if (typeof result === 'string') this.drops[result]++;
    else reply(this.out.subarray(0, result));
  };

  private answer(packet: Uint8Array, pdn: PdnAddresses): number | NetworkDropReason {
    const ip = this.ip;
    const bad = ip.parse(packet);
    if (bad) return bad;
    const family = ip.version === 4 ? pdn.ipv4 : pdn.ipv6;
    if (!family) return 'family-not-on-session';
    if (!ip.sourceFrom(packet, family)) return 'source-not-session';
    if (ip.multicastDestination(packet)) return 'multicast';
    if (ip.protocol === (ip.version === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6)) {
      const length = writeEchoReply(this.out, packet, ip);
      if (typeof length === 'number') this.answers[ip.version === 4 ? 'icmpEcho' : 'icmpv6Echo']++;
      return length;
    }
    if (ip.protocol === IPPROTO_UDP) return this.answerUdp(packet, pdn, family);
    return 'unknown-protocol';
  }

  private answerUdp(packet: Uint8Array, pdn: PdnAddresses, family: PdnFamilyAddresses): number | NetworkDropReason {
    const { ip, udp, out } = this;
    const bad = udp.parse(packet, ip);
    if (bad) return bad;
    const at = udpReplyPayloadAt(ip);
    if (udp.destinationPort === ECHO_PORT) {
      out.set(packet.subarray(udp.payloadStart, udp.end), at);
      this.answers.udpEcho++;
      return finishUdpReply(out, packet, ip, udp, udp.end - udp.payloadStart);
    }
    if (udp.destinationPort === DNS_PORT && family.dns.some((d) => addressAt(packet, ip.destinationAt, d))) {
      const length = this.zone.writeResponse(out, at, packet, udp.payloadStart, udp.end, pdn);
      if (length === 'malformed') return 'malformed-dns';
      this.answers.dns++;
      return finishUdpReply(out, packet, ip, udp, length);
    }
    return 'no-udp-service';
  }
}
