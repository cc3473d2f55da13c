/**
 * Band masks as DMS and NAS carry them, to and from band numbers: the legacy 64-bit mask for GSM and
 * UTRA (DMS Get Band Capabilities' bits), and the word masks for E-UTRA (4 words) and NR (8 words),
 * where band n is bit (n-1) % 64 of word (n-1) / 64. The modem driver and the simulator share them.
 */
/**
 * The legacy 64-bit band mask: one table for DMS Band Capability and NAS Band Preference, which
 * give the same bits the same names (CDMA band classes, GSM and WCDMA bands).
 */
export const LEGACY_BANDS = {
  'bc-0-a-system': 1n << 0n,
  'bc-0-b-system': 1n << 1n,
  'bc-1-all-blocks': 1n << 2n,
  'bc-2': 1n << 3n,
  'bc-3-a-system': 1n << 4n,
  'bc-4-all-blocks': 1n << 5n,
  'bc-5-all-blocks': 1n << 6n,
  'gsm-dcs-1800': 1n << 7n,
  'gsm-900-extended': 1n << 8n,
  'gsm-900-primary': 1n << 9n,
  'bc-6': 1n << 10n,
  'bc-7': 1n << 11n,
  'bc-8': 1n << 12n,
  'bc-9': 1n << 13n,
  'bc-10': 1n << 14n,
  'bc-11': 1n << 15n,
  'gsm-450': 1n << 16n,
  'gsm-480': 1n << 17n,
  'gsm-750': 1n << 18n,
  'gsm-850': 1n << 19n,
  'gsm-900-railways': 1n << 20n,
  'gsm-pcs-1900': 1n << 21n,
  'wcdma-2100': 1n << 22n,
  'wcdma-pcs-1900': 1n << 23n,
  'wcdma-dcs-1800': 1n << 24n,
  'wcdma-1700-us': 1n << 25n,
  'wcdma-850-us': 1n << 26n,
  'wcdma-800': 1n << 27n,
  'bc-12': 1n << 28n,
  'bc-14': 1n << 29n,
  'bc-15': 1n << 31n,
  'wcdma-2600': 1n << 48n,
  'wcdma-900': 1n << 49n,
  'wcdma-1700-japan': 1n << 50n,
  'bc-16': 1n << 56n,
  'bc-17': 1n << 57n,
  'bc-18': 1n << 58n,
  'bc-19': 1n << 59n,
  'wcdma-850-japan': 1n << 60n,
  'wcdma-1500': 1n << 61n,
} as const;

/** E-UTRA bands the legacy 64-bit LTE mask names (band n is bit n-1; 15, 16, 22 and 23 have none). */
export const LEGACY_LTE_BANDS: readonly number[] = Array.from({ length: 43 }, (_, i) => i + 1).filter((b) => ![15, 16, 22, 23].includes(b));

const B = LEGACY_BANDS;
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
