/**
 * The data framings: raw IP, QMAP, qmimux, BAM-DMUX and MBIM NTB (IP and DSS sessions); every decoder
 * counts what it drops instead of throwing.
 *
 * @packageDocumentation
 */
export type { Link, PacketSink, TransferSink, Decapsulator, Encapsulator } from './framing.js';
export { ipLink, dssLink } from './framing.js';
export { RawIpDecoder, RawIpEncoder } from './raw-ip.js';
export { QmapDecoder, qmapEncoder } from './qmap.js';
export { QmimuxDecoder, qmimuxEncoder } from './qmimux.js';
export { BamDmuxDecoder, bamDmuxEncoder } from './bam-dmux.js';
export { NtbDecoder, ntbEncoder } from './ntb.js';
export { describeTransfer } from './describe.js';
