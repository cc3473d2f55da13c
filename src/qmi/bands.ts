/**
 * Band masks as DMS and NAS carry them, to and from band numbers: the legacy 64-bit mask for GSM and
 * UTRA (DMS Get Band Capabilities' bits), and the word masks for E-UTRA (4 words) and NR (8 words),
 * where band n is bit (n-1) % 64 of word (n-1) / 64. The modem driver and the simulator share them.
 */
import { DmsBandCapability } from './services/dms.js';

const B = DmsBandCapability;
/** GSM bands by their MHz name. */
export const GSM_BAND_BITS: Readonly<Record<850 | 900 | 1800 | 1900, bigint>> = {
  850: B['gsm-850'],
  900: B['gsm-900-primary'] | B['gsm-900-extended'],
  1800: B['gsm-dcs-1800'],
  1900: B['gsm-pcs-1900'],
};
/** UTRA bands by 3GPP number. */
export const UTRA_BAND_BITS: Readonly<Record<number, bigint>> = {
  1: B['wcdma-2100'],
  2: B['wcdma-pcs-1900'],
  3: B['wcdma-dcs-1800'],
  4: B['wcdma-1700-us'],
  5: B['wcdma-850-us'],
  6: B['wcdma-800'],
  8: B['wcdma-900'],
};

export type GsmBand = keyof typeof GSM_BAND_BITS;

/** GSM and UTRA bands as the legacy mask. */
export function legacyBandMask(gsm: readonly number[], utra: readonly number[]): bigint {
  let mask = 0n;
  for (const g of gsm) mask |= GSM_BAND_BITS[g as GsmBand] ?? 0n;
  for (const u of utra) mask |= UTRA_BAND_BITS[u] ?? 0n;
  return mask;
}

/** The GSM and UTRA bands a legacy mask names (a GSM band counts when any of its bits is set). */
export function legacyBandsOf(mask: bigint): { gsm: GsmBand[]; utra: number[] } {
  const gsm = (Object.keys(GSM_BAND_BITS).map(Number) as GsmBand[]).filter((g) => (mask & GSM_BAND_BITS[g]) !== 0n);
  const utra = Object.keys(UTRA_BAND_BITS).map(Number).filter((u) => (mask & UTRA_BAND_BITS[u]!) !== 0n);
  return { gsm, utra };
}

/** Band numbers as `words` 64-bit words; bands beyond them are left out. */
export function bandWords(bands: readonly number[], words: number): bigint[] {
  const out = Array.from({ length: words }, () => 0n);
  for (const n of bands) if (n >= 1 && n <= words * 64) out[Math.floor((n - 1) / 64)]! |= 1n << BigInt((n - 1) % 64);
  return out;
}

/** The band numbers set in 64-bit words, ascending. */
export function bandsOfWords(words: readonly bigint[]): number[] {
  const out: number[] = [];
  words.forEach((w, i) => {
    for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) out.push(i * 64 + b + 1);
  });
  return out;
}
