/**
 * `wwan qmicli --nas-get-system-info` against the real qmicli 1.32 (requests, output, exit code),
 * both driving the simulator on each technology it can be put on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { systemInfoText } from '../../src/cli/qmicli/nas-system-info.js';
import { decodeTlvs } from '../../src/qmi/codec.js';
import { nas } from '../../src/qmi/services/nas.js';
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
