/** `wwan decode --as FORMAT [--hex HEX | FILE] [--pcap FILE]`: protocol bytes as JSON, for people pasting from logs. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../wire/hex.js';
import { describeQmux } from '../qmi/describe.js';
import { describeMbim } from '../mbim/describe.js';
import { describeTransfer, type DescribeOptions } from '../mux/describe.js';
import { writeIpPcap, writeNtbPcap } from '../mux/pcap.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU, PcapWriter } from '../trace/pcap.js';
import { decodePdu, timestampIso, type SmsTimestamp } from '../sms/index.js';
import type { DecodeFormat } from './decode-formats.js';


export function decodeBytes(format: DecodeFormat, bytes: Uint8Array, opts: DescribeOptions = {}): { errors: unknown[] } {
  if (format === 'qmux') return describeQmux(bytes);
  if (format === 'mbim') return describeMbim(bytes, { redact: true });
  if (format === 'sms') return describeSms(bytes);
  return describeTransfer(format, bytes, opts);
}

/** An SMS PDU (with its SMSC address in front, as modems carry it) as JSON: bytes as hex, time stamps as ISO 8601. */
function describeSms(bytes: Uint8Array): { sms?: unknown; errors: unknown[] } {
  const r = decodePdu(bytes);
  if (!r.ok) return { errors: [r.error.toJSON()] };
  const isTime = (v: unknown): v is SmsTimestamp => typeof v === 'object' && v !== null && 'offsetMinutes' in v;
  const sms = JSON.parse(JSON.stringify(r.value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : isTime(v) ? timestampIso(v) : v)));
  return { sms, errors: [] };
}

/**
 * Writes the bytes for Wireshark: NTBs whole (`mbim.bulk`), QMUX frames under the `data` dissector,
 * and for the other framings the IP packets inside as raw IP. Returns the records written.
 */
export function writeDecodePcap(format: DecodeFormat, bytes: Uint8Array, path: string, opts: DescribeOptions = {}): number {
  if (format === 'sms') throw new Error('an SMS PDU alone has no capture format (Wireshark decodes SMS inside QMI or MBIM captures)');
  if (format === 'ntb') return writeNtbPcap(path, [bytes]);
  if (format === 'qmux' || format === 'mbim') {
    const pcap = new PcapWriter(path, LINKTYPE_WIRESHARK_UPPER_PDU);
    if (format === 'qmux') pcap.writePdu('data', bytes, 'QMI');
    else pcap.writePdu('mbim.control', bytes);
    pcap.close();
    return 1;
  }
  return writeIpPcap(path, format, [bytes], opts);
}

/** The bytes to decode: `--hex`, or a file that holds hex text or raw bytes. */
export function readInput(opts: { hex?: string; file?: string }): Uint8Array {
  if (opts.hex !== undefined) {
    const b = fromHex(opts.hex);
    if (!b) throw new Error('--hex is not hex (pairs of 0-9a-f, optionally separated by spaces, colons or commas)');
    return b;
  }
  if (opts.file === undefined) throw new Error('give the bytes with --hex HEX or a FILE');
  const raw = readFileSync(opts.file);
  const asText = raw.toString('latin1');
  return (/^[\s0-9a-fA-Fx:,\-]*$/.test(asText) ? fromHex(asText) : null) ?? new Uint8Array(raw);
}
