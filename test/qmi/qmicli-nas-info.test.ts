/**
 * `wwan qmicli --nas-get-system-info` against the real qmicli 1.32 (requests, output, exit code),
 * both driving the simulator on each technology it can be put on, and with generated responses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { systemInfoText } from '../../src/cli/qmicli/nas-system-info.js';
import { decodeTlvs } from '../../src/qmi/codec.js';
import type { ResponseOf } from '../../src/qmi/schema.js';
import { nas } from '../../src/qmi/services/nas.js';
import { tlvBytes } from '../support/qmi-arbitrary.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const itq = itWithTools(['qmicli']);

describe('wwan qmicli NAS system info matches qmicli 1.32', () => {
  itq('system info on LTE, UMTS and GSM', async () => {
    const { real } = await expectSameAsQmicli([
      ['--nas-get-system-info'],
      ['--nas-set-system-selection-preference=umts'],
      ['--nas-get-system-info'],
      ['--nas-set-system-selection-preference=gsm'],
      ['--nas-get-system-info'],
    ]);
    expect(real[0]!.stdout).toMatch(/LTE service:\n\t\tStatus: 'available'/);
    expect(real[2]!.stdout).toMatch(/WCDMA service:\n\t\tStatus: 'available'/);
    expect(real[4]!.stdout).toMatch(/GSM service:\n\t\tStatus: 'available'/);
    expect(real[4]!.stdout).toMatch(/\tSIM reject info: 'available'\n$/);
    // The 3GPP2 and TD-SCDMA services a 3GPP modem reports as none; GSM's and WCDMA's extras; LTE's.
    expect(real[0]!.stdout).toMatch(/^\S+ Successfully got system info:\n\tCDMA 1x service:\n\t\tStatus: 'none'\n\t\tPreferred data path: 'no'\n\tCDMA 1xEV-DO \(HDR\) service:\n/);
    expect(real[0]!.stdout).toMatch(/\t\tGeo system index: '1'\n\t\tVoice support: 'yes'\n\t\tIMS voice support: 'no'\n\t\teMBMS coverage info support: 'no'\n\t\tCell access: 'all-calls'\n\t\tRegistration restriction: 'unrestricted'\n\t\tRegistration domain: 'cs-ps'\n\tTD-SCDMA service:\n\t\tStatus: 'none'\n/);
    expect(real[2]!.stdout).toMatch(/\t\tCell broadcast support: 'off'\n\t\tCall barring status \(CS\): 'normal-only'\n\t\tCall barring status \(PS\): 'normal-only'\n\t\tCipher Domain: 'cs-ps'\n/);
    expect(real[4]!.stdout).toMatch(/GSM service:[^]*\t\tCipher Domain: 'cs-ps'\n/);
  });
});

describe('wwan qmicli NAS system info on NR5G matches qmicli 1.32', () => {
  itq('an NR5G registration: the LTE anchor with 5G NSA, the 5G SA section and the 3-byte TAC', async () => {
    const { real } = await expectSameAsQmicli([['--nas-get-system-info']], { rat: '5gnr' });
    expect(real[0]!.stdout).toMatch(/\t\t5G NSA Available: 'yes'\n\t\tDCNR Restriction: 'no'\n\tTD-SCDMA service:\n\t\tStatus: 'none'\n\t\tTrue Status: 'none'\n\t\tPreferred data path: 'no'\n\t5G SA service:\n\t\tStatus: 'available'\n/);
    expect(real[0]!.stdout).toMatch(/\t\tTracking Area Code: '22136'\n\t5GNR Tracking Area Code: '22136'\n\tSIM reject info: 'available'\n$/);
  });

  // Every TLV with generated values (reject causes, MNCs, TACs, CDMA base stations, HDR ids, TD-SCDMA
  // cells), from the same modem to both.
  itq('generated responses', async () => {
    const r = nas.messages.getSystemInfo.response;
    const defs = Object.values(r).map((d) => d as { id: number; codec: Parameters<typeof tlvBytes>[0] });
    const any = fc.tuple(...defs.map((d) => fc.option(tlvBytes(d.codec), { nil: undefined }))).map((vs) => {
      const body = vs.flatMap((v, i) => (v ? [defs[i]!.id, v.length & 0xff, v.length >> 8, ...v] : []));
      const d = decodeTlvs(r, Uint8Array.from([0x02, 4, 0, 0, 0, 0, 0, ...body]), { response: true });
      if (!d.ok) throw new Error(d.error.message);
      const values = d.value.values as ResponseOf<typeof nas.messages.getSystemInfo>;
      // Network ids as digits: libqmi keeps only a valid UTF-8 prefix of other bytes, a quirk not copied.
      for (const i of [values.gsmSystemInfo, values.wcdmaSystemInfo, values.lteSystemInfo, values.nr5gSystemInfo, values.cdmaSystemInfo, values.tdscdmaSystemInfo]) {
        if (i) Object.assign(i, { mcc: i.mcc.replace(/\D/g, ''), mnc: i.mnc.replace(/\D/g, '') });
      }
      // The IS-856 id printable (16 bytes kept: a NUL would end C's string where ours goes on).
      if (values.hdrSystemInfo) Object.assign(values.hdrSystemInfo, { is856SystemId: values.hdrSystemInfo.is856SystemId.replace(/[^\x21-\x7e]/g, 'x') });
      return values;
    });
    const samples = fc.sample(any, { numRuns: 8, seed: 4711 });
    for (const values of samples) await expectSameAsQmicli([['--nas-get-system-info']], {}, (modem) => modem.handle(nas.messages.getSystemInfo, () => values));
    expect(samples.some((v) => v.nr5gServiceStatus && v.nr5gSystemInfo?.registrationRejectInfoValid && v.nr5gTrackingAreaCode)).toBe(true);
    expect(samples.some((v) => v.cdmaServiceStatus && v.cdmaSystemInfo?.baseStationInfoValid)).toBe(true);
    expect(samples.some((v) => v.hdrServiceStatus && v.hdrSystemInfo?.is856SystemIdValid)).toBe(true);
    expect(samples.some((v) => v.tdscdmaServiceStatus && v.tdscdmaSystemInfo?.cellParameterIdValid)).toBe(true);
  });
});

describe('the system info printer', () => {
  it('prints any decodable Get System Info response without throwing', () => {
    const ids = Object.values(nas.messages.getSystemInfo.response).map((d) => (d as { id: number }).id);
    const tlv = fc.tuple(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 40 })).map(([t, v]) => {
      const b = new Uint8Array(3 + v.length);
      b[0] = t;
      new DataView(b.buffer).setUint16(1, v.length, true);
      b.set(v, 3);
      return b;
    });
    let printed = 0;
    fc.assert(
      fc.property(fc.array(tlv, { maxLength: 8 }), (tlvs) => {
        const block = new Uint8Array([0x02, 4, 0, 0, 0, 0, 0, ...tlvs.flatMap((b) => [...b])]);
        const r = decodeTlvs(nas.messages.getSystemInfo.response, block, { response: true });
        if (!r.ok) return;
        expect(systemInfoText('[DEV]', r.value.values)).toMatch(/^\[DEV\] Successfully got system info:\n/);
        printed++;
      }),
      { numRuns: 300 },
    );
    expect(printed).toBeGreaterThan(0);
  });
});
