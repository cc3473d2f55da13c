/** `wwan decode --as FORMAT [--hex HEX | FILE]`: protocol bytes as JSON, for people pasting from logs. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../wire/hex.js';
import { describeQmux } from '../qmi/describe.js';

export type DecodeFormat = 'qmux';

export const decoders: Record<DecodeFormat, (bytes: Uint8Array) => unknown> = {
  qmux: describeQmux,
};

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
