/**
 * libmbim 1.28 as an independent oracle for MBIMEx 2.0/3.0 Basic Connect layouts the interpreted codec never
 * had (no recorded vectors: `newerKinds` in compiled-codec.test.ts): our encodings of random values,
 * wrapped in a command-done message, parsed by libmbim's own
 * mbim_message_ms_basic_connect_v2/v3_*_response_parse (test/mbim/oracle/libmbim-parse.c), must give
 * back every field as we declared it.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import type { Field } from '../../src/mbim/schema.js';
import { services } from '../../src/mbim/services/index.js';
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

let parser: string | undefined;
const parse = (kind: string, bytes: Uint8Array): Record<string, unknown> => {
  if (!parser) {
    parser = join(dir, 'libmbim-parse');
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'mbim-glib'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('cc', ['-O1', '-o', parser, new URL('./oracle/libmbim-parse.c', import.meta.url).pathname, ...flags]);
  }
  return JSON.parse(execFileSync(parser, [kind, Buffer.from(bytes).toString('hex')], { encoding: 'utf8' }));
};

// Basic Connect is declared twice: MBIM 1.0 and the MBIMEx revisions of its CIDs.
const cidsOf = services.filter((s) => s.name === 'basic-connect').flatMap((s) => Object.values(s.cids)) as { name: string; response?: Field<any> }[];
const response = (name: string): Field<any> => cidsOf.find((c) => c.name === name)!.response!;
const cases = [
  { kind: 'register-state-v2', layout: response('registerStateV2') },
  { kind: 'packet-service-v2', layout: response('packetServiceV2') },
  { kind: 'signal-state-v2', layout: response('signalStateV2') },
  { kind: 'packet-service-v3', layout: response('packetServiceV3') },
];

describe('MBIMEx 2.0/3.0 Basic Connect layouts against libmbim', () => {
  it.each(cases.map((c) => [c.kind, c] as const))('%s: libmbim reads every field of our encodings as declared', (_k, { kind, layout }) => {
    const values = fc.sample(arbitrary(layout), { seed: 20261204, numRuns: 25 }) as Record<string, unknown>[];
    for (const v of values) {
      const got = parse(kind, (layout as any).encode(v));
      const want = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'bigint' ? x.toString() : x]));
      expect(got).toEqual(want);
    }
  });

  it('libmbim refuses what we would not decode: a buffer cut short', () => {
    const { layout } = cases[0]!;
    const bytes = (layout as any).encode(fc.sample(arbitrary(layout), { seed: 1, numRuns: 1 })[0]) as Uint8Array;
    expect(parse('register-state-v2', bytes.subarray(0, 20))).toHaveProperty('error');
  });
});
