/**
 * The check every qmicli compatibility test makes: the same steps run by the real qmicli and by
 * `wwan qmicli`, each against its own fixture modem, send the same requests and print the same
 * (stdout always, stderr on failure), with the same exit codes.
 */
import { expect } from 'vitest';
import type { FirmwareConfig } from '../../src/sim/firmware.js';
import { captureSteps, type Run } from './capture.js';

export async function expectSameAsQmicli(
  steps: string[][],
  config: FirmwareConfig = {},
  answer?: Parameters<typeof captureSteps>[3],
): Promise<{ real: Run[]; ours: Run[] }> {
  const [real, ours] = await Promise.all([captureSteps('qmicli', steps, config, answer), captureSteps('wwan', steps, config, answer)]);
  for (let i = 0; i < steps.length; i++) {
    const ctx = `step ${i + 1}: ${steps[i]!.join(' ')}`;
    expect(ours[i]!.requests, ctx).toEqual(real[i]!.requests);
    expect(ours[i]!.stdout, ctx).toBe(real[i]!.stdout);
    expect(ours[i]!.code, ctx).toBe(real[i]!.code);
    if (real[i]!.code !== 0) expect(ours[i]!.stderr.trim(), ctx).toBe(real[i]!.stderr.trim());
  }
  expect(real.some((r) => r.requests.length > 0 || r.code !== 0)).toBe(true);
  return { real, ours };
}
