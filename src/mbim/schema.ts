/**
 * MBIM information buffers as data (PROTOCOLS.md A.3.3). A layout lists its fields in wire order;
 * each field knows its slot in the fixed part and, for strings, arrays and references, what it puts in
 * the variable part. Offsets are relative to the start of the enclosing struct; the variable part is
 * written in field order, each item zero-padded to 4 bytes (libmbim's struct builder). Encoders and
 * decoders are compiled from these declarations (compile.ts); printers and the TypeScript types come
 * from them too.
 */
import { catchDecode, type Result } from '../wire/index.js';
import { encoderOf, readerOf, stringSizeSlots } from './compile.js';
import { COMMAND_HEADER_SIZE } from './message.js';

export interface Field<T> {
  /** Short wire description for people, e.g. `string`, `ref-struct-array(Cids)`. */
  readonly wire: string;
  /** Bytes taken in the fixed part (-1: the rest of the buffer). */
  readonly fixedSize: number;
  /** Set on count fields: their value is the length of the array naming them, not part of the value. */
  readonly isCount?: true;
  /** Set on arrays: the count field holding their length. */
  readonly countField?: string;
  /** What it is on the wire, from which compile.ts generates the reader and encoder. */
  readonly layout: FieldLayout;
  /** A JSON-friendly rendering: names for enums and flags, text for bytes and big numbers. */
  show(v: T): unknown;
}

/** A field's wire shape as data. */
export type FieldLayout =
  | { kind: 'u16' | 'u32' | 'i32' | 'u64' | 'uuid' }
  /** {offset, size} → UTF-16LE (an odd size drops its last byte) or UTF-8; empty is offset 0 size 0. */
  | { kind: 'string'; utf8: boolean }
  /** MBIMEx 3.0: an inline TLV (type u16 = 10, reserved u8, padding u8, length u32, UTF-16LE padded to 4). */
  | { kind: 'tlvString' }
  /** MBIMEx 3.0: an inline TLV of type 11 (UINT16_TBL) holding u16s, padded to 4 (libmbim's tlv-guint16-array). */
  | { kind: 'tlvU16Array' }
  /** {offset, size} (libmbim's ref-byte-array), or {size, offset} as MS UICC lays them out. */
  | { kind: 'refBytes'; sizeFirst: boolean }
  /** A u32 offset to N bytes, N from the count field (which several arrays may share). */
  | { kind: 'countedRefBytes' }
  /** N inline {offset, size} strings, or N inline u32s, N from the count field. */
  | { kind: 'stringArray' | 'u32Array' }
  /** Inline bytes: N from the count field, or the rest of the buffer. */
  | { kind: 'bytes' }
  /** An inline address, or a u32 offset to one (0: absent). */
  | { kind: 'address' | 'refAddress'; size: 4 | 16 }
  /** Inline: its fields share the enclosing struct's offsets. */
  | { kind: 'struct'; shape: Record<string, Field<any>> }
  /** N inline {offset, size} pairs, each pointing at a struct whose own offsets start from itself. */
  | { kind: 'refStructArray'; element: Struct<any> }
  /** One u32 offset to N contiguous fixed-size elements (structs or addresses). */
  | { kind: 'structArray'; element: Field<any> }
  /** A struct inline at the end of the buffer whose own offsets count from its start. */
  | { kind: 'trailingStruct'; element: Struct<any> }
  /** {offset, size} → one struct (offset 0: absent), as MS Basic Connect Extensions lays out a serving cell. */
  | { kind: 'msStruct'; element: Struct<any> }
  /**
   * {offset, size} → a u32 count then that many structs back to back, each its fixed part followed by
   * its strings (offsets from the element's start), offset 0: none (libmbim's ms-struct-array, as fixed
   * in 1.30; 1.28 reads every element at the first one's place).
   */
  | { kind: 'msStructArray'; element: Struct<any> };

export type FieldType<F> = F extends Field<infer T> ? T : never;

const field = <T>(wire: string, fixedSize: number, layout: FieldLayout, show: Field<T>['show'] = (v) => v): Field<T> => ({ wire, fixedSize, layout, show });

export const u16 = field<number>('u16', 2, { kind: 'u16' });
export const u32 = field<number>('u32', 4, { kind: 'u32' });
/** Signed (dBm values in cell info). */
export const i32 = field<number>('i32', 4, { kind: 'i32' });
export const u64 = field<bigint>('u64', 8, { kind: 'u64' }, (v) => v.toString());

/** A u32 holding the number of elements of a later array; the array names it. */
export const count: Field<number> & { isCount: true } = { ...u32, wire: 'count(u32)', isCount: true };

export const uuid = field<string>('uuid', 16, { kind: 'uuid' });

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

/** {offset, size} → UTF-16LE, no terminator; empty is offset 0 size 0. An odd size drops its last byte. */
export const string = field<string>('string', 8, { kind: 'string', utf8: false });

/** MBIMEx 3.0's tlv-string: a WCHAR-string TLV inline, where MBIM 1.0 puts {offset, size}. */
export const tlvString = field<string>('tlv-string', -1, { kind: 'tlvString' });

/** MBIMEx 3.0's tlv-guint16-array: u16s (band numbers) in a UINT16_TBL TLV inline. */
export const tlvU16Array = field<number[]>('tlv-guint16-array', -1, { kind: 'tlvU16Array' });

/** {offset, size} → UTF-8 (MS UICC application names); empty is offset 0 size 0. */
export const utf8String = field<string>('utf8-string', 8, { kind: 'string', utf8: true });

const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');

/**
 * Referenced raw bytes: {offset, size} (libmbim's ref-byte-array), or {size, offset} as the MS UICC
 * low-level access service lays them out (uicc-ref-byte-array).
 */
export const refBytes = field<Uint8Array>('ref-byte-array', 8, { kind: 'refBytes', sizeFirst: false }, hex);
export const uiccRefBytes = field<Uint8Array>('uicc-ref-byte-array', 8, { kind: 'refBytes', sizeFirst: true }, hex);

/** An offset to bytes sized by `countField`; arrays sharing that count must be as long as each other. */
export const countedRefBytes = (countField: string): Field<Uint8Array> => ({ ...field<Uint8Array>(`ref-byte-array(${countField})`, 4, { kind: 'countedRefBytes' }, hex), countField });

/** N inline {offset, size} string pairs, N from `countField`. */
export const stringArray = (countField: string): Field<string[]> => ({ ...field<string[]>(`string-array(${countField})`, -1, { kind: 'stringArray' }), countField });

/** N inline u32s, N from `countField`. */
export const u32Array = (countField: string): Field<number[]> => ({ ...field<number[]>(`u32-array(${countField})`, -1, { kind: 'u32Array' }), countField });

/** Inline raw bytes: N from `countField`, or the rest of the buffer (QMI-over-MBIM: unpadded). */
export const bytes = (countField?: string): Field<Uint8Array> => ({
  ...field<Uint8Array>(countField ? `byte-array(${countField})` : 'unsized-byte-array', -1, { kind: 'bytes' }, hex),
  ...(countField ? { countField } : {}),
});

export const ipv4 = field<string>('ipv4', 4, { kind: 'address', size: 4 });
export const ipv6 = field<string>('ipv6', 16, { kind: 'address', size: 16 });

/** A u32 offset to one address; 0 means absent. */
export const refIpv4 = field<string | undefined>('ref-ipv4', 4, { kind: 'refAddress', size: 4 }, (v) => v ?? null);
export const refIpv6 = field<string | undefined>('ref-ipv6', 4, { kind: 'refAddress', size: 16 }, (v) => v ?? null);

// ---------------------------------------------------------------------------------------------
// Structs

type Shape = Record<string, Field<any>>;
type ValueKeys<S extends Shape> = { [K in keyof S]: S[K] extends { isCount: true } ? never : K }[keyof S];
export type StructType<S extends Shape> = { [K in ValueKeys<S>]: FieldType<S[K]> };

export interface Struct<S extends Shape> extends Field<StructType<S>> {
  readonly shape: S;
  /** Fixed-part size, or -1 when it depends on counts. */
  readonly fixedSize: number;
  /** Reads a whole struct that starts at `start` and may reference bytes up to `end`; throws a DecodeError. */
  readStruct(bytes: Uint8Array, start: number, end: number, fieldBase?: string): StructType<S>;
  /** Encodes the struct alone: fixed part, then its variable part. Throws a DecodeError for values it cannot carry. */
  encode(v: StructType<S>): Uint8Array;
}

export function struct<const S extends Shape>(shape: S): Struct<S> {
  const keys = Object.keys(shape);
  // Each count field takes its value from the array that names it.
  for (const k of keys) {
    const c = shape[k]!.countField;
    if (c !== undefined && (!shape[c]?.isCount || keys.indexOf(c) > keys.indexOf(k))) throw new Error(`${k}: count field ${c} must be a count() declared before it`);
  }
  const sizes = keys.map((k) => shape[k]!.fixedSize);
  const fixedSize = sizes.some((s) => s < 0) ? -1 : sizes.reduce((a, s) => a + s, 0);
  const s: Struct<S> = {
    wire: 'struct',
    shape,
    fixedSize,
    layout: { kind: 'struct', shape },
    readStruct: (bytes, start, end, base = '') => readerOf(s)(bytes, start, end, base) as StructType<S>,
    // Room for the message header in front: encodeFragments writes it there instead of copying.
    encode: (v) => encoderOf(s)(v, COMMAND_HEADER_SIZE),
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
  return { ...field<StructType<S>[]>(`ref-struct-array(${countField})`, -1, { kind: 'refStructArray', element }, (v) => v.map((e) => element.show(e))), countField };
}

/** One u32 offset to N contiguous fixed-size elements (structs or addresses), N from `countField`. */
export function structArray<T>(countField: string, element: Field<T>): Field<T[]> {
  if (element.fixedSize <= 0) throw new Error(`struct-array elements must have a fixed size (${element.wire})`);
  return { ...field<T[]>(`struct-array(${countField}) of ${element.wire}`, 4, { kind: 'structArray', element }, (v) => v.map((e) => element.show(e))), countField };
}

/**
 * A struct inline at the end of its buffer whose offsets count from its own start, as libmbim lays
 * out a `struct` field (SMS Send's PDU record).
 */
export function trailingStruct<S extends Shape>(element: Struct<S>): Field<StructType<S>> {
  return field<StructType<S>>(`struct(${Object.keys(element.shape).join(', ')})`, -1, { kind: 'trailingStruct', element }, (v) => element.show(v));
}

/** {offset, size} → one struct; absent (undefined) is offset 0, size 0. */
export function msStruct<S extends Shape>(element: Struct<S>): Field<StructType<S> | undefined> {
  return field<StructType<S> | undefined>(`ms-struct(${Object.keys(element.shape).join(', ')})`, 8, { kind: 'msStruct', element }, (v) => (v === undefined ? null : element.show(v)));
}

/** {offset, size} → count, then the elements back to back; the elements need a fixed size. */
export function msStructArray<S extends Shape>(element: Struct<S>): Field<StructType<S>[]> {
  if (element.fixedSize <= 0) throw new Error(`ms-struct-array elements must have a fixed size (${element.wire})`);
  stringSizeSlots(element.shape); // numbers and strings only: throws here, at declaration
  return field<StructType<S>[]>(`ms-struct-array(${Object.keys(element.shape).join(', ')})`, 8, { kind: 'msStructArray', element }, (v) => v.map((e) => element.show(e)));
}

export const EMPTY = struct({});
export type Layout = Struct<Shape>;

/**
 * Decodes an information buffer lying at [start, end) of `bytes` (a whole message can be passed with
 * start 48, so error offsets point into the message).
 */
export const decodeBuffer = <S extends Shape>(layout: Struct<S>, bytes: Uint8Array, start = 0, end = bytes.length): Result<StructType<S>> =>
  catchDecode(() => layout.readStruct(bytes, start, end));
