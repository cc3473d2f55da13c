/** Encodes and decodes a message's TLV block from its declaration (schema.ts), compiled on first use (compile.ts). */
import { DecodeError, fail, ok, type Result } from '../wire/index.js';
import { compileTlvs } from './compile.js';
import type { RawTlv } from './qmux.js';
import type { TlvMap, TlvValues } from './schema.js';

export const RESULT_TLV = 0x02;

export interface QmiResult {
  /** 0 success, 1 failure. */
  status: number;
  /** QmiProtocolError code. */
  error: number;
}

export interface DecodedTlvs<V> {
  values: V;
  /** Response status from TLV 0x02 (responses only). */
  result?: QmiResult;
  /** TLVs the declaration does not name, kept byte for byte so a re-encode reproduces them. */
  unknown: RawTlv[];
  /** Optional TLVs that failed to parse: treated as absent (as libqmi does), their bytes kept in `unknown`. */
  invalid: { id: number; name: string; error: DecodeError }[];
  /** Non-fatal oddities, e.g. bytes left unread inside a TLV. */
  warnings: string[];
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

export interface EncodeOptions {
  result?: QmiResult;
  unknown?: readonly { type: number; value: Uint8Array }[];
}

const NO_OPTIONS: EncodeOptions = {};

/** Encodes a TLV block; throws a DecodeError ('missing', 'invalid') for values the declaration cannot carry. */
export function encodeTlvs<M extends TlvMap>(defs: M, values: TlvValues<M>, opts: EncodeOptions = NO_OPTIONS): Uint8Array {
  return compileTlvs(defs).encode(values, opts.result, opts.unknown);
}

/** Which TLV types a decode has seen: stamped with the decode's number instead of cleared. */
const seen = new Uint32Array(256);
let decodes = 0;

const raw = (block: Uint8Array, at: number, base: number): RawTlv => ({
  type: block[at]!,
  value: block.subarray(at + 3, at + 3 + (block[at + 1]! | (block[at + 2]! << 8))),
  offset: base + at,
});

/**
 * Decodes a TLV block. `response` makes the result TLV mandatory and checks the other mandatory TLVs
 * only on success (libqmi's "prerequisite: Success"). `base` is the block's offset in its frame, for errors.
 */
export function decodeTlvs<M extends TlvMap>(defs: M, block: Uint8Array, opts: { response: boolean; base?: number }): Result<DecodedTlvs<TlvValues<M>>> {
  const c = compileTlvs(defs);
  const base = opts.base ?? 0;
  const end = block.length;
  const stamp = (decodes = (decodes + 1) >>> 0 || 1);
  const found = c.found.fill(-1);
  // In wire order: repeated TLVs (libqmi reads the first), then undeclared ones.
  let repeated: RawTlv[] | undefined;
  let undeclared: number[] | undefined;
  let resultAt = -1;
  // Every TLV must fit (libqmi's message check) before any is read.
  for (let p = 0; p < end; ) {
    if (end - p < 3) return fail(new DecodeError('truncated', `tlv@${base + p}.type`, base + p, `TLV header needs 3 bytes, ${end - p} left`));
    const type = block[p]!;
    const len = block[p + 1]! | (block[p + 2]! << 8);
    if (len > end - p - 3) return fail(new DecodeError('truncated', `tlv ${hex2(type)}`, base + p, `TLV length ${len} but ${end - p - 3} bytes left`));
    if (seen[type] === stamp) (repeated ??= []).push(raw(block, p, base));
    else {
      seen[type] = stamp;
      const i = c.slot[type]!;
      if (opts.response && type === RESULT_TLV) resultAt = p;
      else if (i >= 0) found[i] = p;
      else (undeclared ??= []).push(p);
    }
    p += 3 + len;
  }

  let result: QmiResult | undefined;
  if (opts.response) {
    if (resultAt < 0) return fail(new DecodeError('missing', 'tlv 0x02 (result)', base + end, "Couldn't get the mandatory Result TLV: TLV 0x02 not found"));
    if ((block[resultAt + 1]! | (block[resultAt + 2]! << 8)) < 4) return fail(new DecodeError('truncated', 'tlv 0x02 (result)', base + resultAt + 3, 'Reading TLV would overflow'));
    const p = resultAt + 3;
    result = { status: block[p]! | (block[p + 1]! << 8), error: block[p + 2]! | (block[p + 3]! << 8) };
  }
  const success = result === undefined || result.status === 0;

  const values: Record<string, unknown> = {};
  const unknown = repeated ?? [];
  const invalid: DecodedTlvs<unknown>['invalid'] = [];
  const warnings: string[] = [];
  for (let i = 0; i < c.defs.length; i++) {
    const def = c.defs[i]!;
    const key = c.keys[i]!;
    const at = found[i]!;
    if (at < 0) {
      if (def.mandatory && success) {
        return fail(new DecodeError('missing', `tlv ${hex2(def.id)} (${key})`, base + end, `Couldn't get the mandatory ${key} TLV: TLV ${hex2(def.id)} not found`));
      }
      continue;
    }
    const start = at + 3;
    const stop = start + (block[at + 1]! | (block[at + 2]! << 8));
    try {
      values[key] = c.readers[i]!(block, start, stop);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      const err = new DecodeError(e.code, e.field, base + start + e.offset, e.message);
      if (def.mandatory && success) return fail(err);
      invalid.push({ id: def.id, name: key, error: err });
      unknown.push(raw(block, at, base));
      continue;
    }
    const left = c.left();
    if (left > 0) warnings.push(`Left ${left} bytes unread in TLV ${hex2(def.id)} (${key})`);
  }
  if (undeclared) for (const at of undeclared) unknown.push(raw(block, at, base));
  const out: DecodedTlvs<TlvValues<M>> = { values: values as TlvValues<M>, unknown, invalid, warnings };
  if (result) out.result = result;
  return ok(out);
}
