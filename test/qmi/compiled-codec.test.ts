/**
 * The compiled TLV codec (compile.ts) against the interpreted one it replaced: reference vectors
 * recorded from the interpreted codec for every declared block (values to bytes, and bytes — valid,
 * mutated, TLV-shaped noise — to the same values, unknown TLVs, invalid TLVs, warnings or error;
 * where a later interpreted codec answers differently, its answer from the `amended` list),
 * and, live, against each field codec's own reader over random layouts.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTlvs, encodeTlvs } from '../../src/qmi/codec.js';
import { services } from '../../src/qmi/registry.js';
import type { TlvMap } from '../../src/qmi/schema.js';
import { DecodeError, Reader } from '../../src/wire/index.js';

interface Vectors {
  blocks: {
    service: string;
    block: string;
    response: boolean;
    encodings: { values: unknown; result?: { status: number; error: number }; hex: string }[];
    decodings: Decoding[];
  }[];
  /** Decodings a later interpreted codec answers differently (e.g. a count that lies): its answer, recorded beside the first. */
  amended?: (Decoding & { service: string; block: string; recordedAt: string })[];
}
interface Decoding {
  hex: string;
  base: number;
  error?: unknown;
  values?: unknown;
  result?: unknown;
  unknown?: unknown;
  invalid?: unknown;
  warnings?: unknown;
}

const vectors = JSON.parse(readFileSync(new URL('./fixtures/tlv-vectors.json', import.meta.url), 'utf8')) as Vectors;
const amendedKey = (service: string, block: string, d: Decoding): string => `${service}.${block}|${d.hex}|${d.base}`;
const amended = new Map((vectors.amended ?? []).map(({ service, block, recordedAt: _r, ...d }) => [amendedKey(service, block, d), d]));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromJson = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    if (typeof o.$hex === 'string') return new Uint8Array(Buffer.from(o.$hex, 'hex'));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJson(x)]));
  }
  return v;
};
const toJson = (v: unknown): unknown => {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $hex: hex(v) };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
};
const err = (e: DecodeError): unknown => ({ code: e.code, field: e.field, offset: e.offset, message: e.message });

function defsOf(service: string, block: string): TlvMap {
  const s = services.find((x) => x.name === service)!;
  const [name, kind] = block.split(' ') as [string, 'request' | 'response' | 'indication'];
  return kind === 'indication' ? s.indications[name]!.tlvs : s.messages[name]![kind];
}

/**
 * Declared (or, for uim.unblockPin, corrected to libqmi's TLV ids) after the last recording and not
 * recorded yet: the recorder (test/support/record-codec-vectors.ts) did not finish on the loaded
 * machine. Until it does, these are checked by the fuzz test (services.fuzz.test.ts: every declaration)
 * and the real qmicli (qmicli-compat.test.ts: the same requests and output).
 */
const unrecorded = new Set(['nas.networkScan', 'nas.initiateNetworkRegister', 'nas.getCellLocationInfo', 'dms.restoreFactoryDefaults', 'nas.setSystemSelectionPreference', 'nas.forceNetworkSearch', 'uim.readRecord', 'uim.getFileAttributes', 'uim.setPinProtection', 'uim.changePin', 'uim.powerOffSim', 'uim.powerOnSim', 'uim.sendApdu', 'uim.logicalChannel', 'uim.openLogicalChannel', 'uim.switchSlot', 'uim.slotStatus', 'uim.unblockPin',
  // Issue 17 (qmia): the recorder (with --skip-replay) was still running after 40 minutes here; to be recorded.
  'dms.getPowerState', 'dms.uimSetPinProtection', 'dms.uimVerifyPin', 'dms.uimUnblockPin', 'dms.uimChangePin', 'dms.getTime', 'dms.uimGetIccid', 'dms.uimGetImsi', 'dms.uimGetState', 'dms.validateServiceProgrammingCode', 'dms.getSoftwareVersion', 'dms.reset', 'wds.reset', 'wds.getChannelRates', 'wds.deleteProfile', 'wds.getDefaultSettings', 'wds.getDormancyStatus', 'wds.getDataBearerTechnology', 'wds.getCurrentDataBearerTechnology', 'wds.getDefaultProfileNumber', 'wds.setDefaultProfileNumber', 'wds.setAutoconnectSettings', 'wds.getMaxLteAttachPdnNumber', 'wds.setLteAttachPdnList',
  // qmib (issue 17): the new NAS/UIM messages, and nas.getPreferredNetworks whose PCS-digit TLV moved to libqmi's 0x12
  // (u8 count); the recorder ran 2 x 15-20 min on the loaded machine without finishing. To record them:
  // record-codec-vectors.ts --oracle <3db498a with this branch's nas.ts and uim.ts> --label … --qmi <these> --write.
  'nas.reset', 'nas.getSupportedMessages', 'nas.setPreferredNetworks', 'nas.getRfBandInformation', 'nas.getOperatorName', 'nas.getTxRxInfo',
  'nas.getDrx', 'nas.getLteCphyCaInfo', 'nas.getPreferredNetworks', 'uim.reset', 'uim.getSupportedMessages', 'uim.depersonalization',
  'uim.changeProvisioningSession', 'uim.getConfiguration',
  // qwu (issue 17): WDS dormancy, SIO data port binding and supported messages.
  'wds.goDormant', 'wds.goActive', 'wds.bindDataPort', 'wds.getSupportedMessages', 'uim.refreshComplete', 'uim.refresh']);
const recorded = (service: string, block: string): boolean => !unrecorded.has(`${service}.${block.split(' ')[0]}`);

describe('compiled QMI TLV codec', () => {
  it('has a vector set for every declared block', () => {
    const blocks = services.flatMap((s) => [...Object.keys(s.messages).flatMap((m) => [`${m} request`, `${m} response`]), ...Object.keys(s.indications).map((i) => `${i} indication`)].map((b) => [s.name, b] as const));
    expect(vectors.blocks.filter((b) => recorded(b.service, b.block)).length).toBe(blocks.filter(([s, b]) => recorded(s, b)).length);
    expect(blocks.filter(([s, b]) => !recorded(s, b)).length).toBe(35 + 2 * 24 + 2 * 14 + 2 * 4 + 2 + 1);
  });

  it.each(vectors.blocks.filter((b) => recorded(b.service, b.block)).map((b) => [`${b.service}.${b.block}`, b] as const))('%s: same bytes and same decodings as the interpreted codec', (_label, b) => {
    const defs = defsOf(b.service, b.block);
    for (const e of b.encodings) {
      expect(hex(encodeTlvs(defs, fromJson(e.values) as never, e.result ? { result: e.result } : {}))).toBe(e.hex);
    }
    for (const first of b.decodings) {
      const d = amended.get(amendedKey(b.service, b.block, first)) ?? first;
      const r = decodeTlvs(defs, new Uint8Array(Buffer.from(d.hex, 'hex')), { response: b.response, base: d.base });
      const got = r.ok
        ? {
            values: toJson(r.value.values),
            ...(r.value.result ? { result: r.value.result } : {}),
            unknown: r.value.unknown.map((t) => ({ type: t.type, offset: t.offset, hex: hex(t.value) })),
            invalid: r.value.invalid.map((i) => ({ id: i.id, name: i.name, error: err(i.error) })),
            warnings: r.value.warnings,
          }
        : { error: err(r.error) };
      const { hex: _h, base: _b, ...want } = d;
      expect(got).toEqual(want);
    }
  });

  // Live, beside the vectors: each TLV decodes as its own codec reads it (the reader describe() uses).
  const all = services.flatMap((s) => [
    ...Object.values(s.messages).flatMap((m) => [m.request, m.response]),
    ...Object.values(s.indications).map((i) => i.tlvs),
  ]);
  it('reads every declared TLV from random bytes as its field codec does, errors included', () => {
    const tlvs = all.flatMap((m) => Object.entries(m).map(([key, def]) => ({ key, def })));
    fc.assert(
      fc.property(fc.constantFrom(...tlvs), fc.uint8Array({ maxLength: 60 }), ({ key, def }, value) => {
        const block = Uint8Array.from([def.id, value.length & 0xff, value.length >> 8, ...value]);
        const got = decodeTlvs({ [key]: def }, block, { response: false });
        const r = new Reader(value);
        r.field = `tlv 0x${def.id.toString(16).padStart(2, '0')} (${key})`;
        let want: unknown;
        try {
          want = { value: def.codec.read(r), left: r.remaining };
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          // As decodeTlvs reports it: at the offset in the block (after the 3-byte TLV header).
          want = { error: new DecodeError(e.code, e.field, 3 + e.offset, e.message).message, field: e.field };
        }
        // A mandatory TLV that fails fails the decode; an optional one is set aside as invalid.
        const failed = got.ok ? got.value.invalid[0]?.error : got.error;
        const mine = failed
          ? { error: failed.message, field: failed.field }
          : got.ok && { value: got.value.values[key], left: Number(/Left (\d+)/.exec(got.value.warnings[0] ?? '')?.[1] ?? 0) };
        expect(mine).toEqual(want);
      }),
      { numRuns: 3000 },
    );
  });
});
