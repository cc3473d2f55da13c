/** ICMP and ICMPv6 echo: every address behind the modem answers a ping. */
import { internetChecksum } from '../../wire/checksum.js';
import { putBe16 } from '../../wire/bytes.js';
import { IPPROTO_ICMPV6, pseudoHeaderChecksum, replyPayloadAt, writeReplyHeader, type IpHeader } from './ip.js';

const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;
/** Type, code, checksum, identifier, sequence number. */
const ECHO_HEADER_LENGTH = 8;

export type EchoDropReason = 'truncated' | 'bad-checksum' | 'not-echo-request';

/**
 * Writes into `out` the reply to an ICMP (IPv4) or ICMPv6 (IPv6) echo request: same identifier,
 * sequence and data, from the address that was pinged. Returns the reply's length, or why there is none.
 */
export function writeEchoReply(out: Uint8Array, request: Uint8Array, header: IpHeader): number | EchoDropReason {
  const start = header.payloadStart;
  const length = header.end - start;
  if (length < ECHO_HEADER_LENGTH) return 'truncated';
  const v6 = header.version === 6;
  const valid = v6 ? pseudoHeaderChecksum(request, start, header.end, IPPROTO_ICMPV6) === 0 : internetChecksum(request, start, header.end) === 0;
  if (!valid) return 'bad-checksum';
  if (request[start] !== (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST) || request[start + 1] !== 0) return 'not-echo-request';
  const at = replyPayloadAt(header.version);
  out.set(request.subarray(start, header.end), at);
  out[at] = v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY;
  putBe16(out, at + 2, 0);
  const total = writeReplyHeader(out, request, header, length);
  putBe16(out, at + 2, v6 ? pseudoHeaderChecksum(out, at, total, IPPROTO_ICMPV6) : internetChecksum(out, at, total));
  return total;
}
