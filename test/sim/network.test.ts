/** The network behind the simulated modem: exact replies, and every drop counted with its reason. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ModemFirmware, type Session } from '../../src/sim/firmware.js';
import { SimNetwork, type NetworkDropReason } from '../../src/sim/network/index.js';
import { LINKTYPE_RAW, PcapWriter } from '../../src/trace/pcap.js';
import { toHex } from '../../src/wire/hex.js';
import { itWithTools } from '../support/tools.js';
import { TYPE_A, TYPE_AAAA, dnsQuery, dnsResponse, echoBody, icmpPacket, ipPacket, packetChecksumsValid, udpPacket, withIpv4HeaderChecksum } from '../net/packets.js';

const firmware = new ModemFirmware({ seed: 7 });
const dual = firmware.startSession({ apn: 'internet', family: 'ipv4v6' });
const v6only = firmware.startSession({ apn: 'ims', family: 'ipv6' });
const HOST4 = dual.ipv4!.address;
const HOST6 = dual.ipv6!.address;
const DNS4 = dual.ipv4!.dns[0];
const DNS6 = dual.ipv6!.dns[1];
const data = Uint8Array.from('wwankit!', (c) => c.charCodeAt(0));

let network: SimNetwork;
beforeEach(() => {
  network = new SimNetwork();
});

/** Every reply (copied) to one packet. */
function send(packet: Uint8Array, session: Session = dual): Uint8Array[] {
  const replies: Uint8Array[] = [];
  network.respond(session, packet, (r) => replies.push(r.slice()));
  return replies;
}

function expectReply(packet: Uint8Array, expected: Uint8Array, session?: Session): void {
  const replies = send(packet, session);
  expect(replies.map((r) => toHex(r))).toEqual([toHex(expected)]);
  expect(packetChecksumsValid(replies[0]!)).toBe(true);
}

function expectDrop(packet: Uint8Array, reason: NetworkDropReason, session?: Session): void {
  expect(send(packet, session)).toEqual([]);
  expect(Object.entries(network.drops).filter(([, n]) => n > 0)).toEqual([[reason, 1]]);
}

describe('echo', () => {
  it('answers an ICMP echo to the gateway and to any other address, from the address pinged', () => {
    for (const dst of [dual.ipv4!.gateway, '192.0.2.200', '10.99.1.1']) {
      expectReply(
        icmpPacket({ src: HOST4, dst, id: 0x4d2, flagsFragment: 0 }, 8, 0, echoBody(0x1234, 7, data)),
        icmpPacket({ src: dst, dst: HOST4 }, 0, 0, echoBody(0x1234, 7, data)),
      );
    }
    expect(network.answers.icmpEcho).toBe(3);
  });

  it('answers an ICMPv6 echo with the checksum over the IPv6 pseudo-header', () => {
    for (const dst of [dual.ipv6!.gateway, '2001:db8:ffff::1']) {
      expectReply(icmpPacket({ src: HOST6, dst, ttl: 1 }, 128, 0, echoBody(1, 2, data)), icmpPacket({ src: dst, dst: HOST6 }, 129, 0, echoBody(1, 2, data)));
    }
    // From the host's link-local address too.
    expectReply(icmpPacket({ src: 'fe80::2', dst: 'fe80::1' }, 128, 0, echoBody(9, 9, new Uint8Array())), icmpPacket({ src: 'fe80::1', dst: 'fe80::2' }, 129, 0, echoBody(9, 9, new Uint8Array())));
    expect(network.answers.icmpv6Echo).toBe(3);
  });

  it('answers an odd-length ping, one carrying IPv4 options, and one followed by link padding', () => {
    const odd = Uint8Array.of(1, 2, 3);
    expectReply(icmpPacket({ src: HOST4, dst: '10.64.0.1' }, 8, 0, echoBody(1, 1, odd)), icmpPacket({ src: '10.64.0.1', dst: HOST4 }, 0, 0, echoBody(1, 1, odd)));
    const plain = icmpPacket({ src: HOST4, dst: '10.64.0.1' }, 8, 0, echoBody(5, 6, data));
    // IHL 6 with a 4-byte NOP/EOL option; the reply carries no options.
    const withOptions = withIpv4HeaderChecksum(Uint8Array.from([0x46, 0, 0, plain.length + 4, ...plain.subarray(4, 20), 1, 1, 1, 0, ...plain.subarray(20)]));
    const reply = icmpPacket({ src: '10.64.0.1', dst: HOST4 }, 0, 0, echoBody(5, 6, data));
    expectReply(withOptions, reply);
    expectReply(Uint8Array.from([...plain, 0, 0, 0]), reply);
  });

  it('echoes UDP on port 7 with ports swapped, over IPv4 and IPv6', () => {
    expectReply(udpPacket({ src: HOST4, dst: '203.0.113.9' }, 40000, 7, data), udpPacket({ src: '203.0.113.9', dst: HOST4 }, 7, 40000, data));
    expectReply(udpPacket({ src: HOST6, dst: '2001:db8:ec::7' }, 40001, 7, data), udpPacket({ src: '2001:db8:ec::7', dst: HOST6 }, 7, 40001, data));
    // No checksum is allowed over IPv4; the reply has one.
    expectReply(udpPacket({ src: HOST4, dst: '10.64.0.1' }, 5, 7, new Uint8Array(), 'none'), udpPacket({ src: '10.64.0.1', dst: HOST4 }, 7, 5, new Uint8Array()));
    expect(network.answers.udpEcho).toBe(3);
  });

  it('sends a computed zero UDP checksum as 0xffff', () => {
    // Chosen so the reply's checksum computes to zero: the payload cancels the rest of the sum.
    const probe = send(udpPacket({ src: HOST4, dst: '10.64.0.1' }, 1000, 7, Uint8Array.of(0, 0)))[0]!;
    const current = (probe[26]! << 8) | probe[27]!;
    const payload = Uint8Array.of(current >> 8, current & 0xff);
    const [reply] = send(udpPacket({ src: HOST4, dst: '10.64.0.1' }, 1000, 7, payload));
    expect(toHex(reply!.subarray(26, 28))).toBe('ff ff');
    expect(packetChecksumsValid(reply!)).toBe(true);
  });
});

describe('DNS stub', () => {
  const ask = (name: string, type: number, dst = DNS4, src = HOST4, id = 0xbeef) => udpPacket({ src, dst }, 53000, 53, dnsQuery(id, name, type));
  const answer = (query: Uint8Array, dst: string, src: string, rcode: number, type: number, addresses: string[]) =>
    udpPacket({ src, dst }, 53, 53000, dnsResponse({ id: 0xbeef, query, rcode, type, addresses }));

  it('answers A and AAAA for configured names, at either DNS address, in any letter case', () => {
    const q = dnsQuery(0xbeef, 'WWANkit.TEST', TYPE_A);
    expectReply(ask('WWANkit.TEST', TYPE_A), answer(q, HOST4, DNS4, 0, TYPE_A, ['198.51.100.1', '198.51.100.2']));
    const q6 = dnsQuery(0xbeef, 'echo.sim', TYPE_AAAA);
    expectReply(ask('echo.sim', TYPE_AAAA, DNS6, HOST6), answer(q6, HOST6, DNS6, 0, TYPE_AAAA, ['2001:db8:ec::7']));
    // AAAA over IPv4 transport is fine too.
    expectReply(ask('echo.sim', TYPE_AAAA, dual.ipv4!.dns[1]), answer(q6, HOST4, dual.ipv4!.dns[1], 0, TYPE_AAAA, ['2001:db8:ec::7']));
    expect(network.answers.dns).toBe(3);
  });

  it('resolves gateway.sim to the asking session’s gateway, and nothing for a family it lacks', () => {
    expectReply(ask('gateway.sim', TYPE_A), answer(dnsQuery(0xbeef, 'gateway.sim', TYPE_A), HOST4, DNS4, 0, TYPE_A, [dual.ipv4!.gateway]));
    const v6 = v6only.ipv6!;
    expectReply(ask('gateway.sim', TYPE_AAAA, v6.dns[0], v6.address), answer(dnsQuery(0xbeef, 'gateway.sim', TYPE_AAAA), v6.address, v6.dns[0], 0, TYPE_AAAA, [v6.gateway]), v6only);
    const q = dnsQuery(0xbeef, 'gateway.sim', TYPE_A);
    expectReply(udpPacket({ src: v6.address, dst: v6.dns[0] }, 53000, 53, q), answer(q, v6.address, v6.dns[0], 0, TYPE_A, []), v6only);
  });

  it('says NXDOMAIN for unknown names, NODATA for other types and classes, NOTIMP for other opcodes', () => {
    expectReply(ask('nowhere.sim', TYPE_A), answer(dnsQuery(0xbeef, 'nowhere.sim', TYPE_A), HOST4, DNS4, 3, TYPE_A, []));
    expectReply(ask('echo.sim', 15), answer(dnsQuery(0xbeef, 'echo.sim', 15), HOST4, DNS4, 0, 15, []));
    const chaos = dnsQuery(0xbeef, 'echo.sim', TYPE_A, 3);
    expectReply(udpPacket({ src: HOST4, dst: DNS4 }, 53000, 53, chaos), answer(chaos, HOST4, DNS4, 0, TYPE_A, []));
    const status = dnsQuery(0xbeef, 'echo.sim', TYPE_A);
    status[2] = 0x10; // opcode 2 (STATUS), no RD
    const expected = dnsResponse({ id: 0xbeef, query: status, rcode: 4, type: TYPE_A, addresses: [] });
    expected[2] = 0x94; // QR, opcode 2, AA
    expectReply(udpPacket({ src: HOST4, dst: DNS4 }, 53000, 53, status), udpPacket({ src: DNS4, dst: HOST4 }, 53, 53000, expected));
  });

  it('drops malformed queries and counts them', () => {
    const good = dnsQuery(1, 'echo.sim', TYPE_A);
    const response = good.slice();
    response[2] = 0x81; // QR set: a response, not a query
    const twoQuestions = good.slice();
    twoQuestions[5] = 2;
    const pointer = Uint8Array.from([...good.subarray(0, 12), 0xc0, 0x0c, 0, 1, 0, 1]);
    const longLabel = dnsQuery(1, 'a'.repeat(64), TYPE_A);
    const longName = dnsQuery(1, Array.from({ length: 8 }, () => 'b'.repeat(40)).join('.'), TYPE_A);
    const malformed = [good.subarray(0, 11), good.subarray(0, good.length - 1), response, twoQuestions, pointer, longLabel, longName, good.subarray(0, 20)];
    for (const q of malformed) expect(send(udpPacket({ src: HOST4, dst: DNS4 }, 1, 53, q))).toEqual([]);
    expect(network.drops['malformed-dns']).toBe(malformed.length);
    expect(network.answers.dns).toBe(0);
  });

  it('answers DNS only at the session’s DNS addresses', () => {
    expectDrop(ask('echo.sim', TYPE_A, '10.64.0.1'), 'no-udp-service');
  });
});

describe('drops', () => {
  const ping = (fields: Partial<Parameters<typeof icmpPacket>[0]> = {}) => icmpPacket({ src: HOST4, dst: '10.64.0.1', ...fields }, 8, 0, echoBody(1, 1, data));
  const cases: [string, () => Uint8Array, NetworkDropReason, Session?][] = [
    ['an empty packet', () => new Uint8Array(), 'truncated'],
    ['half an IPv4 header', () => ping().subarray(0, 12), 'truncated'],
    ['a total length past the end', () => ping().subarray(0, 30), 'truncated'],
    ['an IHL under 5', () => corruptV4(ping(), 0, 0x44), 'truncated'],
    ['half an IPv6 header', () => icmpPacket({ src: HOST6, dst: '2001:db8::1' }, 128, 0, echoBody(1, 1, data)).subarray(0, 39), 'truncated'],
    ['an IPv6 jumbogram', () => Uint8Array.from([0x60, 0, 0, 0, 0, 0, 58, 64, ...new Uint8Array(32)]), 'truncated'],
    ['an ICMP echo shorter than its header', () => ipPacket({ src: HOST4, dst: '10.64.0.1', protocol: 1 }, Uint8Array.of(8, 0, 0xf7, 0xff)), 'truncated'],
    ['a UDP length past the IP payload', () => corruptUdpLength(udpPacket({ src: HOST4, dst: '10.64.0.1' }, 1, 7, data), 40), 'truncated'],
    ['a UDP length under 8', () => corruptUdpLength(udpPacket({ src: HOST4, dst: '10.64.0.1' }, 1, 7, data), 7), 'truncated'],
    ['IP version 5', () => corruptV4(ping(), 0, 0x55), 'bad-version'],
    ['a bad IPv4 header checksum', () => { const p = ping(); p[11]! ^= 1; return p; }, 'bad-header-checksum'],
    ['a bad ICMP checksum', () => { const p = ping(); p[p.length - 1]! ^= 1; return p; }, 'bad-checksum'],
    ['a bad ICMPv6 checksum', () => { const p = icmpPacket({ src: HOST6, dst: '2001:db8::1' }, 128, 0, echoBody(1, 1, data)); p[42]! ^= 1; return p; }, 'bad-checksum'],
    ['a bad UDP checksum', () => { const p = udpPacket({ src: HOST4, dst: '10.64.0.1' }, 1, 7, data); p[p.length - 1]! ^= 1; return p; }, 'bad-checksum'],
    ['UDP over IPv6 without a checksum', () => udpPacket({ src: HOST6, dst: '2001:db8::1' }, 1, 7, data, 'none'), 'bad-checksum'],
    ['an IPv4 first fragment', () => ping({ flagsFragment: 0x2000 }), 'fragment'],
    ['an IPv4 later fragment', () => ping({ flagsFragment: 0x0010 }), 'fragment'],
    ['an IPv6 fragment header', () => ipPacket({ src: HOST6, dst: '2001:db8::1', protocol: 44 }, Uint8Array.of(58, 0, 0, 1, 0, 0, 0, 1)), 'fragment'],
    ['TTL 0', () => ping({ ttl: 0 }), 'ttl-zero'],
    ['hop limit 0', () => icmpPacket({ src: HOST6, dst: '2001:db8::1', ttl: 0 }, 128, 0, echoBody(1, 1, data)), 'ttl-zero'],
    ['IPv4 on an IPv6-only session', () => ping(), 'family-not-on-session', v6only],
    ['a spoofed IPv4 source', () => ping({ src: '10.64.0.5' }), 'source-not-session'],
    ['an IPv6 source outside the prefix', () => icmpPacket({ src: '2001:db8:ffff::2', dst: '2001:db8::1' }, 128, 0, echoBody(1, 1, data)), 'source-not-session'],
    ['a ping to a multicast group', () => ping({ dst: '224.0.0.1' }), 'multicast'],
    ['a ping to the broadcast address', () => ping({ dst: '255.255.255.255' }), 'multicast'],
    ['an IPv6 router solicitation to ff02::2', () => icmpPacket({ src: 'fe80::2', dst: 'ff02::2', ttl: 255 }, 133, 0, new Uint8Array(4)), 'multicast'],
    ['TCP', () => ipPacket({ src: HOST4, dst: '10.64.0.1', protocol: 6 }, new Uint8Array(20)), 'unknown-protocol'],
    ['ICMP in an IPv6 packet', () => ipPacket({ src: HOST6, dst: '2001:db8::1', protocol: 1 }, new Uint8Array(8)), 'unknown-protocol'],
    ['an IPv6 hop-by-hop header', () => ipPacket({ src: HOST6, dst: '2001:db8::1', protocol: 0 }, new Uint8Array(8)), 'unknown-protocol'],
    ['an echo reply', () => icmpPacket({ src: HOST4, dst: '10.64.0.1' }, 0, 0, echoBody(1, 1, data)), 'not-echo-request'],
    ['an echo request with code 1', () => icmpPacket({ src: HOST4, dst: '10.64.0.1' }, 8, 1, echoBody(1, 1, data)), 'not-echo-request'],
    ['a unicast neighbor solicitation', () => icmpPacket({ src: HOST6, dst: dual.ipv6!.gateway, ttl: 255 }, 135, 0, new Uint8Array(20)), 'not-echo-request'],
    ['UDP to port 9', () => udpPacket({ src: HOST4, dst: '10.64.0.1' }, 1, 9, data), 'no-udp-service'],
  ];
  it.each(cases)('%s', (_, packet, reason, session) => expectDrop(packet(), reason, session));
});

function corruptV4(p: Uint8Array, at: number, value: number): Uint8Array {
  p[at] = value;
  return withIpv4HeaderChecksum(p);
}

function corruptUdpLength(p: Uint8Array, length: number): Uint8Array {
  p[24] = length >> 8;
  p[25] = length & 0xff;
  return p;
}

describe('tshark reads our replies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wwan-simnet-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  itWithTools(['tshark'])('as good ICMP, ICMPv6, UDP and DNS with valid checksums', () => {
    const path = join(dir, 'replies.pcap');
    const pcap = new PcapWriter(path, LINKTYPE_RAW);
    for (const packet of [
      icmpPacket({ src: HOST4, dst: '192.0.2.1' }, 8, 0, echoBody(1, 1, data)),
      icmpPacket({ src: HOST6, dst: '2001:db8::1' }, 128, 0, echoBody(2, 2, data)),
      udpPacket({ src: HOST6, dst: '2001:db8::1' }, 1234, 7, data),
      udpPacket({ src: HOST4, dst: DNS4 }, 1234, 53, dnsQuery(0x42, 'wwankit.test', TYPE_A)),
      udpPacket({ src: HOST6, dst: DNS6 }, 1234, 53, dnsQuery(0x43, 'echo.sim', TYPE_AAAA)),
    ]) {
      network.respond(dual, packet, (r) => pcap.write(r, 1000));
    }
    pcap.close();
    const out = execFileSync('tshark', ['-r', path, '-V', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out.match(/^Frame \d+:/gm)).toHaveLength(5);
    // Each packet's ICMP/UDP checksum, and the two IPv4 headers'.
    expect(out.match(/checksum status: Good/gi)).toHaveLength(5 + 2);
    expect(out).not.toMatch(/Bad|Malformed|Expert Info \(Error/);
    expect(out.match(/Echo \(ping\) reply/g)).toHaveLength(2);
    expect(out).toMatch(/wwankit\.test: type A, class IN, addr 198\.51\.100\.1/);
    expect(out).toMatch(/wwankit\.test: type A, class IN, addr 198\.51\.100\.2/);
    expect(out).toMatch(/echo\.sim: type AAAA, class IN, addr 2001:db8:ec::7/);
  });
});
