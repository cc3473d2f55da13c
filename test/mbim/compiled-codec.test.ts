/**
 * The compiled information-buffer codec (compile.ts) against the interpreted one it replaced:
 * reference vectors recorded from the interpreted codec for every declared layout (values to
 * bytes; valid, mutated and random bytes to the same value or the same error), and a live
 * round trip of random values over every layout.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBuffer, type Layout, type Struct } from '../../src/mbim/schema.js';
import { DecodeError } from '../../src/wire/index.js';
import { services } from '../../src/mbim/services/index.js';
import { arbitrary } from '../support/mbim-arbitrary.js';

interface Vectors {
  layouts: {
    layout: string;
    encodings: { values: unknown; hex: string }[];
    decodings: { hex: string; start: number; end: number; value?: unknown; error?: unknown }[];
  }[];
}
const vectors = JSON.parse(readFileSync(new URL('./fixtures/buffer-vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromJson = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.$undefined === true) return undefined;
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    if (typeof o.$hex === 'string') return new Uint8Array(Buffer.from(o.$hex, 'hex'));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJson(x)]));
  }
  return v;
};
const toJson = (v: unknown): unknown => {
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $hex: hex(v) };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
};

const layouts = new Map(
  services.flatMap((s) =>
    Object.values(s.cids).flatMap((c) => (['query', 'set', 'response', 'notification'] as const).flatMap((k) => (c[k] ? [[`${s.name}.${c.name}.${k}`, c[k]] as [string, Layout]] : []))),
  ),
);

/**
 * Layouts using field kinds the interpreted codec never had (i32, ms-struct, ms-struct-array,
 * count-sized byte references, MBIMEx 3.0's TLV strings and u16 arrays) and Basic Connect's MBIMEx 2.0/3.0 revisions: no oracle to record from. libmbim is theirs: the real mbimcli decodes
 * our encodings of them and sends the queries we send (test/mbim/mbimcli.test.ts), beside the round trip below. All 35 go through
 * libmbim 1.28's own parsers and builders in test/mbim/libmbim-oracle.test.ts.
 */
const newerKinds = new RegExp(
  [
    /^(basic-connect\.(ipPacketFilters|\w+V[23])|ms-basic-connect-extensions\.baseStationsInfo(V3)?)\./.source,
    // mbimx3: Modem Configuration as libmbim 1.28 declares it (the configuration name a TLV string); its old vectors, from a raw-bytes reading, are gone.
    /^ms-basic-connect-extensions\.modemConfiguration\.(response|notification)$/.source,
    // caps3: MBIMEx 3.0 Device Caps (its bands as TLV u16 arrays, strings as TLV strings), checked against libmbim in libmbim-oracle.test.ts.
    /^ms-basic-connect-extensions\.deviceCapsV3\./.source,
  ].join('|'),
);

describe('compiled MBIM information-buffer codec', () => {
  it('has vectors for every declared layout', () => {
    expect(vectors.layouts.map((l) => l.layout).sort()).toEqual([...layouts.keys()].filter((k) => !newerKinds.test(k)).sort());
    expect([...layouts.keys()].filter((k) => newerKinds.test(k))).toHaveLength(37);
  });

  it.each(vectors.layouts.map((l) => [l.layout, l] as const))('%s: same bytes and same decodings as the interpreted codec', (name, l) => {
    const layout = layouts.get(name)!;
    for (const e of l.encodings) expect(hex(layout.encode(fromJson(e.values) as never))).toBe(e.hex);
    for (const d of l.decodings) {
      const r = decodeBuffer(layout, new Uint8Array(Buffer.from(d.hex, 'hex')), d.start, d.end);
      const got = r.ok ? { value: toJson(r.value) } : { error: { code: r.error.code, field: r.error.field, offset: r.error.offset, message: r.error.message } };
      const { hex: _h, start: _s, end: _e, ...want } = d;
      expect(got).toEqual(want);
    }
  });

  it('round-trips random values of every layout', () => {
    const all = [...layouts.values()];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }).chain((i) => fc.tuple(fc.constant(all[i]!), arbitrary(all[i]!))),
        ([layout, value]) => {
          const back = decodeBuffer(layout, layout.encode(value as never));
          if (!back.ok) throw back.error;
          expect(toJson(back.value)).toEqual(toJson(value));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('encodes directly the same bytes, and refuses the same values with the same errors, as the builder', async () => {
    const { compileBuilderEncoder, encoderOf } = await import('../../src/mbim/compile.js');
    const structs = [...layouts.values()].filter((l): l is Layout & Struct<any> => 'shape' in l);
    const outcome = (f: () => Uint8Array): unknown => {
      try {
        return hex(f());
      } catch (e) {
        return e instanceof DecodeError ? { code: e.code, field: e.field, offset: e.offset, message: e.message } : String(e);
      }
    };
    // Junk where a field's value goes: wrong types, bad addresses and UUIDs, sparse and odd arrays.
    const junk = fc.constantFrom<unknown>(undefined, null, 7, -1, 1.5, 'x', '10.0.0.300', '2001:db8:::1', 'not-a-uuid', [], [undefined], [{}], [7], {}, 2n ** 70n, new Uint8Array(3));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: structs.length - 1 }).chain((i) =>
          fc.tuple(fc.constant(structs[i]!), arbitrary(structs[i]!), fc.option(fc.tuple(fc.nat(), junk), { nil: undefined }), fc.nat(64)),
        ),
        ([layout, value, spoil, room]) => {
          const v = { ...(value as Record<string, unknown>) };
          if (spoil) {
            const keys = Object.keys(v);
            if (keys.length > 0) v[keys[spoil[0] % keys.length]!] = spoil[1];
          }
          expect(outcome(() => encoderOf(layout)(v, room))).toEqual(outcome(() => compileBuilderEncoder(layout)(v, room)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses a bad address inside an array of addresses with a DecodeError, and encodes the next value whole', async () => {
    const { basicConnect, ipConfigurationQuery } = await import('../../src/mbim/services/basic-connect.js');
    const { DecodeError } = await import('../../src/wire/index.js');
    const layout = basicConnect.cids.ipConfiguration.response;
    const good = { ...ipConfigurationQuery(1), ipv4DnsServer: ['10.0.0.1', '10.0.0.2'], ipv6DnsServer: ['2001:db8::53'] };
    const want = hex(layout.encode(good));
    for (const bad of [{ ipv4DnsServer: ['10.0.0.1', '10.0.0.256'] }, { ipv6DnsServer: ['2001:db8:::1'] }, { ipv4Address: [{ onLinkPrefixLength: 24, address: 'x' }] }]) {
      expect(() => layout.encode({ ...good, ...bad })).toThrow(DecodeError);
      // The reused builder starts over: nothing of the refused value leaks into the next message.
      expect(hex(layout.encode(good))).toBe(want);
    }
  });
});
