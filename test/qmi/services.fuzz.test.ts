/**
 * Properties over every message and indication in the registry: decoders return Results on any
 * input, and valid encodings round-trip and survive mutation without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, Reader } from '../../src/wire/index.js';
import { decodeTlvs, encodeTlvs } from '../../src/qmi/codec.js';
import type { TlvMap, TlvValues } from '../../src/qmi/schema.js';
import { services } from '../../src/qmi/registry.js';

interface Block {
  label: string;
  defs: TlvMap;
  response: boolean;
}

const blocks: Block[] = services.flatMap((s) => [
  ...Object.values(s.messages).flatMap((m) => [
    { label: `${s.name}.${m.name} request`, defs: m.request, response: false },
    { label: `${s.name}.${m.name} response`, defs: m.response, response: true },
  ]),
  ...Object.values(s.indications).map((i) => ({ label: `${s.name}.${i.name} indication`, defs: i.tlvs, response: false })),
]);

const SUCCESS = { status: 0, error: 0 };
const ZEROS = new Uint8Array(64);

/**
 * A valid value for every declared TLV, read by its own codec from random bytes (or zeros when the
 * bytes are too short), so the generator follows every layout without knowing it. Optional TLVs
 * are present or not at random.
 */
const valuesFor = (defs: TlvMap): fc.Arbitrary<TlvValues<TlvMap>> =>
  fc
    .tuple(...Object.keys(defs).map(() => fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 40 }))))
    .map((picks) => {
      const out: Record<string, unknown> = {};
      Object.entries(defs).forEach(([key, def], i) => {
        const [present, bytes] = picks[i]!;
        if (!present && !def.mandatory) return;
        try {
          out[key] = def.codec.read(new Reader(bytes));
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          out[key] = def.codec.read(new Reader(ZEROS));
        }
      });
      return out as TlvValues<TlvMap>;
    });

type Mutation = { kind: 'set'; at: number; byte: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; byte: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

function mutate(block: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(block);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === 'insert' ? 1 : 0));
    if (m.kind === 'set' && b.length > 0) b[at] = m.byte;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), m.byte, ...b.subarray(at)]);
  }
  return b;
}

/** TLV-shaped noise: random type bytes from the declared ids, random lengths, random values. */
const tlvNoise = (defs: TlvMap): fc.Arbitrary<Uint8Array> => {
  const ids = [0x02, ...Object.values(defs).map((d) => d.id)];
  return fc
    .array(fc.tuple(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 48 }), fc.integer({ min: -2, max: 2 })), { maxLength: 6 })
    .map((tlvs) => {
      const out: number[] = [];
      for (const [type, value, skew] of tlvs) {
        const len = Math.max(0, value.length + skew);
        out.push(type, len & 0xff, len >> 8, ...value);
      }
      return Uint8Array.from(out);
    });
};

describe.each(blocks)('$label', ({ defs, response }) => {
  it('decodes random bytes and TLV-shaped noise to a Result, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 96 }), tlvNoise(defs)), (bytes) => {
        const r = decodeTlvs(defs, bytes, { response });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips valid values and survives mutations of their encoding', () => {
    fc.assert(
      fc.property(valuesFor(defs), fc.array(mutation, { minLength: 1, maxLength: 4 }), (values, ms) => {
        const block = encodeTlvs(defs, values, response ? { result: SUCCESS } : {});
        const back = decodeTlvs(defs, block, { response });
        if (!back.ok) throw back.error;
        expect(back.value.values).toEqual(values);
        expect(back.value.unknown).toEqual([]);
        const r = decodeTlvs(defs, mutate(block, ms), { response });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 60 },
    );
  });
});
