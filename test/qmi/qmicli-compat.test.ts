/**
 * `wwan qmicli` against the real qmicli: for every operation, the same requests on the wire (service,
 * message, TLVs and values; transaction/client ids and TLV order aside) and the same output and exit
 * code, both run against the same scripted modem on a raw pseudo-terminal.
 */
import { describe, expect } from 'vitest';
import { captureSteps } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';

const cases: Record<string, string[][]> = {
  'dms-get-ids': [['--dms-get-ids']],
  'dms-get-manufacturer': [['--dms-get-manufacturer']],
  'dms-get-model': [['--dms-get-model']],
  'dms-get-revision': [['--dms-get-revision']],
  'dms-get-msisdn': [['--dms-get-msisdn']],
  'dms-get-hardware-revision': [['--dms-get-hardware-revision']],
  'dms-get-capabilities': [['--dms-get-capabilities']],
  'dms operating mode': [['--dms-get-operating-mode'], ['--dms-set-operating-mode=offline'], ['--dms-get-operating-mode'], ['--dms-set-operating-mode', 'bogus']],
  'client id kept and reused': [['--dms-get-ids', '--client-no-release-cid'], ['--dms-get-model', '--client-cid=1']],
};

const itq = itWithTools(['qmicli']);

describe('wwan qmicli matches qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(cases)) {
    itq(name, async () => {
      const [real, ours] = await Promise.all([captureSteps('qmicli', steps), captureSteps('wwan', steps)]);
      for (let i = 0; i < steps.length; i++) {
        const ctx = `step ${i + 1}: ${steps[i]!.join(' ')}`;
        expect(ours[i]!.requests, ctx).toEqual(real[i]!.requests);
        expect(ours[i]!.stdout, ctx).toBe(real[i]!.stdout);
        expect(ours[i]!.code, ctx).toBe(real[i]!.code);
        if (real[i]!.code !== 0) expect(ours[i]!.stderr.trim(), ctx).toBe(real[i]!.stderr.trim());
      }
      expect(real.some((r) => r.requests.length > 0 || r.code !== 0)).toBe(true);
    });
  }
});
