/**
 * QMI TLV blocks compiled from their declarations. On first use a TLV map gets an encoder, and each
 * of its TLVs a reader: straight-line JavaScript generated from the codecs' layouts (schema.ts), so
 * a message costs no Map, no Reader, no closure per field and no field-name string unless an error
 * needs one. The generated source holds only what the declarations say (ids, sizes, quoted names);
 * values are never part of it. Codecs without a layout are called as declared.
 */
import { DecodeError, Reader, Writer, copyBytes, decodeUtf8, ipv6FromBytes } from '../wire/index.js';
import type { FieldCodec, TlvDef, TlvMap } from './schema.js';

/** Reads one TLV's value, bytes[start, end), as `codec.read(new Reader(value))` would, errors included. */
export type TlvReader = (bytes: Uint8Array, start: number, end: number) => unknown;

export interface CompiledTlvs {
  readonly keys: readonly string[];
  readonly defs: readonly TlvDef[];
  /** Index of the definition for each TLV type, -1 when undeclared. */
  readonly slot: Int16Array;
  readonly readers: readonly TlvReader[];
  /** Scratch for a decode: where each declared TLV starts (-1 absent). Decodes never nest, so one serves all. */
  readonly found: Int32Array;
  /** Bytes the last reader call left unread in its TLV. */
  left(): number;
  encode(values: object, result: { status: number; error: number } | undefined, unknown: readonly { type: number; value: Uint8Array }[] | undefined): Uint8Array;
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const q = (s: string): string => JSON.stringify(s);

/** What generated code calls: errors built only when thrown, and the few reads not worth inlining. */
const helpers = {
  left: 0,
  /** Reader.need()'s error, at an offset relative to the TLV's value. */
  short(field: string, at: number, n: number, left: number): never {
    throw new DecodeError('truncated', field, at, `needs ${n} bytes, ${left} left`);
  },
  utf8: decodeUtf8,
  copy: copyBytes,
  u64: (b: Uint8Array, p: number): bigint => new DataView(b.buffer, b.byteOffset + p, 8).getBigUint64(0, true),
  ipv4Text: (v: number): string => `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`,
  ipv6: (b: Uint8Array, p: number): string => ipv6FromBytes(b, p),
  /** A codec without a layout, read as the interpreted decoder read it. */
  reader(b: Uint8Array, s: number, e: number, p: number, field: string): Reader {
    const r = new Reader(b.subarray(s, e), p - s);
    r.field = field;
    return r;
  },
  string(w: Writer, v: string, prefix: 'none' | 'u8' | 'u16'): void {
    const at = w.pos;
    const head = prefix === 'none' ? 0 : prefix === 'u8' ? 1 : 2;
    w.reserve(head);
    w.utf8(v);
    const n = w.pos - at - head;
    const max = prefix === 'u8' ? 0xff : 0xffff;
    if (n > max) throw new DecodeError('invalid', prefix === 'none' ? 'string' : `string(${prefix})`, at, `string of ${n} bytes exceeds ${max}`);
    if (head === 1) w.patchU8(at, n);
    else if (head === 2) w.patchU16(at, n);
  },
  /** Dotted-quad digits written straight away; any other spelling goes through the codec as declared. */
  ipv4(w: Writer, v: string, codec: FieldCodec<string>): void {
    let value = 0;
    let part = 0;
    let digits = 0;
    let dots = 0;
    for (let i = 0; i <= v.length; i++) {
      const c = i === v.length ? 0x2e : v.charCodeAt(i);
      if (c === 0x2e) {
        if (digits === 0 || part > 255) return codec.write(w, v);
        value = value * 256 + part;
        part = 0;
        digits = 0;
        dots++;
      } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
        part = part * 10 + c - 0x30;
        digits++;
      } else return codec.write(w, v);
    }
    if (dots !== 4) return codec.write(w, v);
    w.u32(value);
  },
  countLie(field: string, pos: number, n: number, left: number): never {
    throw new DecodeError('length', field, pos, `count ${n} exceeds the ${left} bytes left`);
  },
  arrayMax(w: Writer, n: number, max: number): never {
    throw new DecodeError('invalid', 'array', w.pos, `${n} elements exceed ${max}`);
  },
  arrayExact(w: Writer, n: number, got: number): never {
    throw new DecodeError('invalid', 'array', w.pos, `needs exactly ${n} elements, got ${got}`);
  },
  missing(w: Writer, key: string, id: number): never {
    throw new DecodeError('missing', key, w.pos, `mandatory TLV ${hex2(id)} '${key}' has no value`);
  },
  tooLong(key: string, id: number, start: number, len: number): never {
    throw new DecodeError('invalid', key, start, `TLV ${hex2(id)} value of ${len} bytes exceeds 65535`);
  },
};

/** One writer for every encode: messages are copied out of it, so it is free again on return. */
const writer = new Writer(1024);

const INT_READ: Record<string, [size: number, expr: string]> = {
  u8: [1, 'b[p]'],
  i8: [1, '(b[p] << 24) >> 24'],
  u16: [2, '(b[p] | (b[p + 1] << 8))'],
  i16: [2, '(((b[p] | (b[p + 1] << 8)) << 16) >> 16)'],
  u32: [4, '((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0)'],
  i32: [4, '(b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24))'],
  u64: [8, 'H.u64(b, p)'],
};

class Generator {
  private n = 0;
  /** Codecs called as declared, by index. */
  readonly called: FieldCodec<unknown>[] = [];

  name(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  private call(c: FieldCodec<unknown>): string {
    this.called.push(c);
    return `C[${this.called.length - 1}]`;
  }

  /** `need(n)` as Reader does it; `n` is code. `field` is an expression evaluated only on error. */
  private need(n: string, field: string): string {
    return `if (e - p < ${n}) H.short(${field}, p - s, ${n}, e - p);`;
  }

  /** Code that reads codec `c` at `p` into variable `t` (declared by the caller). */
  read(c: FieldCodec<unknown>, t: string, field: string): string {
    const l = c.layout;
    switch (l?.kind) {
      case 'int': {
        const [size, expr] = INT_READ[l.type]!;
        return `${this.need(String(size), field)} ${t} = ${expr}; p += ${size};`;
      }
      case 'bool':
        return `${this.need('1', field)} ${t} = b[p] !== 0; p += 1;`;
      case 'string': {
        const n = this.name('n');
        if (l.prefix === 'none') return `{ const ${n} = e - p < 65535 ? e - p : 65535; ${t} = H.utf8(b, p, p + ${n}); p += ${n}; }`;
        const [size, expr] = INT_READ[l.prefix]!;
        return `{ ${this.need(String(size), field)} const ${n} = ${expr}; p += ${size}; ${this.need(n, field)} ${t} = H.utf8(b, p, p + ${n}); p += ${n}; }`;
      }
      case 'bytes':
        return `${t} = b.subarray(p, e); p = e;`;
      case 'ipv4':
        return `${this.need('4', field)} ${t} = H.ipv4Text(${INT_READ.u32![1]}); p += 4;`;
      case 'ipv6':
        return `${this.need('16', field)} ${t} = H.ipv6(b, p); p += 16;`;
      case 'struct': {
        const keys = Object.keys(l.shape);
        const vars = keys.map(() => this.name('f'));
        const body = keys.map((k, i) => `let ${vars[i]}; ${this.read(l.shape[k]!, vars[i]!, `${field} + ${q(`.${k}`)}`)}`).join('\n');
        return `{ ${body}\n ${t} = { ${keys.map((k, i) => `${q(k)}: ${vars[i]}`).join(', ')} }; }`;
      }
      case 'array': {
        const [size, expr] = INT_READ[l.count]!;
        const [n, i, x] = [this.name('n'), this.name('i'), this.name('x')];
        const element = this.read(l.element, x, `${field} + "[" + ${i} + "]"`);
        // Each element takes at least a byte: a count beyond what is left is a lie, not a loop.
        return `{ ${this.need(String(size), field)} const ${n} = ${expr}; p += ${size}; if (${n} > e - p) H.countLie(${field}, p - s, ${n}, e - p); ${t} = [];
          for (let ${i} = 0; ${i} < ${n}; ${i}++) { let ${x}; ${element} ${t}.push(${x}); } }`;
      }
      case 'fixedArray': {
        const [i, x] = [this.name('i'), this.name('x')];
        return `{ ${t} = []; for (let ${i} = 0; ${i} < ${l.n}; ${i}++) { let ${x}; ${this.read(l.element, x, field)} ${t}.push(${x}); } }`;
      }
      default: {
        const r = this.name('r');
        return `{ const ${r} = H.reader(b, s, e, p, ${field}); ${t} = ${this.call(c)}.read(${r}); p = s + ${r}.pos; }`;
      }
    }
  }

  /** Code that writes expression `v` (a variable) with codec `c` to writer `w`. */
  write(c: FieldCodec<unknown>, v: string): string {
    const l = c.layout;
    switch (l?.kind) {
      case 'int':
        return `w.${l.type}(${v});`;
      case 'bool':
        return `w.u8(${v} ? 1 : 0);`;
      case 'string':
        return `H.string(w, ${v}, ${q(l.prefix)});`;
      case 'bytes':
        return `w.bytes(${v});`;
      case 'ipv4':
        return `H.ipv4(w, ${v}, ${this.call(c)});`;
      case 'struct':
        return Object.keys(l.shape)
          .map((k) => {
            const f = this.name('f');
            return `{ const ${f} = ${v}[${q(k)}]; ${this.write(l.shape[k]!, f)} }`;
          })
          .join('\n');
      case 'array': {
        const max = l.count === 'u8' ? 0xff : l.count === 'u16' ? 0xffff : 0xffffffff;
        const x = this.name('x');
        return `if (${v}.length > ${max}) H.arrayMax(w, ${v}.length, ${max}); w.${l.count}(${v}.length);
          for (const ${x} of ${v}) { ${this.write(l.element, x)} }`;
      }
      case 'fixedArray': {
        const x = this.name('x');
        return `if (${v}.length !== ${l.n}) H.arrayExact(w, ${l.n}, ${v}.length); for (const ${x} of ${v}) { ${this.write(l.element, x)} }`;
      }
      default:
        return `${this.call(c)}.write(w, ${v});`;
    }
  }
}

function compileReader(def: TlvDef, key: string): TlvReader {
  const g = new Generator();
  const body = g.read(def.codec, 't', q(`tlv ${hex2(def.id)} (${key})`));
  const source = `return function read(b, s, e) { let p = s; let t; ${body} H.left = e - p; return t; };`;
  return new Function('H', 'C', source)(helpers, g.called) as TlvReader;
}

function compileEncoder(keys: readonly string[], defs: readonly TlvDef[]): CompiledTlvs['encode'] {
  const g = new Generator();
  const body = keys
    .map((k, i) => {
      const d = defs[i]!;
      const v = g.name('v');
      return `{ const ${v} = values[${q(k)}];
        if (${v} === undefined) { ${d.mandatory ? `if (!failed) H.missing(w, ${q(k)}, ${d.id});` : ''} }
        else { w.u8(${d.id}); const at = w.reserve(2); const start = w.pos; ${g.write(d.codec, v)}
          const len = w.pos - start; if (len > 0xffff) H.tooLong(${q(k)}, ${d.id}, start, len); w.patchU16(at, len); } }`;
    })
    .join('\n');
  const source = `return function encode(values, result, unknown) {
    w.reset();
    if (result) w.u8(2).u16(4).u16(result.status).u16(result.error);
    // A failure response carries only the TLVs that explain it (e.g. call-end reasons).
    const failed = result !== undefined && result.status !== 0;
    ${body}
    if (unknown) for (const t of unknown) w.u8(t.type).u16(t.value.length).bytes(t.value);
    return H.copy(w.finish());
  };`;
  return new Function('H', 'C', 'w', source)(helpers, g.called, writer) as CompiledTlvs['encode'];
}

const compiled = new WeakMap<TlvMap, CompiledTlvs>();

/** The compiled codec of a TLV map, built on first use. */
export function compileTlvs(map: TlvMap): CompiledTlvs {
  let c = compiled.get(map);
  if (c) return c;
  const keys = Object.keys(map);
  const defs = keys.map((k) => map[k]!);
  const slot = new Int16Array(256).fill(-1);
  // libqmi reads the first declaration of an id; a second one is never found.
  defs.forEach((d, i) => {
    if (slot[d.id] === -1) slot[d.id] = i;
  });
  let encode: CompiledTlvs['encode'] | undefined;
  c = {
    keys,
    defs,
    slot,
    readers: defs.map((d, i) => compileReader(d, keys[i]!)),
    found: new Int32Array(defs.length),
    left: () => helpers.left,
    encode: (values, result, unknown) => (encode ??= compileEncoder(keys, defs))(values, result, unknown),
  };
  compiled.set(map, c);
  return c;
}
