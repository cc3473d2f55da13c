/**
 * Random TLV value bytes shaped by a QMI field codec's declared layout (the vector recorder): every
 * count, length prefix and fixed size is consistent, so a codec of the same declaration reads them
 * whole. Filtering random bytes until a codec accepts them almost never succeeds for structured TLVs.
 */
import fc from 'fast-check';
import type { FieldCodec } from '../../src/qmi/schema.js';

const le = (n: number | bigint, size: number): number[] => Array.from({ length: size }, (_, i) => Number((BigInt(n) >> BigInt(8 * i)) & 0xffn));
const WIDTH = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8 } as const;

/** Text as UTF-8, or raw bytes that need not be UTF-8 at all. */
const text = (max: number): fc.Arbitrary<number[]> =>
  fc.oneof(
    fc.oneof(fc.string({ maxLength: max }), fc.constantFrom('', 'internet', 'é€😀')).map((s) => [...Buffer.from(s, 'utf8')]),
    fc.uint8Array({ maxLength: max }).map((b) => [...b]),
  );
const counted = (size: number, body: fc.Arbitrary<number[]>): fc.Arbitrary<number[]> => body.map((b) => [...le(b.length, size), ...b]);

export function tlvBytes(c: FieldCodec<any>): fc.Arbitrary<number[]> {
  const l = c.layout;
  if (!l) {
    // The codecs declared without a layout (read as declared by the compiled codec too).
    const fixed = /^string\[(\d+)\]$/.exec(c.wire);
    if (fixed) {
      const n = Number(fixed[1]);
      const digits = fc.array(fc.integer({ min: 0x30, max: 0x39 }), { maxLength: n }).chain((d) => fc.constantFrom(0xff, 0x00).map((pad) => [...d, ...Array<number>(n - d.length).fill(pad)]));
      return fc.oneof(digits, fc.uint8Array({ minLength: n, maxLength: n }).map((b) => [...b]));
    }
    if (c.wire === 'bytes(u16)') return counted(2, fc.uint8Array({ maxLength: 12 }).map((b) => [...b]));
    // Finite floats: a NaN's payload does not survive a JSON vector.
    if (c.wire === 'f32') return fc.float({ noNaN: true }).map((v) => [...new Uint8Array(new Float32Array([v]).buffer)]);
    throw new Error(`no byte shape for the QMI codec ${c.wire}: teach test/support/qmi-arbitrary.ts`);
  }
  switch (l.kind) {
    case 'int': {
      const any = fc.uint8Array({ minLength: WIDTH[l.type], maxLength: WIDTH[l.type] }).map((b) => [...b]);
      // Enums and flags: a named value half of the time, or anything.
      const names = Object.values((c as { names?: Record<string, number> }).names ?? {});
      return names.length ? fc.oneof(fc.constantFrom(...names).map((v) => le(v >>> 0, WIDTH[l.type])), any) : any;
    }
    case 'bool':
      return fc.oneof(fc.constantFrom(0, 1), fc.nat(255)).map((b) => [b]);
    case 'string':
      return l.prefix === 'none' ? text(12) : counted(WIDTH[l.prefix], text(12));
    case 'bytes':
      return fc.uint8Array({ maxLength: 12 }).map((b) => [...b]);
    case 'ipv4':
      return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => [...b]);
    case 'ipv6':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => [...b]);
    case 'struct':
      return fc.tuple(...Object.values(l.shape).map(tlvBytes)).map((parts) => parts.flat());
    case 'array':
      return fc.array(tlvBytes(l.element), { maxLength: 3 }).map((es) => [...le(es.length, WIDTH[l.count]), ...es.flat()]);
    case 'fixedArray':
      return fc.array(tlvBytes(l.element), { minLength: l.n, maxLength: l.n }).map((es) => es.flat());
  }
}
