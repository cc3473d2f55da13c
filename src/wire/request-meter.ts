/** How a control request ended, for counters and latency histograms (metrics). */
export type RequestResult = 'success' | 'error' | 'timeout' | 'failed';

/** Told once per control request when it ends: its service's name, how long it took, how it ended. */
export type RequestMeter = (service: string, seconds: number, result: RequestResult) => void;
