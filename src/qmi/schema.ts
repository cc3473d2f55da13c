/**
 * QMI messages as data. A service declares its messages and indications; each message declares its
 * TLVs by id, name and field codec. Encoders, decoders, printers and the TypeScript types all follow
 * from these declarations, as libqmi's code follows from its JSON.
 */
import { DecodeError, Reader, Writer, ipv6FromBytes, ipv6ToBytes } from '../wire/index.js';

// ---------------------------------------------------------------------------------------------
// Field codecs

export interface FieldCodec<T> {
  /** Short wire description, e.g. `u16`, `string(u8)`, `struct`. */
  readonly wire: string;
  read(r: Reader): T;
  write(w: Writer, v: T): void;
  /** A JSON-friendly rendering with names for enums and flags. */
  show(v: T): unknown;
  /** The layout, for the compiled codecs (compile.ts); codecs without one are called as they are. */
  readonly layout?: Layout;
}

/** What a codec puts on the wire, as data the TLV compiler turns into straight-line code. */
export type Layout =
  | { kind: 'int'; type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' }
  | { kind: 'bool' }
  | { kind: 'string'; prefix: 'none' | 'u8' | 'u16' }
  | { kind: 'bytes' }
  | { kind: 'ipv4' }
  | { kind: 'ipv6' }
  | { kind: 'struct'; shape: Record<string, FieldCodec<any>> }
  | { kind: 'array'; element: FieldCodec<any>; count: 'u8' | 'u16' | 'u32' }
  | { kind: 'fixedArray'; element: FieldCodec<any>; n: number };

export type CodecType<C> = C extends FieldCodec<infer T> ? T : never;

const plain = <T>(wire: string, read: (r: Reader) => T, write: (w: Writer, v: T) => void, layout?: Layout): FieldCodec<T> => ({
  wire,
  read,
  write,
  show: (v) => (typeof v === 'bigint' ? v.toString() : v),
  ...(layout ? { layout } : {}),
});

const int = (type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32'): FieldCodec<number> =>
  plain<number>(type, (r) => r[type](), (w, v) => w[type](v), { kind: 'int', type });
export const u8 = int('u8');
export const i8 = int('i8');
export const u16 = int('u16');
export const i16 = int('i16');
export const u32 = int('u32');
export const i32 = int('i32');
export const u64 = plain<bigint>('u64', (r) => r.u64(), (w, v) => w.u64(v), { kind: 'int', type: 'u64' });
export const bool8 = plain<boolean>('bool(u8)', (r) => r.u8() !== 0, (w, v) => w.u8(v ? 1 : 0), { kind: 'bool' });

/** IEEE 754 single precision, little-endian (NAS reports a few measurements so). */
export const f32: FieldCodec<number> = {
  wire: 'f32',
  read: (r) => {
    const b = r.bytesView(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  },
  write: (w, v) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    w.bytes(b);
  },
  show: (v) => v,
};

/** Longest string accepted from the wire inside a TLV (a TLV is at most 65535 bytes anyway). */
const MAX_STRING = 65535;

function checkLength(w: Writer, s: string, max: number, what: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  if (b.length > max) throw new DecodeError('invalid', what, w.pos, `string of ${b.length} bytes exceeds ${max}`);
  return b;
}

/** A string filling the rest of its TLV: no prefix, no terminator (APN, IMEI, …). */
export const string: FieldCodec<string> = plain(
  'string',
  (r) => r.utf8(Math.min(r.remaining, MAX_STRING)),
  (w, v) => w.bytes(checkLength(w, v, MAX_STRING, 'string')),
  { kind: 'string', prefix: 'none' },
);

const prefixedString = (prefix: 'u8' | 'u16'): FieldCodec<string> =>
  plain(
    `string(${prefix})`,
    (r) => r.utf8(prefix === 'u8' ? r.u8() : r.u16()),
    (w, v) => {
      const b = checkLength(w, v, prefix === 'u8' ? 0xff : 0xffff, `string(${prefix})`);
      if (prefix === 'u8') w.u8(b.length);
      else w.u16(b.length);
      w.bytes(b);
    },
    { kind: 'string', prefix },
  );
export const stringU8 = prefixedString('u8');
export const stringU16 = prefixedString('u16');

/**
 * A string in exactly n bytes, one character per byte (NAS MCC/MNC digits). Trailing `pad` or NUL bytes
 * are padding: a 2-digit MNC arrives as `30 31 ff`. Writing pads with `pad`.
 */
export function fixedString(n: number, pad = 0xff): FieldCodec<string> {
  return plain(
    `string[${n}]`,
    (r) => {
      const b = r.bytesView(n);
      let end = n;
      while (end > 0 && (b[end - 1] === pad || b[end - 1] === 0)) end--;
      return String.fromCharCode(...b.subarray(0, end));
    },
    (w, v) => {
      if (v.length > n || /[^\x00-\xff]/.test(v)) {
        throw new DecodeError('invalid', `string[${n}]`, w.pos, `not ${n} single-byte characters: ${JSON.stringify(v.slice(0, 64))}`);
      }
      for (let i = 0; i < n; i++) w.u8(i < v.length ? v.charCodeAt(i) : pad);
    },
  );
}

/** Raw bytes filling the rest of the TLV. */
export const bytes: FieldCodec<Uint8Array> = {
  wire: 'bytes',
  read: (r) => r.rest(),
  write: (w, v) => w.bytes(v),
  show: (v) => Buffer.from(v).toString('hex'),
  layout: { kind: 'bytes' },
};

/** QMI WDS carries IPv4 addresses as little-endian u32: 10.0.0.2 is `02 00 00 0a`. */
export const ipv4: FieldCodec<string> = plain(
  'ipv4(u32le)',
  (r) => {
    const v = r.u32();
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  },
  (w, v) => {
    const parts = v.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
      throw new DecodeError('invalid', 'ipv4', w.pos, `not an IPv4 address: ${JSON.stringify(v.slice(0, 64))}`);
    }
    w.u32(((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0);
  },
  { kind: 'ipv4' },
);

/** QMI carries IPv6 addresses as 8 big-endian u16 words, i.e. network order. */
export const ipv6: FieldCodec<string> = plain(
  'ipv6',
  (r) => ipv6FromBytes(r.bytesView(16)),
  (w, v) => {
    const b = ipv6ToBytes(v);
    if (!b) throw new DecodeError('invalid', 'ipv6', w.pos, `not an IPv6 address: ${JSON.stringify(v.slice(0, 64))}`);
    w.bytes(b);
  },
  { kind: 'ipv6' },
);

/** An integer with named values. Decodes to the number; `show` gives the name where one is known. */
export function enumOf<const N extends Record<string, number>>(base: FieldCodec<number>, names: N): FieldCodec<number> & { names: N } {
  const byValue = new Map<number, string>(Object.entries(names).map(([k, v]) => [v, k]));
  return { ...base, wire: `${base.wire} enum`, names, show: (v) => byValue.get(v) ?? v };
}

/** An integer bitmask with named bits. `show` lists the set bits by name. */
export function flagsOf<const N extends Record<string, number>>(base: FieldCodec<number>, names: N): FieldCodec<number> & { names: N } {
  const entries = Object.entries(names);
  return {
    ...base,
    wire: `${base.wire} flags`,
    names,
    show: (v) => {
      const out: (string | number)[] = [];
      let rest = v;
      for (const [k, bit] of entries) {
        if (bit !== 0 && (v & bit) === bit) {
          out.push(k);
          rest &= ~bit;
        }
      }
      if (rest) out.push(rest >>> 0);
      return out;
    },
  };
}

type StructShape = Record<string, FieldCodec<any>>;
export type StructType<S extends StructShape> = { [K in keyof S]: CodecType<S[K]> };

export function struct<const S extends StructShape>(shape: S): FieldCodec<StructType<S>> & { shape: S } {
  const keys = Object.keys(shape);
  return {
    wire: 'struct',
    shape,
    layout: { kind: 'struct', shape },
    read(r) {
      const out: Record<string, unknown> = {};
      const base = r.field;
      for (const k of keys) {
        r.field = base ? `${base}.${k}` : k;
        out[k] = shape[k]!.read(r);
      }
      r.field = base;
      return out as StructType<S>;
    },
    write(w, v) {
      for (const k of keys) shape[k]!.write(w, (v as Record<string, unknown>)[k]);
    },
    show(v) {
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = shape[k]!.show((v as Record<string, unknown>)[k]);
      return out;
    },
  };
}

/** A counted array; the count prefix is u8 by default in QMI, u16 for some NAS lists, u32 for WMS message lists. */
export function array<T>(element: FieldCodec<T>, count: 'u8' | 'u16' | 'u32' = 'u8'): FieldCodec<T[]> {
  const max = count === 'u8' ? 0xff : count === 'u16' ? 0xffff : 0xffffffff;
  return {
    wire: `array(${count}) of ${element.wire}`,
    layout: { kind: 'array', element, count },
    read(r) {
      const n = count === 'u8' ? r.u8() : count === 'u16' ? r.u16() : r.u32();
      // Each element takes at least a byte: a count beyond what is left is a lie, not a loop.
      if (n > r.remaining) throw new DecodeError('length', r.field, r.pos, `count ${n} exceeds the ${r.remaining} bytes left`);
      const out: T[] = [];
      const base = r.field;
      for (let i = 0; i < n; i++) {
        r.field = `${base}[${i}]`;
        out.push(element.read(r));
      }
      r.field = base;
      return out;
    },
    write(w, v) {
      if (v.length > max) throw new DecodeError('invalid', 'array', w.pos, `${v.length} elements exceed ${max}`);
      if (count === 'u8') w.u8(v.length);
      else if (count === 'u16') w.u16(v.length);
      else w.u32(v.length);
      for (const e of v) element.write(w, e);
    },
    show: (v) => v.map((e) => element.show(e)),
  };
}

/** Raw bytes after a u16 length (WMS raw message data). */
export const bytesU16: FieldCodec<Uint8Array> = {
  wire: 'bytes(u16)',
  read: (r) => r.bytesView(r.u16()).slice(),
  write(w, v) {
    if (v.length > 0xffff) throw new DecodeError('invalid', 'bytes(u16)', w.pos, `${v.length} bytes exceed 65535`);
    w.u16(v.length).bytes(v);
  },
  show: (v) => Buffer.from(v).toString('hex'),
};

/** A fixed number of elements with no count on the wire. */
export function fixedArray<T>(element: FieldCodec<T>, n: number): FieldCodec<T[]> {
  return {
    wire: `${element.wire}[${n}]`,
    layout: { kind: 'fixedArray', element, n },
    read(r) {
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(element.read(r));
      return out;
    },
    write(w, v) {
      if (v.length !== n) throw new DecodeError('invalid', 'array', w.pos, `needs exactly ${n} elements, got ${v.length}`);
      for (const e of v) element.write(w, e);
    },
    show: (v) => v.map((e) => element.show(e)),
  };
}

// ---------------------------------------------------------------------------------------------
// TLVs and messages

export interface TlvDef<T = unknown, M extends boolean = boolean> {
  readonly id: number;
  readonly codec: FieldCodec<T>;
  readonly mandatory: M;
  /** Holds a PIN, PUK or password: traces and captures show it overwritten. */
  readonly secret?: boolean;
}

/** A TLV that must be present (libqmi: id < 0x10, or declared mandatory). */
export const required = <T>(id: number, codec: FieldCodec<T>): TlvDef<T, true> => ({ id, codec, mandatory: true });
/** A TLV that may be absent. */
export const optional = <T>(id: number, codec: FieldCodec<T>): TlvDef<T, false> => ({ id, codec, mandatory: false });

/** Marks a TLV as holding a secret (PIN, PUK, password). */
export const secret = <T, M extends boolean>(def: TlvDef<T, M>): TlvDef<T, M> => ({ ...def, secret: true });

export type TlvMap = Record<string, TlvDef<any, boolean>>;

type RequiredKeys<M extends TlvMap> = { [K in keyof M]: M[K] extends TlvDef<any, true> ? K : never }[keyof M];
type OptionalKeys<M extends TlvMap> = Exclude<keyof M, RequiredKeys<M>>;
type Simplify<T> = { [K in keyof T]: T[K] };

/** The TypeScript value of a TLV set: mandatory TLVs required, the others optional. */
export type TlvValues<M extends TlvMap> = Simplify<
  { [K in RequiredKeys<M>]: CodecType<M[K]['codec']> } & { [K in OptionalKeys<M>]?: CodecType<M[K]['codec']> }
>;

/** A QMI message declared as data: id, name, request and response TLVs. */
export interface MessageDef<Req extends TlvMap = TlvMap, Resp extends TlvMap = TlvMap> {
  readonly kind: 'message';
  readonly id: number;
  readonly request: Req;
  readonly response: Resp;
  /** Filled by `service()`: the service and the message's key. */
  readonly service: ServiceInfo;
  readonly name: string;
}

export interface IndicationDef<Ind extends TlvMap = TlvMap> {
  readonly kind: 'indication';
  readonly id: number;
  readonly tlvs: Ind;
  readonly service: ServiceInfo;
  readonly name: string;
}

export interface ServiceInfo {
  readonly name: string;
  readonly id: number;
}

/** The request type of a declared QMI message. */
export type RequestOf<D> = D extends MessageDef<infer Req, any> ? TlvValues<Req> : never;
/** The response type of a declared message. */
export type ResponseOf<D> = D extends MessageDef<any, infer Resp> ? TlvValues<Resp> : never;
export type IndicationOf<D> = D extends IndicationDef<infer I> ? TlvValues<I> : never;

export const message = <const Req extends TlvMap, const Resp extends TlvMap>(
  id: number,
  request: Req,
  response: Resp,
): MessageDef<Req, Resp> => ({ kind: 'message', id, request, response, service: { name: '', id: -1 }, name: '' });

export const indication = <const Ind extends TlvMap>(id: number, tlvs: Ind): IndicationDef<Ind> => ({
  kind: 'indication',
  id,
  tlvs,
  service: { name: '', id: -1 },
  name: '',
});

/** A service declared as data: its id, name and messages. */
export interface ServiceDef<Msgs extends Record<string, MessageDef<any, any>>, Inds extends Record<string, IndicationDef<any>>>
  extends ServiceInfo {
  readonly messages: Msgs;
  readonly indications: Inds;
}

/** Any declared service, whatever its messages. */
export type AnyService = ServiceDef<Record<string, MessageDef>, Record<string, IndicationDef>>;

/** Binds messages and indications to their service, giving each its name. */
export function service<
  const Msgs extends Record<string, MessageDef<any, any>>,
  const Inds extends Record<string, IndicationDef<any>> = Record<never, IndicationDef<any>>,
>(name: string, id: number, messages: Msgs, indications?: Inds): ServiceDef<Msgs, Inds> {
  const info: ServiceInfo = { name, id };
  const bind = <T extends object>(defs: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, { ...d, service: info, name: k }]));
  return {
    name,
    id,
    messages: bind(messages) as Msgs,
    indications: bind(indications ?? {}) as Inds,
  };
}
