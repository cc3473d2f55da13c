/** Encodes and decodes a message's TLV block from its declaration (schema.ts). */
import { DecodeError, Reader, Writer, catchDecode, type Result } from '../wire/index.js';
import { splitTlvs, type RawTlv } from './qmux.js';
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

export function encodeTlvs<M extends TlvMap>(defs: M, values: TlvValues<M>, opts: EncodeOptions = {}): Uint8Array {
  const w = new Writer(64);
  if (opts.result) w.u8(RESULT_TLV).u16(4).u16(opts.result.status).u16(opts.result.error);
  const vals = values as Record<string, unknown>;
  // A failure response carries only the TLVs that explain it (e.g. call-end reasons).
  const failed = opts.result !== undefined && opts.result.status !== 0;
  for (const key in defs) {
    const def = defs[key]!;
    const v = vals[key];
    if (v === undefined) {
      if (def.mandatory && !failed) throw new DecodeError('missing', key, w.pos, `mandatory TLV ${hex2(def.id)} '${key}' has no value`);
      continue;
    }
    w.u8(def.id);
    const lenAt = w.reserve(2);
    const start = w.pos;
    def.codec.write(w, v);
    const len = w.pos - start;
    if (len > 0xffff) throw new DecodeError('invalid', key, start, `TLV ${hex2(def.id)} value of ${len} bytes exceeds 65535`);
    w.patchU16(lenAt, len);
  }
  for (const t of opts.unknown ?? []) w.u8(t.type).u16(t.value.length).bytes(t.value);
  return w.finish();
}

/**
 * Decodes a TLV block. `response` makes the result TLV mandatory and checks the other mandatory TLVs
 * only on success (libqmi's "prerequisite: Success"). `base` is the block's offset in its frame, for errors.
 */
export function decodeTlvs<M extends TlvMap>(
  defs: M,
  block: Uint8Array,
  opts: { response: boolean; base?: number },
): Result<DecodedTlvs<TlvValues<M>>> {
  const split = splitTlvs(block, opts.base ?? 0);
  if (!split.ok) return split;
  return catchDecode(() => decodeSplit(defs, split.value, opts.response, (opts.base ?? 0) + block.length));
}

function decodeSplit<M extends TlvMap>(defs: M, tlvs: RawTlv[], response: boolean, end: number): DecodedTlvs<TlvValues<M>> {
  const byId = new Map<number, RawTlv>();
  const unknown: RawTlv[] = [];
  for (const t of tlvs) {
    if (byId.has(t.type)) unknown.push(t); // libqmi reads the first of duplicated TLVs
    else byId.set(t.type, t);
  }
  const out: DecodedTlvs<TlvValues<M>> = { values: {} as TlvValues<M>, unknown, invalid: [], warnings: [] };

  let success = true;
  if (response) {
    const rt = byId.get(RESULT_TLV);
    if (!rt) throw new DecodeError('missing', 'tlv 0x02 (result)', end, "Couldn't get the mandatory Result TLV: TLV 0x02 not found");
    const r = new Reader(rt.value);
    r.field = 'tlv 0x02 (result)';
    if (rt.value.length < 4) throw new DecodeError('truncated', r.field, rt.offset + 3, 'Reading TLV would overflow');
    out.result = { status: r.u16(), error: r.u16() };
    success = out.result.status === 0;
    byId.delete(RESULT_TLV);
  }

  const vals = out.values as Record<string, unknown>;
  for (const key in defs) {
    const def = defs[key]!;
    const t = byId.get(def.id);
    if (!t) {
      if (def.mandatory && success) {
        throw new DecodeError('missing', `tlv ${hex2(def.id)} (${key})`, end, `Couldn't get the mandatory ${key} TLV: TLV ${hex2(def.id)} not found`);
      }
      continue;
    }
    byId.delete(def.id);
    const r = new Reader(t.value);
    r.field = `tlv ${hex2(def.id)} (${key})`;
    try {
      vals[key] = def.codec.read(r);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      const err = new DecodeError(e.code, e.field, t.offset + 3 + e.offset, e.message);
      if (def.mandatory && success) throw err;
      out.invalid.push({ id: def.id, name: key, error: err });
      unknown.push(t);
      continue;
    }
    if (r.remaining > 0) out.warnings.push(`Left ${r.remaining} bytes unread in TLV ${hex2(def.id)} (${key})`);
  }
  for (const t of byId.values()) unknown.push(t);
  return out;
}
