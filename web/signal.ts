import type { Signal } from './types.js';

/** 0 to 4 bars, from RSRP where the modem reports it (LTE/5G), else from RSSI. */
export function signalBars(s: Signal | undefined): number {
  if (s?.rsrp !== undefined) return s.rsrp >= -80 ? 4 : s.rsrp >= -90 ? 3 : s.rsrp >= -100 ? 2 : s.rsrp >= -110 ? 1 : 0;
  if (s?.rssi !== undefined) return s.rssi >= -65 ? 4 : s.rssi >= -75 ? 3 : s.rssi >= -85 ? 2 : s.rssi >= -95 ? 1 : 0;
  return 0;
}
