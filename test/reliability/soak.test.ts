/** The short soak: the same run as `npm run soak`, for 40 s with a QMI and an MBIM modem. */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../soak/soak.js';

describe('soak (short)', () => {
  it('applies faults and SIGKILLs for 40 s with every bearer restored and nothing leaked', async () => {
    const summary = await runSoak({ durationMs: 40_000, seed: 18, profiles: ['qmi-rmnet', 'mbim-usb'], killRate: 0.15 });
    expect({ leaks: summary.leaks, unrecovered: summary.unrecovered, inconsistent: summary.inconsistent }).toEqual({ leaks: [], unrecovered: [], inconsistent: [] });
    expect(summary.steps).toBeGreaterThan(5);
    expect(summary.ok).toBe(true);
  }, 180_000);
});
