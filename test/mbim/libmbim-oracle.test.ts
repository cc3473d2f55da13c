/**
 * libmbim 1.28 as an independent oracle for the 35 MBIMEx layouts the interpreted codec never had (no
 * recorded vectors: `newerKinds` in compiled-codec.test.ts). test/mbim/oracle/libmbim-oracle.c, one process
 * per layout:
 * - responses and notifications: our encodings of random values, wrapped in a command-done or
 *   indicate-status message, go through libmbim's own *_response_parse / *_notification_parse, which must
 *   give back every field as we declared it;
 * - queries and sets: the same values go to libmbim's own *_query_new / *_set_new, whose information
 *   buffer (and service, CID, command type) must be ours byte for byte. Where MBIMEx 2.0/3.0 kept MBIM
 *   1.0's request (libmbim's v2/v3 declarations say "same as in v1"), that is libmbim's v1 builder.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import type { Field, Layout } from '../../src/mbim/schema.js';
import { services } from '../../src/mbim/services/index.js';
import { msBasicConnectExtensions } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { arbitrary } from '../support/mbim-arbitrary.js';
import { itWithTools } from '../support/tools.js';

const hasMbimGlib = ((): boolean => {
  try {
    execFileSync('pkg-config', ['--exists', 'mbim-glib'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// libmbim-glib-dev's pkg-config file stands for the library here.
const it = itWithTools(['cc', 'pkg-config', ...(hasMbimGlib ? [] : ['mbim-glib.pc (libmbim-glib-dev)'])]);
const dir = mkdtempSync(join(tmpdir(), `wwankit-libmbim-oracle-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let oracle: string | undefined;
/** One oracle process for a kind: one output line per input line. */
const run = (kind: string, lines: string[]): string[] => {
  if (!oracle) {
    oracle = join(dir, 'libmbim-oracle');
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'mbim-glib'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('cc', ['-O1', '-o', oracle, new URL('./oracle/libmbim-oracle.c', import.meta.url).pathname, ...flags]);
  }
  const out = execFileSync(oracle, [kind], { input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8' });
  return out.split('\n').slice(0, -1);
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A value as the oracle's tokens, each beside the path of the field it came from (see libmbim-oracle.c). */
function tokens(f: Field<any>, v: any, path: string, out: [string, string][] = []): [string, string][] {
  const l = f.layout;
  const list = (element: Field<any>): void => {
    out.push([`${path}.length`, String(v.length)]);
    v.forEach((e: unknown, i: number) => tokens(element, e, `${path}[${i}]`, out));
  };
  switch (l.kind) {
    case 'u16':
    case 'u32':
    case 'i32':
    case 'u64':
      out.push([path, String(v)]);
      break;
    case 'uuid':
      out.push([path, v.toLowerCase()]);
      break;
    case 'string':
    case 'tlvString':
      out.push([path, `s${Buffer.from(v, 'utf8').toString('hex')}`]);
      break;
    case 'bytes':
    case 'countedRefBytes':
      out.push([path, `x${hex(v)}`]);
      break;
    case 'struct':
      // A count is the length of the array that follows it.
      for (const [k, x] of Object.entries(l.shape)) if (!(x as { isCount?: boolean }).isCount) tokens(x, v[k], path ? `${path}.${k}` : k, out);
      break;
    case 'msStruct':
      out.push([path, v === undefined ? '-' : '+']);
      if (v !== undefined) tokens(l.element, v, path, out);
      break;
    case 'refStructArray':
    case 'structArray':
    case 'msStructArray':
      list(l.element);
      break;
    case 'stringArray':
      list({ layout: { kind: 'string', utf8: false } } as Field<string>);
      break;
    case 'tlvU16Array':
      list({ layout: { kind: 'u16' } } as Field<number>);
      break;
    default:
      throw new Error(`${path}: no oracle tokens for ${l.kind}`);
  }
  return out;
}

/** MBIMEx 3.0's unnamed IEs are a TLV list (libmbim's tlv-list): whole TLVs, each padded to 4 bytes. */
const tlvList = fc
  .array(fc.tuple(fc.nat(0xffff), fc.uint8Array({ maxLength: 9 })), { maxLength: 2 })
  .map((tlvs) =>
    Uint8Array.from(
      tlvs.flatMap(([type, data]) => {
        const pad = (4 - (data.length % 4)) % 4;
        return [type & 0xff, type >> 8, 0, pad, data.length, 0, 0, 0, ...data, ...Array<number>(pad).fill(0)];
      }),
    ),
  );

/**
 * libmbim 1.28 steps through an ms-struct-array by the element's fixed size, so an element with strings
 * after it puts the next one out of its reach (fixed in 1.30 by d0a2b06, "structure with variable size is
 * not considered for its size calculation"): such arrays get at most one element here. RSRP/SNR and CDMA
 * cells, without strings, keep up to three.
 */
const hasString = (s: Layout): boolean => Object.values(s.shape).some((x) => x.layout.kind === 'string');
function oracleArbitrary(s: Layout): fc.Arbitrary<Record<string, unknown>> {
  const shape = s.shape;
  const limited = Object.entries(shape).filter(([, x]) => x.layout.kind === 'msStructArray' && hasString(x.layout.element as Layout));
  return (arbitrary(s) as fc.Arbitrary<Record<string, unknown>>).chain((v) =>
    fc.record({
      ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fc.constant(x)])),
      ...Object.fromEntries(limited.map(([k, x]) => [k, fc.array(arbitrary((x.layout as { element: Layout }).element), { maxLength: 1 })])),
      ...('unnamedIes' in shape ? { unnamedIes: tlvList } : {}),
      // Device Caps v3's u64 data subclass: libmbim 1.28 keeps only its low 32 bits (MbimDataSubclass's width).
      ...(s === msBasicConnectExtensions.cids.deviceCapsV3.response ? { dataSubclass: fc.bigInt({ min: 0n, max: 0xffffffffn }) } : {}),
    }),
  );
}

const basicConnectOrExtensions = services.filter((s) => s.name === 'basic-connect' || s.name === 'ms-basic-connect-extensions');
const newerKinds = /^(basic-connect\.(ipPacketFilters|\w+V[23])|ms-basic-connect-extensions\.(baseStationsInfo(V3)?|deviceCapsV3))\./;
const cases = basicConnectOrExtensions.flatMap((s) =>
  Object.values(s.cids).flatMap((c) =>
    (['query', 'set', 'response', 'notification'] as const).flatMap((k) =>
      c[k] && newerKinds.test(`${s.name}.${c.name}.${k}`) ? [{ kind: `${c.name}.${k}`, direction: k, layout: c[k] as Layout, uuid: s.uuid, cid: c.id }] : [],
    ),
  ),
);

describe('the MBIMEx layouts the interpreted codec never had, against libmbim 1.28', () => {
  it('covers all 35', () => {
    expect(cases).toHaveLength(35);
  });

  it.each(cases.map((c) => [c.kind, c] as const))('%s', (kind, { direction, layout, uuid, cid }) => {
    const values = fc.sample(oracleArbitrary(layout), { seed: 20261204, numRuns: 25 });
    const want = values.map((v) => tokens(layout, v, ''));
    if (direction === 'response' || direction === 'notification') {
      const got = run(kind, values.map((v) => hex(layout.encode(v as never))));
      // Beside each field's path, libmbim's reading of it (a refusal shows as the first token).
      got.forEach((line, i) => {
        const read = line.split(' ');
        expect(read.map((t, j) => `${want[i]![j]?.[0] ?? '(extra)'}=${t}`)).toEqual(want[i]!.map(([p, t]) => `${p}=${t}`));
      });
      expect(got).toHaveLength(values.length);
    } else {
      const got = run(kind, want.map((t) => t.map(([, x]) => x).join(' ')));
      expect(got).toEqual(values.map((v) => `${uuid} ${cid} ${direction} x${hex(layout.encode(v as never))}`));
    }
  });

  // The wire cannot tell a u32 from a bitmask: the names shown are checked against libmbim's public formats.
  it('baseStationsInfoV3: the system type is a V3 data class, the subtypes data subclasses, named as libmbim names them', () => {
    const { layout } = cases.find((c) => c.kind === 'baseStationsInfoV3.response')!;
// Known bits only: libmbim leaves unknown ones unnamed.
    const values = fc
      .sample(oracleArbitrary(layout), { seed: 20261204, numRuns: 25 })
      .map((v, i) => ({ ...v, systemType: 0x40 | (i & 0x3f), systemSubType: i & 0x1f, nrNeighborCells: (v.nrNeighborCells as object[]).map((n) => ({ ...n, systemSubType: (i + 1) & 0x1f })) }));
    const name = (f: Field<any>, v: number): string => `s${Buffer.from([f.show(v)].flat().join(', ')).toString('hex')}`;
    const { systemType, systemSubType, nrNeighborCells } = layout.shape;
    const subtype = (nrNeighborCells!.layout as { element: Layout }).element.shape.systemSubType!;
    const want = values.map((v) =>
      [name(systemType!, v.systemType), name(systemSubType!, v.systemSubType), ...(v.nrNeighborCells as { systemSubType: number }[]).map((n) => name(subtype, n.systemSubType))].join(' '),
    );
    expect(want[0]).toMatch(/^s\w+ s\w+/);
    expect(run('baseStationsInfoV3.names', values.map((v) => hex(layout.encode(v as never))))).toEqual(want);
  });

  it('libmbim refuses what we would not decode: a buffer cut short', () => {
    const { kind, layout } = cases.find((c) => c.kind === 'registerStateV2.response')!;
    const bytes = layout.encode(fc.sample(arbitrary(layout), { seed: 1, numRuns: 1 })[0] as never);
    expect(run(kind, [hex(bytes.subarray(0, 20))])[0]).toMatch(/^! /);
  });
});
