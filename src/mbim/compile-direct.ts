/**
 * Direct encoders: for a struct whose encoded size follows from its value's array and string lengths
 * alone (numbers, UUIDs, addresses, UTF-16 strings, optional addresses, arrays of fixed-size elements,
 * inline structs of those), the generated code sizes the buffer first and then writes every field at
 * its place in it: no builder, no patching of offsets, no copy. The bytes are the builder's (compile.ts)
 * to the byte, errors included; a value whose arrays or strings are not what the declaration says goes
 * to the builder's encoder, which refuses it as it always did.
 */
import { putUtf16le } from '../wire/bytes.js';
import { DecodeError, allocBytes, allocWithRoom, badUuid, parseIpv4Into, parseIpv6Into, parseUuidInto } from '../wire/index.js';
import type { Field, Struct } from './schema.js';

/** Layouts of a fixed size that hold no reference: numbers, UUIDs, addresses. */
export const FIXED_SIZE_KINDS = new Set(['u16', 'u32', 'i32', 'u64', 'uuid', 'address']);

/** Elements of only fixed-size fields (numbers, UUIDs, addresses): they hold no references. */
export function fixedOnly(f: Field<unknown>): boolean {
  const l = f.layout;
  if (l.kind === 'struct') return Object.values(l.shape).every((e) => !e.isCount && fixedOnly(e));
  return FIXED_SIZE_KINDS.has(l.kind);
}

type Encoder = (value: object, room?: number) => Uint8Array;

/** The error for a value that is no IPv4/IPv6 address, at `at` (both encoders' wording). */
export const badAddress = (v: string, size: 4 | 16, at: number): DecodeError =>
  new DecodeError('invalid', 'address', at, `not an IPv${size === 4 ? 4 : 6} address: ${JSON.stringify(String(v).slice(0, 64))}`);

/** Arrays sharing one count (a packet filter and its mask) of different lengths. */
export function mismatch(a: string, b: string, at: number): never {
  throw new DecodeError('invalid', a, at, `${a} must be as long as ${b} (they share one count)`);
}

const helpers = {
  alloc: (n: number, room: number): Uint8Array => (room > 0 ? allocWithRoom(n, room) : allocBytes(n)),
  /** An address into b at `at`; `errAt` is where the builder's error says it was. */
  address(b: Uint8Array, at: number, v: string, size: 4 | 16, errAt: number): void {
    if (!(size === 4 ? parseIpv4Into(v, b, at) : parseIpv6Into(v, b, at))) throw badAddress(v, size, errAt);
  },
  uuid(b: Uint8Array, at: number, v: string, errAt: number): void {
    if (!parseUuidInto(v, b, at)) throw badUuid(v, errAt);
  },
  /** DataView's conversion, as the builder's writer does (a number throws). */
  u64: (b: Uint8Array, at: number, v: bigint): void => new DataView(b.buffer, b.byteOffset + at, 8).setBigUint64(0, v, true),
  utf16: putUtf16le,
  mismatch,
};

const q = (s: string): string => JSON.stringify(s);
/** A u32 (or u16) stored little-endian at b[at] after `+x`, as the writer converts it. */
const put32 = (at: string, x: string): string => `{ const w = +${x}; b[${at}] = w; b[${at} + 1] = w >> 8; b[${at} + 2] = w >> 16; b[${at} + 3] = w >>> 24; }`;
const put16 = (at: string, x: string): string => `{ const w = +${x}; b[${at}] = w; b[${at} + 1] = w >> 8; }`;
const pad4 = (n: string): string => `((${n} + 3) & ~3)`;

/** Whether every field can be sized from lengths and written in place. */
function directable(shape: Record<string, Field<unknown>>): boolean {
  return Object.values(shape).every((f) => {
    const l = f.layout;
    if (f.isCount || FIXED_SIZE_KINDS.has(l.kind) || l.kind === 'refAddress') return true;
    if (l.kind === 'string') return !l.utf8;
    if (l.kind === 'struct') return directable(l.shape);
    return l.kind === 'structArray' && fixedOnly(l.element);
  });
}

class Generator {
  private n = 0;
  /** Statements that read each array or string once and add its variable bytes to `n` (or go to the builder). */
  readonly sizing: string[] = [];
  /** The value's arrays and strings, by field path, as read by `sizing`. */
  private readonly held = new Map<string, string>();

  name(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  /** Reads `v[k]` once for sizing (a getter cannot change it between sizing and writing); later writes use the same variable. */
  private hold(v: string, k: string, check: string, size: (x: string) => string): string {
    const x = this.name('h');
    this.sizing.push(`const ${x} = ${v}[${q(k)}]; if (${check.replaceAll('$', x)}) return S(v, room); n += ${size(x)};`);
    this.held.set(`${v}.${k}`, x);
    return x;
  }

  /**
   * Writes a fixed-size element's fields at `at` + their offsets (`at` an expression); `rel` is the
   * variable-part position its errors name, as the builder's inline writer had it.
   */
  private element(f: Field<unknown>, x: string, at: string, rel: string): string {
    const l = f.layout;
    switch (l.kind) {
      case 'struct': {
        let off = 0;
        const out: string[] = [];
        for (const [k, e] of Object.entries(l.shape)) {
          const y = this.name('e');
          out.push(`{ const ${y} = ${x}[${q(k)}]; ${this.element(e, y, `${at} + ${off}`, `${rel} + ${off}`)} }`);
          off += e.fixedSize;
        }
        return out.join(' ');
      }
      case 'u16':
        return put16(at, x);
      case 'u32':
      case 'i32':
        return put32(at, x);
      case 'u64':
        return `H.u64(b, ${at}, ${x});`;
      case 'uuid':
        return `H.uuid(b, ${at}, ${x}, ${rel});`;
      case 'address':
        return `H.address(b, ${at}, ${x}, ${l.size}, ${rel});`;
      default:
        throw new Error(`not a fixed-size field: ${f.wire}`);
    }
  }

  /**
   * Writes the fields of `shape` from object `v`, the first at fixed offset `base`; variable data goes
   * at `d` (a variable), whose start is `fixed` (for error offsets relative to the variable part).
   */
  struct(shape: Record<string, Field<unknown>>, v: string, base: number, fixed: number): string {
    const arraysFor = new Map<string, string[]>();
    for (const [k, f] of Object.entries(shape)) if (f.countField !== undefined) arraysFor.set(f.countField, [...(arraysFor.get(f.countField) ?? []), k]);
    // Sizing first, in field order, so the code below finds every array and string already held.
    for (const [k, f] of Object.entries(shape)) {
      const l = f.layout;
      if (l.kind === 'string') this.hold(v, k, `typeof $ !== "string"`, (x) => pad4(`${x}.length * 2`));
      else if (l.kind === 'refAddress') this.hold(v, k, 'false', (x) => `(${x} !== undefined ? ${l.size} : 0)`);
      else if (l.kind === 'structArray') this.hold(v, k, `!Array.isArray($)`, (x) => pad4(`${x}.length * ${l.element.fixedSize}`));
      else if (l.kind === 'struct') this.hold(v, k, `$ === null || typeof $ !== "object"`, () => '0');
    }
    const out: string[] = [];
    let off = base;
    for (const [k, f] of Object.entries(shape)) {
      const l = f.layout;
      const at = String(off);
      if (f.isCount) {
        const [array, ...others] = arraysFor.get(k) ?? [];
        if (array === undefined) out.push(put32(at, '0'));
        else {
          const a = this.held.get(`${v}.${array}`)!;
          for (const o of others) out.push(`if (${this.held.get(`${v}.${o}`)!}.length !== ${a}.length) H.mismatch(${q(o)}, ${q(array)}, ${at});`);
          out.push(put32(at, `${a}.length`));
        }
      } else if (l.kind === 'struct') {
        out.push(this.struct(l.shape, this.held.get(`${v}.${k}`)!, off, fixed));
      } else if (l.kind === 'string') {
        const x = this.held.get(`${v}.${k}`)!;
        out.push(`if (${x}.length > 0) { ${put32(at, 'd')} ${put32(`${at} + 4`, `${x}.length * 2`)} H.utf16(b, d, ${x}); d += ${pad4(`${x}.length * 2`)}; }`);
      } else if (l.kind === 'refAddress') {
        const x = this.held.get(`${v}.${k}`)!;
        out.push(`if (${x} !== undefined) { ${put32(at, 'd')} H.address(b, d, ${x}, ${l.size}, 0); d += ${l.size}; }`);
      } else if (l.kind === 'structArray') {
        const [x, i, e] = [this.held.get(`${v}.${k}`)!, this.name('i'), this.name('x')];
        const size = l.element.fixedSize;
        out.push(`if (${x}.length > 0) { ${put32(at, 'd')}
          for (let ${i} = 0; ${i} < ${x}.length; ${i}++, d += ${size}) { const ${e} = ${x}[${i}]; ${this.element(l.element, e, 'd', `d - ${fixed}`)} }
          d = ${pad4('d')}; }`);
      } else {
        const x = this.name('f');
        out.push(`{ const ${x} = ${v}[${q(k)}]; ${this.element(f, x, at, at)} }`);
      }
      off += f.fixedSize;
    }
    return out.join('\n');
  }
}

/**
 * The struct's direct encoder, or undefined where its size needs more than lengths (UTF-8 strings,
 * references to structs, inline arrays): those keep the builder. `builder` encodes what the direct
 * path will not (a value that is not what its declaration says), so it fails as before.
 */
export function compileDirectEncoder(s: Struct<any>, builder: Encoder): Encoder | undefined {
  if (s.fixedSize < 0 || !directable(s.shape)) return undefined;
  const g = new Generator();
  const body = g.struct(s.shape, 'v', 0, s.fixedSize);
  const source = `return function encode(v, room = 0) {
    let n = ${s.fixedSize};
    ${g.sizing.join('\n')}
    const b = H.alloc(n, room);
    let d = ${s.fixedSize};
    ${body}
    return b;
  };`;
  return new Function('H', 'S', source)(helpers, builder) as Encoder;
}
