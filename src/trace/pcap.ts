/**
 * Classic pcap files for Wireshark. Control messages go in as link type 252 ("exported PDU") records
 * whose dissector-name tag picks the dissector (`mbim.control`, `mbim.bulk`, `ip`, `data`, …).
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { Writer } from '../wire/writer.js';

export const LINKTYPE_RAW = 101;
export const LINKTYPE_WIRESHARK_UPPER_PDU = 252;

const EXP_PDU_TAG_END_OF_OPT = 0;
const EXP_PDU_TAG_COL_PROT_TEXT = 33; // fills the Protocol column, e.g. `QMI`
const EXP_PDU_TAG_DISSECTOR_NAME = 12;

/** The exported-PDU header: tags are big-endian {u16 type, u16 length, value}, ending with tag 0. */
export function exportedPdu(dissector: string, payload: Uint8Array, protocolColumn?: string): Uint8Array {
  const w = new Writer(payload.length + dissector.length + 32);
  const name = new TextEncoder().encode(dissector);
  w.u16(EXP_PDU_TAG_DISSECTOR_NAME, false).u16(name.length, false).bytes(name);
  if (protocolColumn !== undefined) {
    const c = new TextEncoder().encode(protocolColumn);
    w.u16(EXP_PDU_TAG_COL_PROT_TEXT, false).u16(c.length, false).bytes(c);
  }
  w.u16(EXP_PDU_TAG_END_OF_OPT, false).u16(0, false);
  w.bytes(payload);
  return w.finish();
}

/** A control message as Wireshark wants it: MBIM under `mbim.control`, QMUX under `data` labelled QMI. */
export function controlPdu(protocol: 'qmi' | 'mbim', bytes: Uint8Array): Uint8Array {
  return protocol === 'mbim' ? exportedPdu('mbim.control', bytes) : exportedPdu('data', bytes, 'QMI');
}

export function pcapHeader(linkType: number, snaplen = 262144): Uint8Array {
  const w = new Writer(24);
  w.u32(0xa1b2c3d4).u16(2).u16(4).i32(0).u32(0).u32(snaplen).u32(linkType);
  return w.finish();
}

export function pcapRecord(data: Uint8Array, timeMs: number): Uint8Array {
  const w = new Writer(16 + data.length);
  const sec = Math.floor(timeMs / 1000);
  const usec = Math.floor((timeMs - sec * 1000) * 1000);
  w.u32(sec).u32(usec).u32(data.length).u32(data.length).bytes(data);
  return w.finish();
}

/** Appends records to a pcap file synchronously, so a crash still leaves a readable capture. */
export class PcapWriter {
  private fd: number | null;

  constructor(
    readonly path: string,
    readonly linkType: number,
  ) {
    this.fd = openSync(path, 'w', 0o600);
    writeSync(this.fd, pcapHeader(linkType));
  }

  write(data: Uint8Array, timeMs = Date.now()): void {
    if (this.fd !== null) writeSync(this.fd, pcapRecord(data, timeMs));
  }

  /** Writes an exported-PDU record (the file must have link type 252). */
  writePdu(dissector: string, payload: Uint8Array, protocolColumn?: string, timeMs?: number): void {
    this.write(exportedPdu(dissector, payload, protocolColumn), timeMs);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
