/**
 * The pipe format both ends derive from what they negotiated: the WDA Set Data Format answer (QMI) or
 * the NTB parameters (MBIM). The host's driver and the simulator read the same mapping, so the two
 * ends of a pipe cannot disagree about what an answer means.
 */
import type { PipeFormat } from '../mux/pipe.js';
import type { QmapVersion } from '../mux/qmap.js';

/** WDA's aggregation protocols by name ('qmap' is QMAPv1). */
export type AggregationProtocol = 'none' | 'qmap' | 'qmapv4' | 'qmapv5';

/** One side's negotiated aggregation: protocol and the limits of what that side sends. */
export interface NegotiatedAggregation {
  protocol: AggregationProtocol;
  maxDatagrams: number;
  maxBytes: number;
  /** qmi_wwan's own mux (plain QMAPv1) rather than rmnet: the host sends a packet a transfer, the modem may aggregate. */
  qmimux: boolean;
  /** How long an open uplink transfer may wait for more packets (rmnet's aggregation timer). */
  timeLimitMs: number;
}

/** Room for one whole qmimux frame (a 1500-byte packet and its MAP header) whatever was negotiated. */
const QMIMUX_MIN_AGGREGATE = 1504;

const QMAP_VERSIONS: Record<Exclude<AggregationProtocol, 'none'>, QmapVersion> = { qmap: 1, qmapv4: 4, qmapv5: 5 };

/** QMI: raw IP without aggregation, qmi_wwan's qmimux, or QMAP with the side's limits. */
export function qmiPipeFormat(a: NegotiatedAggregation): PipeFormat {
  if (a.protocol === 'none') return { framing: 'raw-ip' };
  if (a.qmimux) return a.maxDatagrams > 1 ? { framing: 'qmimux', maxDatagrams: a.maxDatagrams, maxBytes: Math.max(QMIMUX_MIN_AGGREGATE, a.maxBytes), timeLimitMs: a.timeLimitMs } : { framing: 'qmimux' };
  const version = QMAP_VERSIONS[a.protocol];
  // QMAPv5 comes with checksum offload (rmnet's EGRESS_MAP_CKSUMV5, as ModemManager sets it): the
  // host asks the modem to finish TCP/UDP checksums. (Only a host's uplink builder acts on it.)
  return { framing: 'qmap', version, maxDatagrams: Math.max(1, a.maxDatagrams), maxBytes: Math.max(2048, a.maxBytes), timeLimitMs: a.timeLimitMs, ...(version === 5 ? { checksumOffload: true } : {}) };
}

/** MBIM: NTB16 with cdc_ncm's defaults (16 KiB transfers, 32 datagrams, the 0.4 ms TX timer). */
export const MBIM_PIPE_FORMAT: PipeFormat = { framing: 'ntb', maxBytes: 16384, maxDatagrams: 32, timeLimitMs: 0.4 };

/** BAM-DMUX has nothing to negotiate: one packet a transfer, a channel each. */
export const BAM_DMUX_PIPE_FORMAT: PipeFormat = { framing: 'bam-dmux' };
