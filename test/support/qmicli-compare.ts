/**
 * The real qmicli and `wwan qmicli` run the same steps against the same kind of fixture modem: the
 * same requests on the wire, stdout and exit code, and stderr where a step fails.
 */
import { expect } from 'vitest';
import type { FirmwareConfig } from '../../src/sim/firmware.js';
import { captureSteps, type Run } from './capture.js';

/** Runs both tools through `steps` and checks each step; returns the real qmicli's runs. */
/** `config`: the fixture modem's firmware (defaults otherwise). */
export async function expectSameAsQmicli(steps: string[][], config?: FirmwareConfig): Promise<Run[]> {
  const [real, ours] = await Promise.all([captureSteps('qmicli', steps, config), captureSteps('wwan', steps, config)]);
  for (let i = 0; i < steps.length; i++) {
    const ctx = `step ${i + 1}: ${steps[i]!.join(' ')}`;
    expect(ours[i]!.requests, ctx).toEqual(real[i]!.requests);
    expect(ours[i]!.stdout, ctx).toBe(real[i]!.stdout);
    expect(ours[i]!.code, ctx).toBe(real[i]!.code);
    if (real[i]!.code !== 0) expect(ours[i]!.stderr.trim(), ctx).toBe(real[i]!.stderr.trim());
  }
  expect(real.some((r) => r.requests.length > 0 || r.code !== 0)).toBe(true);
  return real;
}
