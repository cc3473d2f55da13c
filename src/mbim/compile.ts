/**
 * MBIM information buffers compiled from their declarations (schema.ts). On first use a struct gets
 * a reader and an encoder: straight-line JavaScript generated from its fields' layouts, so a buffer
 * costs no Reader, scope, count Map or closure per field, and field names are only put together when
 * an error needs them. The generated source holds only what the declarations say (sizes and quoted
 * field names); values are never part of it.
 */
import { DecodeError, Writer, allocBytes, allocWithRoom, decodeUtf16le, decodeUtf8, ipv6FromBytes, parseIpv4Into, parseIpv6Into, uuidAt, writeUuid } from '../wire/index.js';
import { FIXED_SIZE_KINDS, badAddress, compileDirectEncoder, fixedOnly, mismatch } from './compile-direct.js';
import type { Field, Struct } from './schema.js';

/** How a reference is laid out in the fixed part. */
export type RefSlots = 'offset' | 'offset-size' | 'size-offset';

const EMPTY_BYTES = new Uint8Array(0);
/** MBIM_TLV_TYPE_WCHAR_STR. */
const TLV_WCHAR_STR = 10;
/** MBIM_TLV_TYPE_UINT16_TBL. */
const TLV_UINT16_TBL = 11;

/**
 * Accumulates one struct: fixed slots, then variable data with offsets patched on finish(). Offsets
 * are relative to the start of the struct; each variable item is zero-padded to 4 bytes (libmbim's
 * struct builder). Reused: finish() returns a copy.
 */
export class Builder {
  readonly fixed = new Writer(64);
  private readonly variable = new Writer(64);
  /** Where fixed-size elements are written straight into the variable part: their "fixed" writer is it. */
  readonly inline = { fixed: this.variable };
  /** Pairs: fixed-part position of an offset, its value relative to the variable part (nrefs used). */
  private readonly refs: number[] = [];
  private nrefs = 0;

  reset(): this {
    this.fixed.reset();
    this.variable.reset();
    this.nrefs = 0;
    return this;
  }

  private addRef(slot: number, at: number): void {
    this.refs[this.nrefs++] = slot;
    this.refs[this.nrefs++] = at;
  }

  /**
   * Writes the slots pointing at `data` (appended to the variable part): an offset alone, an offset
   * then a size, or a size then an offset (MS UICC). Empty data is offset 0, size 0.
   */
  ref(data: Uint8Array, slots: RefSlots): void {
    if (slots === 'size-offset') this.fixed.u32(data.length);
    if (data.length > 0) this.addRef(this.fixed.pos, this.variable.pos);
    this.fixed.u32(0);
    if (slots === 'offset-size') this.fixed.u32(data.length);
    if (data.length > 0) this.variable.bytes(data).zeros((4 - (data.length % 4)) % 4);
  }

  /** ref(text, 'offset-size') with the text encoded straight into the variable part. */
  text(s: string, utf8: boolean): void {
    const at = this.variable.pos;
    if (utf8) this.variable.utf8(s);
    else this.variable.utf16le(s);
    const n = this.variable.pos - at;
    if (n > 0) this.addRef(this.fixed.pos, at);
    this.fixed.u32(0).u32(n);
    if (n > 0) this.variable.zeros((4 - (n % 4)) % 4);
  }

  /** An address (4 or 16 bytes, no padding needed) referenced by an offset; undefined is offset 0. */
  refAddress(v: string | undefined, size: 4 | 16): void {
    if (v !== undefined) this.addRef(this.fixed.pos, this.variable.pos);
    this.fixed.u32(0);
    // Its error offset is within the address, as when it was encoded on its own.
    if (v !== undefined) writeAddress(this.variable, v, size, 0);
  }

  /** ref(inner.finish(), 'offset') without the copy: the inner struct's bytes appended in place. */
  refNested(inner: Builder): void {
    const n = inner.fixed.pos + inner.variable.pos;
    if (n > 0) this.addRef(this.fixed.pos, this.variable.pos);
    this.fixed.u32(0);
    if (n === 0) return;
    inner.patch();
    this.variable.append(inner.fixed).append(inner.variable).zeros((4 - (n % 4)) % 4);
  }

  /** The offsets made relative to the start of the struct. */
  private patch(): void {
    const fixedLen = this.fixed.pos;
    for (let i = 0; i < this.nrefs; i += 2) this.fixed.patchU32(this.refs[i]!, this.refs[i + 1]! + fixedLen);
  }

  /**
   * An offset to elements about to be written through `inline` (fixed-size, no references of their
   * own, so they need no builder): answers where they start, for padAfter(). None: offset 0.
   */
  refInline(count: number): number {
    if (count > 0) this.addRef(this.fixed.pos, this.variable.pos);
    this.fixed.u32(0);
    return this.variable.pos;
  }

  /** Pads the inline elements written since `start` to 4 bytes. */
  padAfter(start: number): void {
    const n = this.variable.pos - start;
    if (n % 4 !== 0) this.variable.zeros(4 - (n % 4));
  }

  /** The struct's bytes, with `room` spare bytes in front for a message header (allocWithRoom). */
  finish(room: number): Uint8Array {
    this.patch();
    const n = this.fixed.pos + this.variable.pos;
    const out = room > 0 ? allocWithRoom(n, room) : allocBytes(n);
    this.fixed.copyTo(out, 0);
    this.variable.copyTo(out, this.fixed.pos);
    return out;
  }

}

export type StructReader = (bytes: Uint8Array, start: number, end: number, base: string) => unknown;
/** Encodes a struct; `room` spare bytes in front let a message header be written around it without a copy. */
export type StructEncoder = (value: object, room?: number) => Uint8Array;

/** An address's bytes written at w's position; `at` is where an error says it was. */
function writeAddress(w: Writer, v: string, size: 4 | 16, at: number): void {
  const p = w.reserve(size);
  if (!(size === 4 ? parseIpv4Into(v, w.buffer, p) : parseIpv6Into(v, w.buffer, p))) {
    w.pos = p;
    throw badAddress(v, size, at);
  }
}

const truncated = (field: string, at: number, detail: string): DecodeError => new DecodeError('truncated', field, at, detail);

/** What generated code calls: errors built only when thrown, and the reads not worth inlining. */
const helpers = {
  short(field: string, at: number, n: number, left: number): never {
    throw truncated(field, at, `needs ${n} bytes, ${left} left`);
  },
  /** Where an offset read from `slot` points, checked against the scope [ss, se). */
  ref(ss: number, se: number, offset: number, size: number, field: string, what: string, slot: number): number {
    const at = ss + offset;
    if (offset > se - ss || size > se - at) throw truncated(field, slot, `${what} at offset ${offset} size ${size} runs past ${se - ss} bytes`);
    return at;
  },
  /** A count can never exceed what its bytes could hold. */
  plausible(n: number, each: number, ss: number, se: number, field: string, at: number): void {
    if (n * each > se - ss) throw new DecodeError('length', field, at, `count ${n} cannot fit in ${se - ss} bytes`);
  },
  u64: (b: Uint8Array, p: number): bigint => new DataView(b.buffer, b.byteOffset + p, 8).getBigUint64(0, true),
  uuid: uuidAt,
  ipv4: (b: Uint8Array, p: number): string => `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`,
  ipv6: (b: Uint8Array, p: number): string => ipv6FromBytes(b, p),
  utf8: decodeUtf8,
  utf16: decodeUtf16le,
  empty: (): Uint8Array => new Uint8Array(0),
  writeUuid,
  writeAddress,
  EMPTY_BYTES,
  /**
   * A TLV's header at p, checked against `end` and the type wanted (libmbim's _mbim_message_read_tlv):
   * [data start, data size, where the next field starts].
   */
  tlv(b: Uint8Array, p: number, end: number, field: string, type: number, what: string): [number, number, number] {
    if (end - p < 8) throw truncated(field, p, `needs 8 bytes, ${end - p} left`);
    const got = b[p]! | (b[p + 1]! << 8);
    const size = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    const next = p + 8 + size + b[p + 3]!;
    if (next > end) throw truncated(field, p, `TLV of ${size} bytes and ${b[p + 3]} of padding runs past ${end - p} bytes`);
    if (got !== type) throw new DecodeError('invalid', field, p, `TLV type ${got} is not ${what} (${type})`);
    return [p + 8, size, next];
  },
  /** A WCHAR-string TLV at p (libmbim's mbim_tlv_string_get): [string, where the next field starts]. */
  tlvString(b: Uint8Array, p: number, end: number, field: string): [string, number] {
    const [at, size, next] = helpers.tlv(b, p, end, field, TLV_WCHAR_STR, 'a WCHAR string');
    return [decodeUtf16le(b, at, at + (size & ~1)), next];
  },
  /** A UINT16_TBL TLV at p (libmbim's mbim_tlv_guint16_array_get: an odd size is refused): [u16s, where the next field starts]. */
  tlvU16Array(b: Uint8Array, p: number, end: number, field: string): [number[], number] {
    const [at, size, next] = helpers.tlv(b, p, end, field, TLV_UINT16_TBL, 'a UINT16 array');
    if (size % 2 !== 0) throw new DecodeError('length', field, p + 4, `UINT16 array TLV of ${size} bytes: not a multiple of 2`);
    const out: number[] = [];
    for (let i = at; i < at + size; i += 2) out.push(b[i]! | (b[i + 1]! << 8));
    return [out, next];
  },
  /** A TLV's header, then what `data` writes, zero-padded to 4 (the header records the padding). */
  writeTlv(w: Writer, type: number, data: () => void): void {
    const header = w.pos;
    w.u16(type).u8(0).u8(0).u32(0);
    data();
    const size = w.pos - header - 8;
    const padding = (4 - (size % 4)) % 4;
    w.zeros(padding);
    w.buffer[header + 3] = padding;
    w.patchU32(header + 4, size);
  },
  writeTlvString(w: Writer, s: string): void {
    helpers.writeTlv(w, TLV_WCHAR_STR, () => w.utf16le(s));
  },
  writeTlvU16Array(w: Writer, v: readonly number[]): void {
    helpers.writeTlv(w, TLV_UINT16_TBL, () => {
      for (const x of v) w.u16(x);
    });
  },
  mismatch,
  /** An ms-struct-array block: the count, then each element whole (its fixed part, then its strings). */
  msArray(values: readonly object[], encode: StructEncoder): Uint8Array {
    if (values.length === 0) return EMPTY_BYTES;
    const parts = values.map(encode);
    const out = allocBytes(4 + parts.reduce((n, x) => n + x.length, 0));
    new DataView(out.buffer, out.byteOffset, 4).setUint32(0, values.length, true);
    let at = 4;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  },
  /** Where the next ms-struct-array element starts: after this one's fixed part and its strings, each padded to 4. */
  msNext(b: Uint8Array, start: number, size: number, slots: readonly number[]): number {
    let n = start + size;
    for (const s of slots) {
      const p = start + s;
      const z = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      n += z + ((4 - (z % 4)) % 4);
    }
    return n;
  },
};

/**
 * Where the string sizes sit in the fixed part of an ms-struct-array element: each element is followed
 * by its strings, so these say where the next one starts. Other variable fields cannot be placed so.
 */
export function stringSizeSlots(shape: Record<string, Field<unknown>>): number[] {
  const slots: number[] = [];
  let at = 0;
  for (const f of Object.values(shape)) {
    const l = f.layout;
    if (l.kind === 'string') slots.push(at + 4);
    else if (!FIXED_SIZE_KINDS.has(l.kind)) throw new Error(`ms-struct-array elements hold numbers and strings only (${f.wire})`);
    at += f.fixedSize;
  }
  return slots;
}

const q = (s: string): string => JSON.stringify(s);
const u32At = (p: string): string => `((b[${p}] | (b[${p} + 1] << 8) | (b[${p} + 2] << 16) | (b[${p} + 3] << 24)) >>> 0)`;

/** Where a read stands: reader position and end, scope start and end (variable names), counts read. */
interface Ctx {
  p: string;
  re: string;
  ss: string;
  se: string;
  counts: Map<string, string>;
}

class Generator {
  private n = 0;
  /** Compiled element readers/encoders called from the generated code, by index. */
  readonly called: unknown[] = [];
  /** Builders used for nested struct arrays, by depth. */
  depth = 0;

  name(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  private call(f: unknown): string {
    this.called.push(f);
    return `C[${this.called.length - 1}]`;
  }

  private need(n: string, field: string, c: Ctx): string {
    return `if (${c.re} - ${c.p} < ${n}) H.short(${field}, ${c.p}, ${n}, ${c.re} - ${c.p});`;
  }

  private u32(t: string, field: string, c: Ctx): string {
    return `${this.need('4', field, c)} const ${t} = ${u32At(c.p)}; ${c.p} += 4;`;
  }

  /** Reads the fields of a struct at the context's position into an object literal assigned to `t`. */
  struct(shape: Record<string, Field<unknown>>, t: string, base: (k: string) => string, c: Ctx): string {
    const counts = new Map<string, string>();
    const inner: Ctx = { ...c, counts };
    const out: string[] = [];
    const parts: string[] = [];
    for (const [k, f] of Object.entries(shape)) {
      const v = this.name('f');
      if (f.isCount) {
        out.push(this.u32(v, base(k), inner));
        counts.set(k, v);
      } else {
        out.push(`let ${v}; ${this.read(f, v, base(k), inner)}`);
        parts.push(`${q(k)}: ${v}`);
      }
    }
    return `${out.join('\n')}\n${t} = { ${parts.join(', ')} };`;
  }

  /** Code that reads field `f` into the declared variable `t`; `field` is an expression for errors. */
  read(f: Field<unknown>, t: string, field: string, c: Ctx): string {
    const l = f.layout;
    const { p } = c;
    const count = (): string => c.counts.get(f.countField!)!;
    switch (l.kind) {
      case 'u16':
        return `${this.need('2', field, c)} ${t} = b[${p}] | (b[${p} + 1] << 8); ${p} += 2;`;
      case 'u32':
        return `${this.need('4', field, c)} ${t} = ${u32At(p)}; ${p} += 4;`;
      case 'i32':
        return `${this.need('4', field, c)} ${t} = b[${p}] | (b[${p} + 1] << 8) | (b[${p} + 2] << 16) | (b[${p} + 3] << 24); ${p} += 4;`;
      case 'u64':
        return `${this.need('8', field, c)} ${t} = H.u64(b, ${p}); ${p} += 8;`;
      case 'uuid':
        return `${this.need('16', field, c)} ${t} = H.uuid(b, ${p}); ${p} += 16;`;
      case 'string': {
        const [o, z, at] = [this.name('o'), this.name('z'), this.name('a')];
        const what = l.utf8 ? 'utf8-string' : 'string';
        const decode = l.utf8 ? `H.utf8(b, ${at}, ${at} + ${z})` : `H.utf16(b, ${at}, ${at} + (${z} & ~1))`;
        return `{ ${this.u32(o, field, c)} ${this.u32(z, field, c)}
          if (${z} === 0) ${t} = ''; else { const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${z}, ${field}, ${q(what)}, ${p} - 8); ${t} = ${decode}; } }`;
      }
      case 'tlvString':
      case 'tlvU16Array': {
        const r = this.name('r');
        return `{ const ${r} = H.${l.kind}(b, ${p}, ${c.re}, ${field}); ${t} = ${r}[0]; ${p} = ${r}[1]; }`;
      }
      case 'refBytes': {
        const [x, y, at] = [this.name('o'), this.name('z'), this.name('a')];
        const [o, z] = l.sizeFirst ? [y, x] : [x, y];
        const what = l.sizeFirst ? 'uicc-ref-byte-array' : 'ref-byte-array';
        return `{ ${this.u32(x, field, c)} ${this.u32(y, field, c)}
          if (${z} === 0) ${t} = H.empty(); else { const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${z}, ${field}, ${q(what)}, ${p} - 8); ${t} = b.subarray(${at}, ${at} + ${z}); } }`;
      }
      case 'countedRefBytes': {
        const [o, at] = [this.name('o'), this.name('a')];
        return `{ ${this.u32(o, field, c)}
          if (${count()} === 0) ${t} = H.empty(); else { const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${count()}, ${field}, "ref-byte-array", ${p} - 4); ${t} = b.subarray(${at}, ${at} + ${count()}); } }`;
      }
      case 'stringArray':
      case 'u32Array': {
        const [i, x] = [this.name('i'), this.name('x')];
        const each = l.kind === 'stringArray' ? 8 : 4;
        const element = l.kind === 'stringArray' ? this.read({ ...f, layout: { kind: 'string', utf8: false } }, x, field, c) : `${this.need('4', field, c)} ${x} = ${u32At(p)}; ${p} += 4;`;
        return `H.plausible(${count()}, ${each}, ${c.ss}, ${c.se}, ${field}, ${p}); ${t} = [];
          for (let ${i} = 0; ${i} < ${count()}; ${i}++) { let ${x}; ${element} ${t}.push(${x}); }`;
      }
      case 'bytes':
        if (f.countField === undefined) return `${t} = b.subarray(${p}, ${c.re}); ${p} = ${c.re};`;
        return `${this.need(count(), field, c)} ${t} = b.subarray(${p}, ${p} + ${count()}); ${p} += ${count()};`;
      case 'address':
        return `${this.need(String(l.size), field, c)} ${t} = H.ipv${l.size === 4 ? 4 : 6}(b, ${p}); ${p} += ${l.size};`;
      case 'refAddress': {
        const o = this.name('o');
        const what = l.size === 4 ? 'ipv4' : 'ipv6';
        return `{ ${this.u32(o, field, c)}
          ${t} = ${o} === 0 ? undefined : H.${what}(b, H.ref(${c.ss}, ${c.se}, ${o}, ${l.size}, ${field}, ${q(what)}, ${p} - 4)); }`;
      }
      case 'struct':
        return `{ ${this.struct(l.shape, t, (k) => `${field} + ${q(`.${k}`)}`, c)} }`;
      case 'refStructArray': {
        const [i, o, z, at, name] = [this.name('i'), this.name('o'), this.name('z'), this.name('a'), this.name('n')];
        const element = this.call(readerOf(l.element));
        return `H.plausible(${count()}, 8, ${c.ss}, ${c.se}, ${field}, ${p}); ${t} = [];
          for (let ${i} = 0; ${i} < ${count()}; ${i}++) {
            const ${name} = ${field} + "[" + ${i} + "]";
            ${this.u32(o, name, c)} ${this.u32(z, name, c)}
            const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${z}, ${name}, "struct", ${p} - 8);
            ${t}.push(${element}(b, ${at}, ${at} + ${z}, ${name}));
          }`;
      }
      case 'trailingStruct':
        return `${t} = ${this.call(readerOf(l.element))}(b, ${p}, ${c.re}, ${field}); ${p} = ${c.re};`;
      case 'msStruct': {
        const [o, z, at] = [this.name('o'), this.name('z'), this.name('a')];
        return `{ ${this.u32(o, field, c)} ${this.u32(z, field, c)}
          if (${o} === 0) ${t} = undefined; else { const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${z}, ${field}, "ms-struct", ${p} - 8); ${t} = ${this.call(readerOf(l.element))}(b, ${at}, ${at} + ${z}, ${field}); } }`;
      }
      case 'msStructArray': {
        const size = l.element.fixedSize;
        const [o, z, at, n, i, e, name] = [this.name('o'), this.name('z'), this.name('a'), this.name('n'), this.name('i'), this.name('e'), this.name('m')];
        const element = this.call(readerOf(l.element));
        const slots = this.call(stringSizeSlots(l.element.shape));
        return `{ ${this.u32(o, field, c)} ${this.u32(z, field, c)} ${t} = [];
          if (${o} !== 0) {
            const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${z}, ${field}, "ms-struct-array", ${p} - 8);
            if (${z} < 4) H.short(${field}, ${at}, 4, ${z});
            const ${n} = ${u32At(at)};
            H.plausible(${n}, ${size}, ${at} + 4, ${at} + ${z}, ${field}, ${at});
            for (let ${i} = 0, ${e} = ${at} + 4; ${i} < ${n}; ${i}++) {
              const ${name} = ${field} + "[" + ${i} + "]";
              if (${at} + ${z} - ${e} < ${size}) H.short(${name}, ${e}, ${size}, ${at} + ${z} - ${e});
              ${t}.push(${element}(b, ${e}, ${at} + ${z}, ${name}));
              ${e} = H.msNext(b, ${e}, ${size}, ${slots});
            }
          } }`;
      }
      case 'structArray': {
        const size = l.element.fixedSize;
        const [o, at, i, x, sp, sr, es] = [this.name('o'), this.name('a'), this.name('i'), this.name('x'), this.name('p'), this.name('r'), this.name('s')];
        const n = count();
        const sub: Ctx = { p: sp, re: sr, ss: es, se: c.se, counts: new Map() };
        const elementField = `${field} + "[" + ${i} + "]"`;
        const element =
          l.element.layout.kind === 'struct'
            ? this.struct(l.element.layout.shape, x, (k) => `${elementField} + ${q(`.${k}`)}`, sub)
            : this.read(l.element, x, elementField, sub);
        return `{ ${this.u32(o, field, c)}
          if (${n} === 0) ${t} = []; else {
            H.plausible(${n}, ${size}, ${c.ss}, ${c.se}, ${field}, ${p});
            const ${at} = H.ref(${c.ss}, ${c.se}, ${o}, ${n} * ${size}, ${field}, ${q(l.element.wire)}, ${p} - 4);
            let ${sp} = ${at}; const ${sr} = ${at} + ${n} * ${size}; ${t} = [];
            for (let ${i} = 0; ${i} < ${n}; ${i}++) { const ${es} = ${sp}; let ${x}; ${element} ${t}.push(${x}); } } }`;
      }
    }
  }

  /** Code that writes the fields of a struct from the object `v` into builder `B`. */
  writeStruct(shape: Record<string, Field<unknown>>, v: string, B: string): string {
    const arraysFor = new Map<string, string[]>();
    for (const [k, f] of Object.entries(shape)) if (f.countField !== undefined) arraysFor.set(f.countField, [...(arraysFor.get(f.countField) ?? []), k]);
    return Object.entries(shape)
      .map(([k, f]) => {
        if (f.isCount) {
          const [array, ...others] = arraysFor.get(k) ?? [];
          if (array === undefined) return `${B}.fixed.u32(0);`;
          // Arrays sharing a count (a packet filter and its mask) must agree on it.
          const same = others.map((o) => `if (${v}[${q(o)}].length !== ${v}[${q(array)}].length) H.mismatch(${q(o)}, ${q(array)}, ${B}.fixed.pos);`).join(' ');
          return `${same} ${B}.fixed.u32(${v}[${q(array)}].length);`;
        }
        const x = this.name('v');
        return `{ const ${x} = ${v}[${q(k)}]; ${this.write(f, x, B)} }`;
      })
      .join('\n');
  }

  /** Code that writes value `v` of field `f` into builder `B`. */
  write(f: Field<unknown>, v: string, B: string): string {
    const l = f.layout;
    switch (l.kind) {
      case 'u16':
      case 'u32':
      case 'i32':
      case 'u64':
        return `${B}.fixed.${l.kind}(${v});`;
      case 'uuid':
        return `H.writeUuid(${B}.fixed, ${v});`;
      case 'string':
        return `${B}.text(${v}, ${l.utf8});`;
      case 'tlvString':
        return `H.writeTlvString(${B}.fixed, ${v});`;
      case 'tlvU16Array':
        return `H.writeTlvU16Array(${B}.fixed, ${v});`;
      case 'refBytes':
        return `${B}.ref(${v}, ${q(l.sizeFirst ? 'size-offset' : 'offset-size')});`;
      case 'countedRefBytes':
        return `${B}.ref(${v}, "offset");`;
      case 'stringArray': {
        const x = this.name('x');
        return `for (const ${x} of ${v}) ${B}.text(${x}, false);`;
      }
      case 'u32Array': {
        const x = this.name('x');
        return `for (const ${x} of ${v}) ${B}.fixed.u32(${x});`;
      }
      case 'bytes':
        return `${B}.fixed.bytes(${v});`;
      case 'address':
        return `H.writeAddress(${B}.fixed, ${v}, ${l.size}, ${B}.fixed.pos);`;
      case 'refAddress':
        return `${B}.refAddress(${v}, ${l.size});`;
      case 'struct':
        return this.writeStruct(l.shape, v, B);
      case 'refStructArray': {
        const x = this.name('x');
        return `for (const ${x} of ${v}) ${B}.ref(${this.call(encoderOf(l.element))}(${x}), "offset-size");`;
      }
      case 'trailingStruct':
        return `${B}.fixed.bytes(${this.call(encoderOf(l.element))}(${v}));`;
      case 'msStruct':
        return `${B}.ref(${v} === undefined ? H.EMPTY_BYTES : ${this.call(encoderOf(l.element))}(${v}), "offset-size");`;
      case 'msStructArray':
        return `${B}.ref(H.msArray(${v}, ${this.call(encoderOf(l.element))}), "offset-size");`;
      case 'structArray': {
        if (fixedOnly(l.element)) {
          // Written straight after the variable data so far: no nested builder, no copy.
          const [x, at] = [this.name('x'), this.name('a')];
          const I = `${B}.inline`;
          const element = l.element.layout.kind === 'struct' ? this.writeStruct(l.element.layout.shape, x, I) : this.write(l.element, x, I);
          return `{ const ${at} = ${B}.refInline(${v}.length); for (const ${x} of ${v}) { ${element} } ${B}.padAfter(${at}); }`;
        }
        const [x, W] = [this.name('x'), this.name('W')];
        this.depth++;
        const element = l.element.layout.kind === 'struct' ? this.writeStruct(l.element.layout.shape, x, W) : this.write(l.element, x, W);
        const code = `{ const ${W} = P[${this.depth}].reset(); for (const ${x} of ${v}) { ${element} } ${B}.refNested(${W}); }`;
        return code;
      }
    }
  }
}

const readers = new WeakMap<Struct<any>, StructReader>();
const encoders = new WeakMap<Struct<any>, StructEncoder>();

/** The struct's compiled reader: its fields at [start, …), offsets from `start`, references within `end`. */
export function readerOf(s: Struct<any>): StructReader {
  let r = readers.get(s);
  if (r) return r;
  // Built on first call: element structs compile when first met.
  let compiled: StructReader | undefined;
  r = (bytes, start, end, base) => (compiled ??= compileReader(s))(bytes, start, end, base);
  readers.set(s, r);
  return r;
}

export function encoderOf(s: Struct<any>): StructEncoder {
  let e = encoders.get(s);
  if (e) return e;
  let compiled: StructEncoder | undefined;
  e = (v, room = 0) => (compiled ??= directOrBuilder(s))(v, room);
  encoders.set(s, e);
  return e;
}

function compileReader(s: Struct<any>): StructReader {
  const g = new Generator();
  const ctx: Ctx = { p: 'p', re: 'e', ss: 's', se: 'e', counts: new Map() };
  const body = g.struct(s.shape, 't', (k) => `(base ? base + ${q(`.${k}`)} : ${q(k)})`, ctx);
  const source = `return function read(b, s, e, base) { if (e > b.length) e = b.length; let p = s; let t; ${body} return t; };`;
  return new Function('H', 'C', source)(helpers, g.called) as StructReader;
}

function directOrBuilder(s: Struct<any>): StructEncoder {
  const builder = compileBuilderEncoder(s);
  return compileDirectEncoder(s, builder) ?? builder;
}

/** The builder's encoder alone (what direct encoders must match byte for byte). */
export function compileBuilderEncoder(s: Struct<any>): StructEncoder {
  const g = new Generator();
  const body = g.writeStruct(s.shape, 'v', 'B');
  const pool = Array.from({ length: g.depth + 1 }, () => new Builder());
  const source = `return function encode(v, room) { const B = P[0].reset(); ${body} return B.finish(room); };`;
  return new Function('H', 'C', 'P', source)(helpers, g.called, pool) as StructEncoder;
}
