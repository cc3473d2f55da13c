/**
 * The DNS stub at a session's DNS addresses: A and AAAA for a few names, NXDOMAIN for the rest
 * (RFC 1035). `gateway.sim` names the asking session's own gateway.
 */
import { be16, putBe16 } from '../../wire/bytes.js';
import { ipv4ToBytes, ipv6ToBytes } from '../../wire/ip.js';
import type { PdnAddresses } from './pdn-addresses.js';

export const DNS_PORT = 53;

/** Fixed addresses a name resolves to; names are matched without regard to ASCII case. */
export interface DnsHost {
  ipv4?: readonly string[];
  ipv6?: readonly string[];
}

/** Addresses from the documentation ranges (RFC 5737, RFC 3849); every address answers a ping anyway. */
export const DEFAULT_DNS_HOSTS: Readonly<Record<string, DnsHost>> = {
  'echo.sim': { ipv4: ['192.0.2.7'], ipv6: ['2001:db8:ec::7'] },
  'wwankit.test': { ipv4: ['198.51.100.1', '198.51.100.2'], ipv6: ['2001:db8:ec::1'] },
};

export const GATEWAY_NAME = 'gateway.sim';

const HEADER_LENGTH = 12;
const MAX_NAME_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;
const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const OPCODE_QUERY = 0;
const AA = 0x0400;
const RD = 0x0100;
const RA = 0x0080;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
/** A pointer to the question's name, which always starts right after the header. */
const NAME_POINTER = 0xc000 | HEADER_LENGTH;
const ANSWER_TTL = 60;

interface ZoneEntry {
  /** The name in wire form (length-prefixed labels, the root's zero), lower case. */
  wire: Uint8Array;
  ipv4: readonly Uint8Array[];
  ipv6: readonly Uint8Array[];
  /** Answers with the asking session's gateway instead. */
  gateway: boolean;
}

function wireName(name: string): Uint8Array {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  const out: number[] = [];
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL_LENGTH || !/^[\x21-\x7e]+$/.test(label)) throw new RangeError(`DNS name ${JSON.stringify(name)} has a bad label`);
    out.push(label.length, ...Buffer.from(label, 'latin1'));
  }
  out.push(0);
  if (out.length > MAX_NAME_LENGTH) throw new RangeError(`DNS name ${JSON.stringify(name)} is longer than ${MAX_NAME_LENGTH} bytes`);
  return Uint8Array.from(out);
}

function addresses(texts: readonly string[] | undefined, parse: (s: string) => Uint8Array | null): Uint8Array[] {
  return (texts ?? []).map((t) => {
    const b = parse(t);
    if (!b) throw new RangeError(`DNS address ${JSON.stringify(t)} is not an IP address`);
    return b;
  });
}

export class DnsZone {
  private readonly entries: ZoneEntry[];

  constructor(hosts: Readonly<Record<string, DnsHost>> = DEFAULT_DNS_HOSTS) {
    this.entries = Object.entries(hosts).map(([name, host]) => ({
      wire: wireName(name),
      ipv4: addresses(host.ipv4, ipv4ToBytes),
      ipv6: addresses(host.ipv6, ipv6ToBytes),
      gateway: false,
    }));
    this.entries.push({ wire: wireName(GATEWAY_NAME), ipv4: [], ipv6: [], gateway: true });
  }

  /**
   * Writes at out[at] the response to the DNS query in query[start, end), for a session with
   * addresses `pdn`; returns its length, or 'malformed' for something that is not one well-formed
   * question (a response, no or several questions, compressed or overlong names, cut short).
   */
  writeResponse(out: Uint8Array, at: number, query: Uint8Array, start: number, end: number, pdn: PdnAddresses): number | 'malformed' {
    if (end - start < HEADER_LENGTH) return 'malformed';
    const flags = be16(query, start + 2);
    if ((flags & QR) !== 0 || be16(query, start + 4) !== 1) return 'malformed';
    const nameStart = start + HEADER_LENGTH;
    let i = nameStart;
    for (;;) {
      const length = query[i];
      if (length === undefined || i >= end || (length & 0xc0) !== 0) return 'malformed';
      i += 1 + length;
      if (i - nameStart > MAX_NAME_LENGTH) return 'malformed';
      if (length === 0) break;
    }
    const questionEnd = i + 4;
    if (questionEnd > end) return 'malformed';
    const qtype = be16(query, i);
    const qclass = be16(query, i + 2);

    // The header and question go back as they came; then flags, counts and answers.
    out.set(query.subarray(start, questionEnd), at);
    let rcode = 0;
    let answers: readonly Uint8Array[] = [];
    if ((flags & OPCODE_MASK) !== OPCODE_QUERY) rcode = RCODE_NOTIMP;
    else {
      const entry = this.lookup(query, nameStart, i);
      if (!entry) rcode = RCODE_NXDOMAIN;
      else if (qclass === CLASS_IN && (qtype === TYPE_A || qtype === TYPE_AAAA)) answers = entryAddresses(entry, qtype === TYPE_A ? 4 : 6, pdn);
    }
    putBe16(out, at + 2, QR | (flags & (OPCODE_MASK | RD)) | AA | RA | rcode);
    putBe16(out, at + 6, answers.length);
    putBe16(out, at + 8, 0);
    putBe16(out, at + 10, 0);
    let o = at + questionEnd - start;
    for (const address of answers) {
      putBe16(out, o, NAME_POINTER);
      putBe16(out, o + 2, qtype);
      putBe16(out, o + 4, CLASS_IN);
      putBe16(out, o + 6, 0);
      putBe16(out, o + 8, ANSWER_TTL);
      putBe16(out, o + 10, address.length);
      out.set(address, o + 12);
      o += 12 + address.length;
    }
    return o - at;
  }

  /** The entry for the name in query[from, to), compared in ASCII lower case. */
  private lookup(query: Uint8Array, from: number, to: number): ZoneEntry | undefined {
    return this.entries.find((e) => {
      if (e.wire.length !== to - from) return false;
      for (let k = 0; k < e.wire.length; k++) {
        const b = query[from + k]!;
        // Length bytes are below 64, so lowering every byte only touches letters.
        if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== e.wire[k]) return false;
      }
      return true;
    });
  }
}

function entryAddresses(entry: ZoneEntry, family: 4 | 6, pdn: PdnAddresses): readonly Uint8Array[] {
  if (!entry.gateway) return family === 4 ? entry.ipv4 : entry.ipv6;
  const gateway = (family === 4 ? pdn.ipv4 : pdn.ipv6)?.gateway;
  return gateway ? [gateway] : [];
}
