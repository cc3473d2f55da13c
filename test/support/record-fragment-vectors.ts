/**
 * Records test/mbim/fixtures/fragment-vectors.json: MBIM messages and fragments (valid, mutated, cut
 * and random bytes) with what decodeFragment made of them, from the decoder of the commit it runs on.
 * Run it on the commit before a change to decodeFragment; test/mbim/codec.test.ts replays them.
 *   npx tsx test/support/record-fragment-vectors.ts
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { decodeFragment, encodeFragments, type MbimMessage } from '../../src/mbim/message.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const uuid = fc.constantFrom('a289cc33-bcbb-8b4f-b6b0-133ec2aae6df', '3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf', '00000000-0000-0000-0000-000000000000');
const message: fc.Arbitrary<MbimMessage> = fc.oneof(
  fc.record({ type: fc.constant('open' as const), transactionId: fc.nat(), maxControlTransfer: fc.nat() }),
  fc.record({ type: fc.constant('close' as const), transactionId: fc.nat() }),
  fc.record({ type: fc.constantFrom('hostError' as const, 'functionError' as const), transactionId: fc.nat(), error: fc.nat() }),
  fc.record({ type: fc.constantFrom('openDone' as const, 'closeDone' as const), transactionId: fc.nat(), status: fc.nat() }),
  fc.record({ type: fc.constant('command' as const), transactionId: fc.nat(), service: uuid, cid: fc.nat(40), commandType: fc.nat(1), buffer: fc.uint8Array({ maxLength: 80 }) }),
  fc.record({ type: fc.constant('commandDone' as const), transactionId: fc.nat(), service: uuid, cid: fc.nat(40), status: fc.nat(), buffer: fc.uint8Array({ maxLength: 80 }) }),
  fc.record({ type: fc.constant('indicateStatus' as const), transactionId: fc.nat(), service: uuid, cid: fc.nat(40), buffer: fc.uint8Array({ maxLength: 80 }) }),
) as fc.Arbitrary<MbimMessage>;
/** Whole messages and fragments, then bytes changed, cut short or made up. */
const bytes = fc.oneof(
  fc.tuple(message, fc.integer({ min: 48, max: 200 })).chain(([m, max]) => fc.constantFrom(...encodeFragments(m, max))),
  fc.tuple(message, fc.nat(), fc.nat(255)).map(([m, at, v]) => {
    const b = encodeFragments(m)[0]!.slice();
    b[at % b.length] = v;
    return b;
  }),
  fc.tuple(message, fc.nat()).map(([m, n]) => {
    const b = encodeFragments(m)[0]!;
    return b.slice(0, n % (b.length + 1));
  }),
  fc.uint8Array({ maxLength: 60 }),
);

const toJson = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return { $hex: hex(v) };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
};
export const outcomeOf = (b: Uint8Array): unknown => {
  const r = decodeFragment(b);
  return r.ok ? { value: toJson(r.value) } : { error: { code: r.error.code, field: r.error.field, offset: r.error.offset, message: r.error.message } };
};

if (process.argv[1]?.endsWith('record-fragment-vectors.ts')) {
  const samples = fc.sample(bytes, { numRuns: 600, seed: 19 });
  const vectors = samples.map((b) => ({ hex: hex(b), ...(outcomeOf(b) as object) }));
  writeFileSync(new URL('../mbim/fixtures/fragment-vectors.json', import.meta.url), `${JSON.stringify(vectors, null, 0).replaceAll('},{"hex"', '},\n{"hex"')}\n`);
  console.log(`${vectors.length} vectors, ${vectors.filter((v) => 'error' in v).length} errors`);
}
