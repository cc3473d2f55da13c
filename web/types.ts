/** What the daemon's API answers and streams, as the page uses it. */
export interface Signal {
  rssi?: number;
  rsrp?: number;
  rsrq?: number;
  snr?: number;
}

export interface Registration {
  state: string;
  operator?: { mcc: string; mnc: string; name: string };
  tech?: string;
}

export interface ModemSummary {
  id: string;
  state: string;
  protocol: string;
  manufacturer?: string;
  model?: string;
  imei?: string;
  registration?: Registration;
  signal?: Signal;
  bearers: number;
}

export interface Bearer {
  id: number;
  status: string;
  linkId: number;
  interface?: string;
  apn?: string;
  ipv4?: { address: string; prefix: number; gateway?: string; dns: string[]; mtu?: number };
  ipv6?: { address: string; prefix: number };
  reconnects: number;
  error?: string;
}

export interface ModemInfo extends Omit<ModemSummary, 'bearers'> {
  revision?: string;
  sim?: { status: string; pinRetries?: number; pukRetries?: number; iccid?: string; imsi?: string; ownNumber?: string };
  dataFormat?: Record<string, unknown>;
  bearers: Bearer[];
}

/** The daemon's `profiles` answer: what the configuration file keeps up on a modem. */
export interface Profiles {
  config: string | null;
  autoconnect: boolean;
  pin: boolean;
  bearers: { apns: string[]; ipType: string; auth: string; multiplex: string; linkId?: number; user?: string; bearer: number | null }[];
}

export interface Link {
  modem: string;
  name: string;
  linkId: number;
  framing: string;
  backend: string;
  bearer: number;
  status: string;
  addresses: string[];
}

export interface TraceEvent {
  event: 'trace';
  modem: string;
  protocol: 'qmi' | 'mbim';
  direction: 'tx' | 'rx';
  time: number;
  service: string;
  message: string;
  summary: string;
  hex: string;
}

/** [time in s, rssi, rsrp, rsrq, snr] and [time in s, down bytes/s, up bytes/s], as the server keeps them. */
export type SignalSample = [number, ...(number | null)[]];
export type RateSample = [number, number, number];

export interface SmsMessage {
  id: number;
  pduType: 'deliver' | 'submit' | 'status-report';
  state: string;
  number: string;
  text?: string;
  data?: string;
  timestamp?: string;
  parts: { storage: string; index: number }[];
  total: number;
  complete: boolean;
  deliveryState?: number;
}

export type DaemonEvent =
  | { event: 'hello'; signal: Record<string, SignalSample[]>; throughput: Record<string, RateSample[]>; trace: TraceEvent[] }
  | { event: 'signal'; modem: string; signal: Signal }
  | { event: 'state'; modem: string; state: string }
  | { event: 'registration'; modem: string; registration: Registration }
  | { event: 'bearer'; modem: string; bearer: Bearer }
  | { event: 'modem-added' | 'modem-removed'; modem: string }
  | { event: 'sms'; modem: string; kind: 'added' | 'updated' | 'received' | 'deleted' | 'full'; message?: SmsMessage; id?: number }
  | { event: 'throughput'; links: { key: string; modem: string; name: string; linkId: number; sample: RateSample }[] }
  | TraceEvent;
