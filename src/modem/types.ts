/** The manager's model of a modem and its bearers, the same whatever protocol controls it. */

export type ControlProtocol = 'qmi' | 'mbim';
export type IpType = 'ipv4' | 'ipv6' | 'ipv4v6';
export type AuthType = 'none' | 'pap' | 'chap' | 'both';
export type Multiplex = 'none' | 'requested' | 'required';

export interface ModemIdentity {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
}

export type SimStatus = 'ready' | 'pin-required' | 'puk-required' | 'absent' | 'error';

export interface Registration {
  state: 'home' | 'roaming' | 'searching' | 'denied' | 'idle' | 'unknown';
  operator?: { mcc: string; mnc: string; name: string };
  tech?: string;
}

export interface SignalQuality {
  rssi?: number;
  rsrp?: number;
  rsrq?: number;
  snr?: number;
  /** 5G NR measurements, where the modem reports them (dBm, dB). */
  nr5g?: { rsrp?: number; rsrq?: number; snr?: number };
}

export interface BearerRequest {
  /** Tried in order until one connects. */
  apns: string[];
  ipType: IpType;
  auth?: AuthType;
  user?: string;
  /** Never logged, never shown. */
  password?: string;
  multiplex: Multiplex;
  /** Wanted link id (QMAP mux id, MBIM session, BAM channel); chosen by the manager if absent. */
  linkId?: number;
}

export interface Ipv4Config {
  address: string;
  prefix: number;
  gateway?: string;
  dns: string[];
  mtu?: number;
}

export interface Ipv6Config {
  address: string;
  prefix: number;
  gateway?: string;
  dns: string[];
  mtu?: number;
}

/** What a driver reports for a connected bearer. */
export interface ConnectedBearer {
  apn: string;
  linkId: number;
  ipv4?: Ipv4Config;
  ipv6?: Ipv6Config;
}

/** Bad input from a user (APN, PIN…): caught before anything reaches the modem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The modem or the network refused: the message says what they said. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    message: string,
    readonly apn: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An APN as 3GPP TS 23.003 allows it: labels of letters, digits and hyphens, at most 100 bytes. */
export function checkApn(apn: string): void {
  if (apn.length === 0 || apn.length > 100) throw new ConfigError(`APN must be 1 to 100 characters, got ${apn.length}`);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(apn)) {
    throw new ConfigError(`APN ${JSON.stringify(apn.slice(0, 100))} has characters an APN cannot have (letters, digits, '-' and '.' only)`);
  }
}
