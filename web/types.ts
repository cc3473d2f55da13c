/**
 * What the daemon's API answers and streams, as the page uses it: the contract's own types
 * (src/daemon/api.ts, types only, nothing of it is bundled), plus what the dashboard's server adds.
 */
import type { ApiEvent, BearerView, EventName, LinkView, ModemInfo as ApiModemInfo, ModemSummary as ApiModemSummary, RegistrationView, Result, SignalView, SmsMessageView } from '../src/daemon/api.js';

export type Signal = SignalView;
export type Registration = RegistrationView;
export type ModemSummary = ApiModemSummary;
export type ModemInfo = ApiModemInfo;
export type Bearer = BearerView;
export type Link = LinkView;
export type SmsMessage = SmsMessageView;
/** The daemon's `profiles` answer: what the configuration file keeps up on a modem. */
export type Profiles = Result<'profiles'>;
export type TraceEvent = ApiEvent<'trace'>;

/** [time in s, rssi, rsrp, rsrq, snr] and [time in s, down bytes/s, up bytes/s], as the server keeps them. */
export type SignalSample = [number, ...(number | null)[]];
export type RateSample = [number, number, number];

/** The daemon's events, and the two the dashboard's server adds: what a page missed, and link throughput. */
export type DaemonEvent =
  // `dropped` is told to a socket connection that fell behind; the page's stream is dropped instead.
  | ApiEvent<Exclude<EventName, 'dropped'>>
  | { event: 'hello'; signal: Record<string, SignalSample[]>; throughput: Record<string, RateSample[]>; trace: TraceEvent[] }
  | { event: 'throughput'; links: { key: string; modem: string; name: string; linkId: number; sample: RateSample }[] };
