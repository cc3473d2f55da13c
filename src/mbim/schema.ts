/**
 * MBIM information buffers as data (PROTOCOLS.md A.3.3). A layout lists its fields in wire order;
 * each field knows its slot in the fixed part and, for strings, arrays and references, what it puts in
 * the variable part. Offsets are relative to the start of the enclosing struct; the variable part is
 * written in field order, each item zero-padded to 4 bytes (libmbim's struct builder). Encoders,
 * decoders, printers and the TypeScript types all come from these declarations.
 */
import { DecodeError, Reader, Writer, ipv4FromBytes, ipv4ToBytes, ipv6FromBytes, ipv6ToBytes, catchDecode, readUuid, writeUuid, type Result } from '../wire/index.js';

/** Where a struct's offsets point from, and how far they may reach. */
interface Scope {
  bytes: Uint8Array;
  /** Absolute start of the enclosing struct. */
  start: number;
  /** Absolute end of the bytes its references may use. */
  end: number;
  /** Values of count fields read so far, by field name. */
  counts: Map<string, number>;
}

/** How a reference is laid out in the fixed part. */
type RefSlots = 'offset' | 'offset-size' | 'size-offset';

/** Accumulates one struct: fixed slots, then variable data with offsets patched on finish(). */
class Builder {
  readonly fixed = new Writer(64);
  private readonly variable = new Writer(64);
  /** Fixed-part positions of offsets, with their value relative to the variable part. */
  private readonly refs: [at: number, offset: number][] = [];

  /**
   * Writes the slots pointing at `data` (appended to the variable part): an offset alone, an offset
   * then a size, or a size then an offset (MS UICC). Empty data is offset 0, size 0.
   */
  ref(data: Uint8Array, slots: RefSlots): void {
    if (slots === 'size-offset') this.fixed.u32(data.length);
    if (data.length > 0) this.refs.push([this.fixed.pos, this.variable.pos]);
    this.fixed.u32(0);
    if (slots === 'offset-size') this.fixed.u32(data.length);
    if (data.length > 0) this.variable.bytes(data).zeros((4 - (data.length % 4)) % 4);
  }

  finish(): Uint8Array {
    const fixedLen = this.fixed.pos;
    for (const [at, offset] of this.refs) this.fixed.patchU32(at, offset + fixedLen);
    if (this.variable.pos === 0) return this.fixed.finish();
    return new Writer(fixedLen + this.variable.pos).bytes(this.fixed.finish()).bytes(this.variable.finish()).finish();
  }
}

export interface Field<T> {
  /** Short wire description for people, e.g. `string`, `ref-struct-array(Cids)`. */
  readonly wire: string;
  /** Bytes taken in the fixed part (-1: the rest of the buffer). */
  readonly fixedSize: number;
  /** Set on count fields: their value is the length of the array naming them, not part of the value. */
  readonly isCount?: true;
  /** Set on arrays: the count field holding their length. */
  readonly countField?: string;
  read(r: Reader, scope: Scope): T;
  write(b: Builder, v: T): void;
  /** A JSON-friendly rendering: names for enums and flags, text for bytes and big numbers. */
  show(v: T): unknown;
  /** What it is, for the compiled codecs (compile.ts). */
  readonly layout: FieldLayout;
}

/** A field's wire shape as data, from which compile.ts generates straight-line code. */
export type FieldLayout =
  | { kind: 'u16' | 'u32' | 'u64' | 'uuid' }
  | { kind: 'string'; utf8: boolean }
  | { kind: 'refBytes'; sizeFirst: boolean }
  | { kind: 'stringArray' | 'u32Array' }
  | { kind: 'bytes' }
  | { kind: 'address' | 'refAddress'; size: 4 | 16 }
  | { kind: 'struct'; shape: Record<string, Field<any>> }
  | { kind: 'refStructArray'; element: Struct<any> }
  | { kind: 'structArray'; element: Field<any> };

export type FieldType<F> = F extends Field<infer T> ? T : never;

const field = <T>(
  wire: string,
  fixedSize: number,
  layout: FieldLayout,
  read: Field<T>['read'],
  write: Field<T>['write'],
  show: Field<T>['show'] = (v) => v,
): Field<T> => ({
  wire,
  fixedSize,
  layout,
  read,
  write,
  show,
});

export const u16 = field<number>('u16', 2, { kind: 'u16' }, (r) => r.u16(), (b, v) => void b.fixed.u16(v));
export const u32 = field<number>('u32', 4, { kind: 'u32' }, (r) => r.u32(), (b, v) => void b.fixed.u32(v));
export const u64 = field<bigint>('u64', 8, { kind: 'u64' }, (r) => r.u64(), (b, v) => void b.fixed.u64(v), (v) => v.toString());

/** A u32 holding the number of elements of a later array; the array names it. */
export const count: Field<number> & { isCount: true } = { ...u32, wire: 'count(u32)', isCount: true };

export const uuid = field<string>('uuid', 16, { kind: 'uuid' }, (r) => readUuid(r), (b, v) => writeUuid(b.fixed, v));

/** A u32 with named values (libmbim nicks); `show` gives the name where one is known. */
export function enumOf<const N extends Record<string, number>>(names: N): Field<number> & { names: N; nameOf(v: number): string | undefined } {
  const byValue = new Map<number, string>(Object.entries(names).map(([k, v]) => [v, k]));
  const nameOf = (v: number): string | undefined => byValue.get(v);
  return { ...u32, wire: 'u32 enum', names, nameOf, show: (v) => nameOf(v) ?? v };
}

/** A u32 bitmask with named bits; `show` lists them. `list()` gives libmbim's "a, b" rendering. */
export function flagsOf<const N extends Record<string, number>>(names: N): Field<number> & { names: N; list(v: number): string[] } {
  const entries = Object.entries(names);
  const list = (v: number): string[] => {
    const zero = entries.find(([, bit]) => bit === 0);
    if (v === 0) return zero ? [zero[0]] : [];
    const out: string[] = [];
    for (const [k, bit] of entries) if (bit !== 0 && ((v & bit) >>> 0) === bit >>> 0) out.push(k);
    return out;
  };
  return { ...u32, wire: 'u32 flags', names, list, show: list };
}

/** A reader over what an offset (read from the slot at `slot`) points at, bounded by the scope. */
function referenced(r: Reader, scope: Scope, offset: number, size: number, what: string, slot: number): Reader {
  const at = scope.start + offset;
  if (offset > scope.end - scope.start || size > scope.end - at) {
    throw new DecodeError('truncated', r.field, slot, `${what} at offset ${offset} size ${size} runs past ${scope.end - scope.start} bytes`);
  }
  const sub = new Reader(scope.bytes, at, at + size);
  sub.field = r.field;
  return sub;
}

const encodeUtf16 = (s: string): Uint8Array => new Writer(s.length * 2 + 1).utf16le(s).finish();

/** {offset, size} → UTF-16LE, no terminator; empty is offset 0 size 0. An odd size drops its last byte. */
export const string = field<string>(
  'string',
  8,
  { kind: 'string', utf8: false },
  (r, scope) => {
    const offset = r.u32();
    const size = r.u32();
    if (size === 0) return '';
    return referenced(r, scope, offset, size, 'string', r.pos - 8).utf16le(size & ~1);
  },
  (b, v) => b.ref(encodeUtf16(v), 'offset-size'),
);

/** {offset, size} → UTF-8 (MS UICC application names); empty is offset 0 size 0. */
export const utf8String = field<string>(
  'utf8-string',
  8,
  { kind: 'string', utf8: true },
  (r, scope) => {
    const offset = r.u32();
    const size = r.u32();
    return size === 0 ? '' : referenced(r, scope, offset, size, 'utf8-string', r.pos - 8).utf8(size);
  },
  (b, v) => b.ref(new Writer(v.length * 3 + 1).utf8(v).finish(), 'offset-size'),
  (v) => v,
);

/**
 * Referenced raw bytes: {offset, size} (libmbim's ref-byte-array), or {size, offset} as the MS UICC
 * low-level access service lays them out (uicc-ref-byte-array).
 */
function refBytesField(sizeFirst: boolean): Field<Uint8Array> {
  const wire = sizeFirst ? 'uicc-ref-byte-array' : 'ref-byte-array';
  return field<Uint8Array>(
    wire,
    8,
    { kind: 'refBytes', sizeFirst },
    (r, scope) => {
      const a = r.u32();
      const b = r.u32();
      const [offset, size] = sizeFirst ? [b, a] : [a, b];
      return size === 0 ? new Uint8Array(0) : referenced(r, scope, offset, size, wire, r.pos - 8).bytesView(size);
    },
    (b, v) => b.ref(v, sizeFirst ? 'size-offset' : 'offset-size'),
    (v) => Buffer.from(v).toString('hex'),
  );
}
export const refBytes = refBytesField(false);
export const uiccRefBytes = refBytesField(true);

function counted(scope: Scope, r: Reader, name: string): number {
  const n = scope.counts.get(name);
  if (n === undefined) throw new DecodeError('missing', r.field, r.pos, `count field ${name} not read before its array`);
  return n;
}

/** Guards against counts that lie: a count can never exceed what its bytes could hold. */
function plausible(r: Reader, scope: Scope, n: number, each: number): void {
  if (n * each > scope.end - scope.start) throw new DecodeError('length', r.field, r.pos, `count ${n} cannot fit in ${scope.end - scope.start} bytes`);
}

/** N inline {offset, size} string pairs, N from `countField`. */
export function stringArray(countField: string): Field<string[]> {
  return {
    wire: `string-array(${countField})`,
    countField,
    layout: { kind: 'stringArray' },
    fixedSize: -1,
    read(r, scope) {
      const n = counted(scope, r, countField);
      plausible(r, scope, n, 8);
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(string.read(r, scope));
      return out;
    },
    write(b, v) {
      for (const s of v) string.write(b, s);
    },
    show: (v) => v,
  };
}

/** N inline u32s, N from `countField`. */
export function u32Array(countField: string): Field<number[]> {
  return {
    wire: `u32-array(${countField})`,
    countField,
    layout: { kind: 'u32Array' },
    fixedSize: -1,
    read(r, scope) {
      const n = counted(scope, r, countField);
      plausible(r, scope, n, 4);
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(r.u32());
      return out;
    },
    write(b, v) {
      for (const x of v) b.fixed.u32(x);
    },
    show: (v) => v,
  };
}

/** Inline raw bytes: N from `countField`, or the rest of the buffer (QMI-over-MBIM: unpadded). */
export function bytes(countField?: string): Field<Uint8Array> {
  return {
    wire: countField ? `byte-array(${countField})` : 'unsized-byte-array',
    ...(countField ? { countField } : {}),
    fixedSize: -1,
    layout: { kind: 'bytes' },
    read: (r, scope) => (countField ? r.bytesView(counted(scope, r, countField)) : r.rest()),
    write(b, v) {
      b.fixed.bytes(v);
    },
    show: (v) => Buffer.from(v).toString('hex'),
  };
}

const address = (size: 4 | 16): Field<string> => ({
  wire: size === 4 ? 'ipv4' : 'ipv6',
  fixedSize: size,
  layout: { kind: 'address', size },
  read: (r) => (size === 4 ? ipv4FromBytes : ipv6FromBytes)(r.bytesView(size)),
  write(b, v) {
    const raw = size === 4 ? ipv4ToBytes(v) : ipv6ToBytes(v);
    if (!raw) throw new DecodeError('invalid', 'address', b.fixed.pos, `not an IPv${size === 4 ? 4 : 6} address: ${JSON.stringify(v.slice(0, 64))}`);
    b.fixed.bytes(raw);
  },
  show: (v) => v,
});
export const ipv4 = address(4);
export const ipv6 = address(16);

/** A u32 offset to one address; 0 means absent. */
function refAddress(size: 4 | 16): Field<string | undefined> {
  const inner = address(size);
  return {
    wire: `ref-${inner.wire}`,
    fixedSize: 4,
    layout: { kind: 'refAddress', size },
    read(r, scope) {
      const offset = r.u32();
      return offset === 0 ? undefined : inner.read(referenced(r, scope, offset, size, inner.wire, r.pos - 4), scope);
    },
    write(b, v) {
      b.ref(v === undefined ? new Uint8Array(0) : encodeFixed(inner, v), 'offset');
    },
    show: (v) => v ?? null,
  };
}
export const refIpv4 = refAddress(4);
export const refIpv6 = refAddress(16);

function encodeFixed<T>(f: Field<T>, v: T): Uint8Array {
  const b = new Builder();
  f.write(b, v);
  return b.finish();
}

// ---------------------------------------------------------------------------------------------
// Structs

type Shape = Record<string, Field<any>>;
type ValueKeys<S extends Shape> = { [K in keyof S]: S[K] extends { isCount: true } ? never : K }[keyof S];
export type StructType<S extends Shape> = { [K in ValueKeys<S>]: FieldType<S[K]> };

export interface Struct<S extends Shape> extends Field<StructType<S>> {
  readonly shape: S;
  /** Fixed-part size, or -1 when it depends on counts. */
  readonly fixedSize: number;
  /** Reads a whole struct that starts at `r.pos` and may reference bytes up to `end`. */
  readStruct(bytes: Uint8Array, start: number, end: number, fieldBase?: string): StructType<S>;
  /** Encodes the struct alone: fixed part, then its variable part. */
  encode(v: StructType<S>): Uint8Array;
}

export function struct<const S extends Shape>(shape: S): Struct<S> {
  const keys = Object.keys(shape);
  // Each count field takes its value from the array that names it.
  const arrayFor = new Map<string, string>();
  for (const k of keys) {
    const c = shape[k]!.countField;
    if (c !== undefined) {
      if (!shape[c]?.isCount || keys.indexOf(c) > keys.indexOf(k)) throw new Error(`${k}: count field ${c} must be a count() declared before it`);
      arrayFor.set(c, k);
    }
  }
  const sizes = keys.map((k) => shape[k]!.fixedSize);
  const fixedSize = sizes.some((s) => s < 0) ? -1 : sizes.reduce((a, s) => a + s, 0);

  const readFields = (r: Reader, scope: Scope, base: string): StructType<S> => {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const f = shape[k]!;
      r.field = base ? `${base}.${k}` : k;
      const v = f.read(r, scope);
      if (f.isCount) scope.counts.set(k, v as number);
      else out[k] = v;
    }
    return out as StructType<S>;
  };

  const writeFields = (b: Builder, v: StructType<S>): void => {
    const vals = v as Record<string, unknown>;
    for (const k of keys) {
      const f = shape[k]!;
      if (f.isCount) {
        const array = arrayFor.get(k);
        b.fixed.u32(array === undefined ? 0 : (vals[array] as ArrayLike<unknown>).length);
      } else f.write(b, vals[k]);
    }
  };

  const s: Struct<S> = {
    wire: 'struct',
    shape,
    fixedSize,
    layout: { kind: 'struct', shape },
    readStruct(bytes, start, end, base = '') {
      const r = new Reader(bytes, start, end);
      return readFields(r, { bytes, start, end, counts: new Map() }, base);
    },
    encode(v) {
      const b = new Builder();
      writeFields(b, v);
      return b.finish();
    },
    // Inline in an enclosing struct: its fields share the enclosing struct's scope.
    read: (r, scope) => readFields(r, { ...scope, counts: new Map() }, r.field),
    write: (b, v) => writeFields(b, v),
    show(v) {
      const out: Record<string, unknown> = {};
      const vals = v as Record<string, unknown>;
      for (const k of keys) if (!shape[k]!.isCount) out[k] = shape[k]!.show(vals[k]);
      return out;
    },
  };
  return s;
}

/** N inline {offset, size} pairs, each pointing at a struct whose own offsets start from itself. */
export function refStructArray<S extends Shape>(countField: string, element: Struct<S>): Field<StructType<S>[]> {
  return {
    wire: `ref-struct-array(${countField})`,
    countField,
    layout: { kind: 'refStructArray', element },
    fixedSize: -1,
    read(r, scope) {
      const n = counted(scope, r, countField);
      plausible(r, scope, n, 8);
      const out: StructType<S>[] = [];
      const base = r.field;
      for (let i = 0; i < n; i++) {
        r.field = `${base}[${i}]`;
        const offset = r.u32();
        const size = r.u32();
        const sub = referenced(r, scope, offset, size, 'struct', r.pos - 8);
        out.push(element.readStruct(scope.bytes, sub.pos, sub.end, r.field));
      }
      return out;
    },
    write(b, v) {
      for (const e of v) b.ref(element.encode(e), 'offset-size');
    },
    show: (v) => v.map((e) => element.show(e)),
  };
}

/** One u32 offset to N contiguous fixed-size elements (structs or addresses), N from `countField`. */
export function structArray<T>(countField: string, element: Field<T>): Field<T[]> {
  if (element.fixedSize <= 0) throw new Error(`struct-array elements must have a fixed size (${element.wire})`);
  return {
    wire: `struct-array(${countField}) of ${element.wire}`,
    countField,
    layout: { kind: 'structArray', element },
    fixedSize: 4,
    read(r, scope) {
      const n = counted(scope, r, countField);
      const offset = r.u32();
      if (n === 0) return [];
      plausible(r, scope, n, element.fixedSize);
      const sub = referenced(r, scope, offset, n * element.fixedSize, element.wire, r.pos - 4);
      const out: T[] = [];
      const base = r.field;
      for (let i = 0; i < n; i++) {
        sub.field = `${base}[${i}]`;
        out.push(element.read(sub, { ...scope, start: sub.pos, counts: new Map() }));
      }
      return out;
    },
    write(b, v) {
      const w = new Builder();
      for (const e of v) element.write(w, e);
      b.ref(w.finish(), 'offset');
    },
    show: (v) => v.map((e) => element.show(e)),
  };
}

export const EMPTY = struct({});
export type Layout = Struct<Shape>;

/**
 * Decodes an information buffer lying at [start, end) of `bytes` (a whole message can be passed with
 * start 48, so error offsets point into the message).
 */
export const decodeBuffer = <S extends Shape>(layout: Struct<S>, bytes: Uint8Array, start = 0, end = bytes.length): Result<StructType<S>> =>
  catchDecode(() => layout.readStruct(bytes, start, end));
