/** Random valid values for an MBIM field, from its declared layout (compiled-codec test and the vector recorder). */
import fc from 'fast-check';
import type { Field } from '../../src/mbim/schema.js';
import { ipv6FromBytes } from '../../src/wire/index.js';

export function arbitrary(f: Field<any>): fc.Arbitrary<unknown> {
  const str = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', 'internet', 'é€😀'));
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
  const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(ipv6FromBytes);
  const l = f.layout;
  switch (l.kind) {
    case 'u16':
      return fc.nat(0xffff);
    case 'u32':
      return fc.nat(0xffffffff);
    case 'i32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'u64':
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case 'uuid':
      return fc.uuid();
    case 'string':
    case 'tlvString':
      return str;
    case 'refBytes':
    case 'countedRefBytes':
    case 'bytes':
      return fc.uint8Array({ maxLength: 9 });
    case 'stringArray':
      return fc.array(str, { maxLength: 3 });
    case 'u32Array':
      return fc.array(fc.nat(0xffffffff), { maxLength: 3 });
    case 'tlvU16Array':
      // Odd counts too: their TLVs carry 2 bytes of padding.
      return fc.array(fc.nat(0xffff), { maxLength: 5 });
    case 'address':
      return l.size === 4 ? v4 : v6;
    case 'refAddress':
      return fc.option(l.size === 4 ? v4 : v6, { nil: undefined });
    case 'struct': {
      const record = fc.record(Object.fromEntries(Object.entries(l.shape).filter(([, x]) => !x.isCount).map(([k, x]) => [k, arbitrary(x)])));
      // Byte arrays sharing a count (a packet filter and its mask) get the first one's length.
      const shared = Object.entries(l.shape).filter(([, x]) => x.layout.kind === 'countedRefBytes').map(([k]) => k);
      if (shared.length < 2) return record;
      return record.map((r: Record<string, any>) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, shared.includes(k) ? Uint8Array.from({ length: r[shared[0]!].length }, (_, i) => x[i] ?? i) : x])));
    }
    case 'refStructArray':
    case 'structArray':
      return fc.array(arbitrary(l.element), { maxLength: 3 });
    case 'msStruct':
      return fc.option(arbitrary(l.element), { nil: undefined });
    case 'msStructArray':
      return fc.array(arbitrary(l.element), { maxLength: 3 });
    case 'trailingStruct':
      return arbitrary({ ...f, layout: { kind: 'struct', shape: l.element.shape } });
  }
}
