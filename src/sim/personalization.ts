/**
 * The modem's personalization (SIM lock, 3GPP TS 22.022): features locked with a control key, each
 * with verify and unblock retries. A wrong key uses a verify retry; with none left the feature is
 * blocked until unblocked with the key, which uses unblock retries; with none of those left it stays.
 */
export type PersonalizationFeature = 'gw-network' | 'gw-network-subset' | 'gw-service-provider' | 'gw-corporate' | 'gw-ue';

export interface PersonalizationLock {
  feature: PersonalizationFeature;
  /** The control key (NCK, NSCK, SPCK, CCK or PCK). */
  key: string;
  verifyRetries?: number;
  unblockRetries?: number;
}

export interface FeatureStatus {
  feature: PersonalizationFeature;
  verifyLeft: number;
  unblockLeft: number;
}

export type DepersonalizationOutcome = 'ok' | 'not-active' | 'incorrect' | 'blocked' | 'permanently-blocked' | 'not-blocked';

interface Feature extends FeatureStatus {
  key: string;
  verifyRetries: number;
}

export class Personalization {
  private readonly features = new Map<PersonalizationFeature, Feature>();

  constructor(locks: readonly PersonalizationLock[] = []) {
    for (const l of locks) {
      const verifyRetries = l.verifyRetries ?? 3;
      this.features.set(l.feature, { feature: l.feature, key: l.key, verifyRetries, verifyLeft: verifyRetries, unblockLeft: l.unblockRetries ?? 10 });
    }
  }

  /** The active features, in the order they were configured. */
  status(): FeatureStatus[] {
    return [...this.features.values()].map(({ feature, verifyLeft, unblockLeft }) => ({ feature, verifyLeft, unblockLeft }));
  }

  /** Deactivates a feature with its key, or unblocks a blocked one; the retries left go with the outcome. */
  depersonalize(feature: PersonalizationFeature, operation: 'deactivate' | 'unblock', key: string): { outcome: DepersonalizationOutcome; status?: FeatureStatus } {
    const f = this.features.get(feature);
    if (!f) return { outcome: 'not-active' };
    const status = (): FeatureStatus => ({ feature, verifyLeft: f.verifyLeft, unblockLeft: f.unblockLeft });
    if (f.unblockLeft === 0) return { outcome: 'permanently-blocked', status: status() };
    if (operation === 'deactivate') {
      if (f.verifyLeft === 0) return { outcome: 'blocked', status: status() };
      if (key !== f.key) {
        f.verifyLeft--;
        return { outcome: f.verifyLeft === 0 ? 'blocked' : 'incorrect', status: status() };
      }
      this.features.delete(feature);
      return { outcome: 'ok' };
    }
    if (f.verifyLeft > 0) return { outcome: 'not-blocked', status: status() };
    if (key !== f.key) {
      f.unblockLeft--;
      return { outcome: f.unblockLeft === 0 ? 'permanently-blocked' : 'incorrect', status: status() };
    }
    f.verifyLeft = f.verifyRetries;
    return { outcome: 'ok', status: status() };
  }
}
