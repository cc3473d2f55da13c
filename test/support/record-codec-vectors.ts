/**
 * Records reference vectors for the compiled codecs (test/qmi/fixtures/tlv-vectors.json,
 * test/mbim/fixtures/buffer-vectors.json) FROM THE INTERPRETED CODEC of a given commit: the oracle is
 * the QMI TLV codec and MBIM information-buffer codec of a checkout that still has the interpreted
 * codecs (src/qmi/schema.ts field codecs with read/write, src/mbim/schema.ts fields with read/write),
 * e.g. the `sms` branch or 5da8c52. Never point --oracle at a checkout with the compiled codecs: it
 * would record the codec under test against itself.
 *
 * The oracle used for the QMI blocks declared since (every one of src/qmi/services/*.ts is read with
 * 3db498a's interpreted codec, which has every QMI field kind of today: u32 counts, bytes(u16)):
 *
 *   git worktree add --detach /tmp/oracle-vectors 3db498a && cp -a node_modules /tmp/oracle-vectors/
 *   cp src/qmi/services/*.ts /tmp/oracle-vectors/src/qmi/services/   # this checkout's declarations
 *   npx tsx test/support/record-codec-vectors.ts --oracle /tmp/oracle-vectors --label "3db498a interpreted codec + $(git rev-parse --short HEAD) declarations (src/qmi/services/*.ts)" --qmi nas.getDrx,uim.reset,… --write
 *   git worktree remove --force /tmp/oracle-vectors
 *
 * (a new service also needs its import and entry in the oracle's src/qmi/registry.ts). 3db498a has no
 * f32 field kind, which nas.ts declares since: copy only the services being recorded (PDC was recorded
 * with pdc.ts alone, its bands.ts-free declarations). 111 blocks
 * with the replay of every kept vector take about 6 s on the loaded 2-core machine; then take the
 * recorded messages off the `unrecorded` list of test/qmi/compiled-codec.test.ts and run it.
 *
 * --qmi takes services or service.message, --mbim layout names or prefixes (service.cid.kind). The
 * selected entries are recorded (replacing an entry of the same name, new ones in declaration order),
 * every other entry is kept as it is; without --write it only prints what it would change. It also
 * replays every other vector through the oracle and lists those it now answers differently (they are
 * left alone: the recorded oracle was another commit); with --amend the oracle's answers to those are
 * written to the QMI file's `amended` list (service, block, hex, base, recordedAt), which the test
 * uses in their place, so the vectors recorded first stay as they were.
 *
 * Values: QMI TLV values are what the oracle's own field codec reads from bytes shaped by this
 * checkout's declaration of the same TLV (qmi-arbitrary.ts: counts, length prefixes and sizes consistent,
 * enums named half of the time; the oracle must read them whole and declare the same ids and wire
 * descriptions, or the recording stops); MBIM values come from this checkout's layout data (mbim-arbitrary.ts),
 * whose wire descriptions must match the oracle's declarations. fast-check runs with a fixed seed, so
 * a recording is reproducible. Cases per QMI block: 5 encodings (responses: 4 successes, then a
 * failure), their 5 decodings, 5 of TLV-shaped noise, 5 mutated encodings (a byte XORed with 0x5a, the
 * last byte maybe cut), at base 0 and 13 in turn. Per MBIM layout: 6 encodings, their 6 decodings, 4
 * of random bytes, 6 mutated encodings (a byte replaced, 0–2 bytes cut); at start 0, or 48 after 48
 * zero bytes, every other one with 8 zero bytes after the end.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Field, Layout } from '../../src/mbim/schema.js';
import { services as mbimServices } from '../../src/mbim/services/index.js';
import type { FieldCodec, TlvMap as OurTlvMap } from '../../src/qmi/schema.js';
import { services as qmiServices } from '../../src/qmi/registry.js';
import { arbitrary } from './mbim-arbitrary.js';
import { tlvBytes } from './qmi-arbitrary.js';

const SEED = 20261204;
const { values: args } = parseArgs({
  options: {
    oracle: { type: 'string' },
    label: { type: 'string' },
    qmi: { type: 'string', default: '' },
    mbim: { type: 'string', default: '' },
    amend: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    // The replay of every kept vector takes most of a run on a loaded machine; a recording of new blocks can go without it.
    'skip-replay': { type: 'boolean', default: false },
  },
});
if (!args.oracle) throw new Error('--oracle <checkout with the interpreted codecs> is required');
const oracleDir = resolve(args.oracle);
const git = (...a: string[]): string => execFileSync('git', ['-C', oracleDir, ...a], { encoding: 'utf8' }).trim();
// A checkout with local changes (e.g. one declaration file taken from another branch) must say what it is.
if (git('status', '--porcelain', '--untracked-files=no') !== '' && !args.label) throw new Error(`${oracleDir} has local changes: describe the oracle with --label`);
const commit = args.label ?? git('rev-parse', '--short', 'HEAD');
// The oracle must be interpreted: no compiler beside the declarations.
for (const compiled of ['src/qmi/compile.ts', 'src/mbim/compile.ts']) if (existsSync(resolve(oracleDir, compiled))) throw new Error(`${oracleDir} has ${compiled}: not an interpreted codec`);
const from = (path: string): Promise<any> => import(resolve(oracleDir, path));
const [qmiCodec, qmiRegistry, mbimSchema, mbimIndex, wire] = await Promise.all([
  from('src/qmi/codec.ts'),
  from('src/qmi/registry.ts'),
  from('src/mbim/schema.ts'),
  from('src/mbim/services/index.ts'),
  from('src/wire/index.ts'),
]);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const toJson = (v: unknown, undef: boolean): unknown => {
  if (v === undefined && undef) return { $undefined: true };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $hex: hex(v) };
  if (Array.isArray(v)) return v.map((x) => toJson(x, undef));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x, undef)]));
  return v;
};
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
const err = (e: any): unknown => ({ code: e.code, field: e.field, offset: e.offset, message: e.message });
const sample = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { seed: SEED, numRuns: 1 })[0]!;
const selected = (name: string, list: string): boolean => list.split(',').some((s) => s !== '' && (name === s || name.startsWith(`${s}.`) || name.startsWith(`${s} `)));

// ---------------------------------------------------------------------------------------------
// QMI

type TlvMap = Record<string, { id: number; mandatory: boolean; codec: { wire: string; read(r: any): unknown } }>;

/**
 * A value the oracle's codec reads from bytes shaped by this checkout's declaration of the same TLV
 * (qmi-arbitrary.ts): it must read them whole, or the two declare different things.
 */
function tlvValue(at: string, codec: { wire: string; read(r: any): unknown }, ours: FieldCodec<any>): fc.Arbitrary<unknown> {
  return tlvBytes(ours).map((b) => {
    const r = new wire.Reader(Uint8Array.from(b));
    try {
      const v = codec.read(r);
      if (r.remaining === 0) return v;
    } catch {}
    throw new Error(`${at}: ${commit} does not read ${hex(Uint8Array.from(b))} (${ours.wire} here) whole: declared differently`);
  });
}

function decodeQmi(defs: TlvMap, bytes: Uint8Array, response: boolean, base: number): Record<string, unknown> {
  const r = qmiCodec.decodeTlvs(defs, bytes, { response, base });
  const out: Record<string, unknown> = { hex: hex(bytes), base };
  if (!r.ok) return { ...out, error: err(r.error) };
  return {
    ...out,
    values: toJson(r.value.values, false),
    ...(r.value.result ? { result: r.value.result } : {}),
    unknown: r.value.unknown.map((t: any) => ({ type: t.type, offset: t.offset, hex: hex(t.value) })),
    invalid: r.value.invalid.map((i: any) => ({ id: i.id, name: i.name, error: err(i.error) })),
    warnings: r.value.warnings,
  };
}

function recordQmi(service: string, block: string, defs: TlvMap): unknown {
  const response = block.endsWith(' response');
  const ours = ourQmiBlocks.get(`${service}.${block}`);
  if (!ours) throw new Error(`${service}.${block}: not declared in this checkout`);
  const same = (d: TlvMap): string => JSON.stringify(Object.entries(d).map(([k, t]) => [k, t.id, t.mandatory, t.codec.wire]));
  if (same(ours) !== same(defs)) throw new Error(`${service}.${block}: declared differently here and at ${commit}`);
  const results = [0, 0, 0, 0, 1].map((s) => ({ status: s, error: s ? 14 : 0 }));
  const valuesArb = fc.record(
    Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, d.mandatory ? tlvValue(`${service}.${block} ${k}`, d.codec, ours[k]!.codec) : fc.option(tlvValue(`${service}.${block} ${k}`, d.codec, ours[k]!.codec), { nil: undefined })])),
  );
  const ids = [...Object.values(defs).map((d) => d.id), 0x02, 0x7e];
  const chunk = fc.oneof(
    fc.tuple(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 12 })).map(([t, v]) => [t, v.length & 0xff, v.length >> 8, ...v]),
    fc.tuple(fc.constantFrom(...ids), fc.nat(0xffff), fc.uint8Array({ maxLength: 12 })).map(([t, n, v]) => [t, n & 0xff, n >> 8, ...v]),
    fc.uint8Array({ minLength: 1, maxLength: 3 }).map((v) => [...v]),
  );
  const noise = fc.array(chunk, { maxLength: 5 }).map((cs) => Uint8Array.from(cs.flat()));
  const mutation = fc.record({ at: fc.nat(48), cut: fc.boolean() });
  const plan = sample(fc.record({ values: fc.array(valuesArb, { minLength: 5, maxLength: 5 }), noise: fc.array(noise, { minLength: 5, maxLength: 5 }), mutations: fc.array(mutation, { minLength: 5, maxLength: 5 }) }));
  const encodings = plan.values.map((v, i) => {
    const values = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
    const result = response ? results[i]! : undefined;
    return { values: toJson(values, false), ...(result ? { result } : {}), hex: hex(qmiCodec.encodeTlvs(defs, values, result ? { result } : {})) };
  });
  const mutated = plan.mutations.map(({ at, cut }, i) => {
    const b = Uint8Array.from(Buffer.from(encodings[i]!.hex, 'hex'));
    if (at < b.length) b[at]! ^= 0x5a;
    return cut && b.length > 0 ? b.subarray(0, b.length - 1) : b;
  });
  const inputs = [...encodings.map((e) => Uint8Array.from(Buffer.from(e.hex, 'hex'))), ...plan.noise, ...mutated];
  return { service, block, response, encodings, decodings: inputs.map((b, i) => decodeQmi(defs, b, response, i % 2 ? 13 : 0)) };
}

const blocksOf = (svcs: readonly any[]): { service: string; block: string; defs: any }[] =>
  svcs.flatMap((s: any) => [
    ...Object.entries(s.messages).flatMap(([n, m]: [string, any]) => [
      { service: s.name, block: `${n} request`, defs: m.request },
      { service: s.name, block: `${n} response`, defs: m.response },
    ]),
    ...Object.entries(s.indications).map(([n, i]: [string, any]) => ({ service: s.name, block: `${n} indication`, defs: i.tlvs })),
  ]);
const qmiBlocks = blocksOf(qmiRegistry.services) as { service: string; block: string; defs: TlvMap }[];
const ourQmiBlocks = new Map(blocksOf(qmiServices).map((b) => [`${b.service}.${b.block}`, b.defs as OurTlvMap]));

// ---------------------------------------------------------------------------------------------
// MBIM

const layoutsOf = (svcs: readonly any[]): Map<string, any> =>
  new Map(
    svcs.flatMap((s) =>
      Object.values(s.cids).flatMap((c: any) => (['query', 'set', 'response', 'notification'] as const).flatMap((k) => (c[k] ? [[`${s.name}.${c.name}.${k}`, c[k]]] : []))),
    ),
  );
const oracleLayouts = layoutsOf(mbimIndex.services);
const ourLayouts = layoutsOf(mbimServices) as Map<string, Layout>;

/** The wire descriptions, field by field: ours (for values) and the oracle's must declare the same thing. */
const wireOf = (f: any): unknown => (f.shape ? Object.fromEntries(Object.entries(f.shape).map(([k, x]) => [k, wireOf(x)])) : f.wire);

function decodeMbim(layout: any, data: Uint8Array, i: number): Record<string, unknown> {
  const start = i % 2 ? 48 : 0;
  const bytes = new Uint8Array(start + data.length + (i % 4 === 1 ? 8 : 0));
  bytes.set(data, start);
  const end = start + data.length;
  const r = mbimSchema.decodeBuffer(layout, bytes, start, end);
  return { hex: hex(bytes), start, end, ...(r.ok ? { value: toJson(r.value, true) } : { error: err(r.error) }) };
}

function recordMbim(name: string): unknown {
  const ours = ourLayouts.get(name)!;
  const oracle = oracleLayouts.get(name);
  if (!oracle) throw new Error(`${name}: not declared at ${commit}`);
  if (JSON.stringify(wireOf(ours)) !== JSON.stringify(wireOf(oracle))) throw new Error(`${name}: declared differently here and at ${commit}`);
  const mutation = fc.record({ at: fc.nat(200), to: fc.nat(255) });
  const plan = sample(
    fc.record({
      values: fc.array(arbitrary(ours as Field<any>), { minLength: 6, maxLength: 6 }),
      noise: fc.array(fc.uint8Array({ maxLength: 10 }), { minLength: 4, maxLength: 4 }),
      mutations: fc.array(mutation, { minLength: 6, maxLength: 6 }),
    }),
  );
  const encoded = plan.values.map((v) => oracle.encode(v) as Uint8Array);
  const mutated = plan.mutations.map(({ at, to }, k) => {
    const b = Uint8Array.from(encoded[k]!);
    if (b.length > 0) b[at % b.length] = to;
    return b.subarray(0, Math.max(0, b.length - (k % 3)));
  });
  return {
    layout: name,
    encodings: plan.values.map((v, k) => ({ values: toJson(v, true), hex: hex(encoded[k]!) })),
    decodings: [...encoded, ...plan.noise, ...mutated].map((b, i) => decodeMbim(oracle, b, i)),
  };
}

// ---------------------------------------------------------------------------------------------
// Replay of the vectors kept, and the merge

const qmiPath = new URL('../qmi/fixtures/tlv-vectors.json', import.meta.url);
const mbimPath = new URL('../mbim/fixtures/buffer-vectors.json', import.meta.url);
const qmiFile = JSON.parse(readFileSync(qmiPath, 'utf8'));
const mbimFile = JSON.parse(readFileSync(mbimPath, 'utf8'));

const differ: string[] = [];
/** Decodings kept in their blocks but answered differently by the oracle: with --amend, recorded beside them. */
const amended: Record<string, unknown>[] = [];
for (const b of args['skip-replay'] ? [] : qmiFile.blocks) {
  const key = `${b.service}.${b.block}`;
  if (selected(key, args.qmi)) continue;
  const defs = qmiBlocks.find((x) => x.service === b.service && x.block === b.block)?.defs;
  if (!defs) {
    differ.push(`qmi ${key}: not declared at ${commit}`);
    continue;
  }
  for (const d of b.decodings) {
    const got = decodeQmi(defs, Uint8Array.from(Buffer.from(d.hex, 'hex')), b.response, d.base);
    const changed = [...new Set([...Object.keys(d), ...Object.keys(got)])].filter((k) => JSON.stringify(d[k]) !== JSON.stringify(got[k]));
    if (changed.length && args.amend) amended.push({ service: b.service, block: b.block, recordedAt: commit, ...got });
    if (changed.length) differ.push(`qmi ${key} decoding ${d.hex} @${d.base}: ${changed.map((k) => `${k} recorded ${JSON.stringify(d[k])}, ${commit} gives ${JSON.stringify(got[k])}`).join('; ')}`);
  }
  for (const e of b.encodings) {
    const got = hex(qmiCodec.encodeTlvs(defs, fromJson(e.values), e.result ? { result: e.result } : {}));
    if (got !== e.hex) differ.push(`qmi ${key} encoding: recorded ${e.hex}, ${commit} gives ${got}`);
  }
}
for (const l of args['skip-replay'] ? [] : mbimFile.layouts) {
  if (selected(l.layout, args.mbim)) continue;
  const layout = oracleLayouts.get(l.layout);
  if (!layout) {
    differ.push(`mbim ${l.layout}: not declared at ${commit}`);
    continue;
  }
  for (const d of l.decodings) {
    const r = mbimSchema.decodeBuffer(layout, Uint8Array.from(Buffer.from(d.hex, 'hex')), d.start, d.end);
    const got = r.ok ? { value: toJson(r.value, true) } : { error: err(r.error) };
    const { hex: _h, start: _s, end: _e, ...want } = d;
    if (JSON.stringify(got) !== JSON.stringify(want)) differ.push(`mbim ${l.layout} decoding ${d.hex}: recorded ${JSON.stringify(want)}, ${commit} gives ${JSON.stringify(got)}`);
  }
  for (const e of l.encodings) {
    const got = hex(layout.encode(fromJson(e.values)));
    if (got !== e.hex) differ.push(`mbim ${l.layout} encoding: recorded ${e.hex}, ${commit} gives ${got}`);
  }
}

/** Declaration order; an entry of a name no longer declared keeps its place after its predecessor. */
function merge<E>(old: E[], keyOf: (e: E) => string, order: string[], fresh: Map<string, E>): E[] {
  const out = old.map((e) => fresh.get(keyOf(e)) ?? e);
  const have = new Set(out.map(keyOf));
  for (const [k, e] of fresh) {
    if (have.has(k)) continue;
    const before = order.slice(0, order.indexOf(k)).reverse().find((x) => have.has(x));
    out.splice(before === undefined ? 0 : out.findIndex((x) => keyOf(x) === before) + 1, 0, e);
    have.add(k);
  }
  return out;
}

const qmiFresh = new Map(qmiBlocks.filter((b) => selected(`${b.service}.${b.block}`, args.qmi)).map((b) => [`${b.service}.${b.block}`, recordQmi(b.service, b.block, b.defs) as any]));
const mbimFresh = new Map([...oracleLayouts.keys()].filter((n) => selected(n, args.mbim)).map((n) => [n, recordMbim(n) as any]));
const note = (n: string, names: string[]): string => {
  const line = `${names.join(', ')}: recorded from the interpreted codec of commit ${commit} by test/support/record-codec-vectors.ts.`;
  return names.length === 0 || n.includes(line) ? n : `${n} ${line}`;
};
const qmiOut = {
  note: note(qmiFile.note, [...qmiFresh.keys()]),
  blocks: merge(qmiFile.blocks, (b: any) => `${b.service}.${b.block}`, qmiBlocks.map((b) => `${b.service}.${b.block}`), qmiFresh),
  ...(args.amend ? { amended } : qmiFile.amended ? { amended: qmiFile.amended } : {}),
};
const mbimOut = { note: note(mbimFile.note, [...mbimFresh.keys()]), layouts: merge(mbimFile.layouts, (l: any) => l.layout, [...oracleLayouts.keys()], mbimFresh) };

console.log(`oracle ${commit}: recorded ${qmiFresh.size} QMI blocks (${[...qmiFresh.keys()].join(', ')}) and ${mbimFresh.size} MBIM layouts (${[...mbimFresh.keys()].join(', ')})`);
if (args['skip-replay']) console.log('vectors kept: not replayed (--skip-replay)');
else console.log(differ.length ? `vectors kept that ${commit} answers differently (${differ.length}):\n  ${differ.join('\n  ')}` : `every vector kept is answered the same at ${commit}`);
if (args.write) {
  writeFileSync(qmiPath, JSON.stringify(qmiOut));
  writeFileSync(mbimPath, JSON.stringify(mbimOut));
  console.log('fixtures written');
}
