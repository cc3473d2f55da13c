/**
 * `wwan qmicli`'s WDA and WMS supported-messages lists and client-only (noop) operations against the
 * real qmicli 1.32 (requests, output, exit code), both driving the simulator.
 */
import { describe, expect } from 'vitest';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const itq = itWithTools(['qmicli']);

describe('wwan qmicli WDA and WMS match qmicli 1.32', () => {
  itq('WDA supported messages and noop, a kept client reused', async () => {
    const { real } = await expectSameAsQmicli([
      ['--wda-noop', '--client-no-release-cid'],
      // Reuses the kept client, then releases it.
      ['--wda-get-supported-messages', '--client-cid=1'],
      ['--wda-noop'],
      // The modem no longer knows client 1: the request and the release both fail.
      ['--wda-get-supported-messages', '--client-cid=1'],
    ]);
    expect(real[0]!.stdout).toMatch(/CID: '1'/);
    // The list is the simulator's declared WDA messages: Get Supported Messages, Set and Get Data Format.
    expect(real[1]!.stdout).toMatch(/Successfully got supported WDA messages:\n\t0x001E\n\t0x0020\n\t0x0021\n/);
    expect(real[3]!.code).toBe(1);
    expect(real[3]!.stderr).toMatch(/InvalidClientId/);
  });

  itq('WMS noop, with and without keeping the client', async () => {
    const { real } = await expectSameAsQmicli([
      ['--wms-noop', '--client-no-release-cid'],
      ['--wms-get-supported-messages', '--client-cid=1', '--client-no-release-cid'],
      ['--wms-noop', '--client-cid=1'],
      ['--wms-noop'],
    ]);
    expect(real[0]!.stdout).toMatch(/CID: '1'/);
    expect(real[1]!.stdout).toMatch(/Successfully got supported WMS messages:\n\t0x0000\n/);
    expect(real[3]!.code).toBe(0);
  });
});
