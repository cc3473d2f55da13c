/**
 * Captures of the data plane for Wireshark: NTBs whole, as exported PDUs for its `mbim.bulk`
 * dissector, and the IP packets found inside any framing as raw IP.
 */
import { LINKTYPE_RAW, LINKTYPE_WIRESHARK_UPPER_PDU, PcapWriter } from '../trace/pcap.js';
import { describeTransfer } from './describe.js';
import type { DescribeFormat, DescribeOptions } from './describe.js';

/** Writes each NTB as one record; returns the number written. */
export function writeNtbPcap(path: string, ntbs: Iterable<Uint8Array>, timeMs = Date.now()): number {
  const pcap = new PcapWriter(path, LINKTYPE_WIRESHARK_UPPER_PDU);
  let records = 0;
  try {
    for (const ntb of ntbs) {
      pcap.writePdu('mbim.bulk', ntb, 'MBIM', timeMs);
      records++;
    }
  } finally {
    pcap.close();
  }
  return records;
}

/** Writes every IPv4/IPv6 packet the framing's decoder finds in the transfers; returns the number written. */
export function writeIpPcap(
  path: string,
  format: DescribeFormat,
  transfers: Iterable<Uint8Array>,
  opts: DescribeOptions = {},
  timeMs = Date.now(),
): number {
  const pcap = new PcapWriter(path, LINKTYPE_RAW);
  let records = 0;
  try {
    for (const transfer of transfers) {
      for (const p of describeTransfer(format, transfer, opts).packets) {
        if (p.type !== 'ipv4' && p.type !== 'ipv6') continue;
        pcap.write(transfer.subarray(p.offset, p.offset + p.length), timeMs);
        records++;
      }
    }
  } finally {
    pcap.close();
  }
  return records;
}
