/** The simulated SIM lock (3GPP TS 22.022): verify retries, blocking, unblock retries, and what stays after each outcome. */
import { describe, expect, it } from 'vitest';
import { Personalization } from '../../src/sim/personalization.js';

const KEY = '12345678';

describe('personalization', () => {
  it('lists the configured features with their retries, and none when unlocked', () => {
    expect(new Personalization().status()).toEqual([]);
    const p = new Personalization([
      { feature: 'gw-network', key: KEY },
      { feature: 'gw-corporate', key: '99', verifyRetries: 5, unblockRetries: 2 },
    ]);
    expect(p.status()).toEqual([
      { feature: 'gw-network', verifyLeft: 3, unblockLeft: 10 },
      { feature: 'gw-corporate', verifyLeft: 5, unblockLeft: 2 },
    ]);
  });

  it('the right key deactivates one feature only; a feature not active says so', () => {
    const p = new Personalization([
      { feature: 'gw-network', key: KEY },
      { feature: 'gw-service-provider', key: '42' },
    ]);
    expect(p.depersonalize('gw-network', 'deactivate', KEY)).toEqual({ outcome: 'ok' });
    expect(p.status().map((s) => s.feature)).toEqual(['gw-service-provider']);
    expect(p.depersonalize('gw-network', 'deactivate', KEY)).toEqual({ outcome: 'not-active' });
  });

  it('wrong keys use verify retries until the feature is blocked; then even the right key is refused', () => {
    const p = new Personalization([{ feature: 'gw-network', key: KEY, verifyRetries: 2 }]);
    expect(p.depersonalize('gw-network', 'deactivate', '0000')).toEqual({ outcome: 'incorrect', status: { feature: 'gw-network', verifyLeft: 1, unblockLeft: 10 } });
    expect(p.depersonalize('gw-network', 'deactivate', '1111')).toEqual({ outcome: 'blocked', status: { feature: 'gw-network', verifyLeft: 0, unblockLeft: 10 } });
    expect(p.depersonalize('gw-network', 'deactivate', KEY).outcome).toBe('blocked');
    expect(p.status()).toEqual([{ feature: 'gw-network', verifyLeft: 0, unblockLeft: 10 }]);
  });

  it('unblocking needs a blocked feature; it restores the verify retries and leaves the feature active', () => {
    const p = new Personalization([{ feature: 'gw-network', key: KEY, verifyRetries: 1, unblockRetries: 3 }]);
    expect(p.depersonalize('gw-network', 'unblock', KEY).outcome).toBe('not-blocked');
    p.depersonalize('gw-network', 'deactivate', 'bad');
    expect(p.depersonalize('gw-network', 'unblock', 'bad')).toEqual({ outcome: 'incorrect', status: { feature: 'gw-network', verifyLeft: 0, unblockLeft: 2 } });
    expect(p.depersonalize('gw-network', 'unblock', KEY)).toEqual({ outcome: 'ok', status: { feature: 'gw-network', verifyLeft: 1, unblockLeft: 2 } });
    expect(p.depersonalize('gw-network', 'deactivate', KEY)).toEqual({ outcome: 'ok' });
    expect(p.status()).toEqual([]);
  });

  it('with no unblock retries left the feature is blocked for good, whatever the key', () => {
    const p = new Personalization([{ feature: 'gw-corporate', key: KEY, verifyRetries: 1, unblockRetries: 1 }]);
    p.depersonalize('gw-corporate', 'deactivate', 'bad');
    expect(p.depersonalize('gw-corporate', 'unblock', 'bad')).toEqual({ outcome: 'permanently-blocked', status: { feature: 'gw-corporate', verifyLeft: 0, unblockLeft: 0 } });
    expect(p.depersonalize('gw-corporate', 'unblock', KEY).outcome).toBe('permanently-blocked');
    expect(p.depersonalize('gw-corporate', 'deactivate', KEY).outcome).toBe('permanently-blocked');
    expect(p.status()).toHaveLength(1);
  });
});
