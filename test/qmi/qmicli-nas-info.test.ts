/**
 * `wwan qmicli --nas-get-system-info` against the real qmicli 1.32 (requests, output, exit code),
 * both driving the simulator on each technology it can be put on.
 */
import { describe, expect } from 'vitest';
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
