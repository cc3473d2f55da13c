/** The manager's model of a modem and its bearers, the same whatever protocol controls it. */

export type ControlProtocol = 'qmi' | 'mbim';
/** IP families a bearer asks for. */
export type IpType = 'ipv4' | 'ipv6' | 'ipv4v6';
/** Bearer authentication. */
export type AuthType = 'none' | 'pap' | 'chap' | 'both';
/** Whether a bearer gets its own multiplexed link: never, if the modem can, or always. */
export type Multiplex = 'none' | 'requested' | 'required';

/** Who a modem is: manufacturer, model, firmware, IMEI. */
export interface ModemIdentity {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
  /** The hardware's own revision string, where the modem gives one (QMI DMS, MBIM device caps). */
  hardwareRevision?: string;
}

/** The SIM's state as the modem reports it. */
export type SimStatus = 'ready' | 'pin-required' | 'puk-required' | 'absent' | 'error';

/** Where a modem is registered: state, operator, radio technology. */
export interface Registration {
  state: 'home' | 'roaming' | 'searching' | 'denied' | 'idle' | 'unknown';
  operator?: { mcc: string; mnc: string; name: string };
  tech?: string;
}

/** Signal measurements of the technology the modem is on, in dBm and dB (RSRP, RSRQ and SNR: LTE's). */
export interface SignalQuality {
  rssi?: number;
  rsrp?: number;
  rsrq?: number;
  snr?: number;
  /** UMTS Ec/Io (dB), on UMTS. */
  ecio?: number;
  /** 5G NR measurements, where the modem reports them (dBm, dB). */
  nr5g?: { rsrp?: number; rsrq?: number; snr?: number };
}

/** What to connect: APNs tried in order, IP type, authentication, multiplexing and an optional link id. */
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

import type { Ipv4Config, Ipv6Config } from '../wire/ip.js';

/** The addresses the network gives: declared with the wire helpers so net/ needs nothing above it. */
export type { Ipv4Config, Ipv6Config };

/** What a driver reports for a connected bearer. */
export interface ConnectedBearer {
  apn: string;
  linkId: number;
  ipv4?: Ipv4Config;
  ipv6?: Ipv6Config;
}

import { ConfigError } from '../wire/errors.js';

export { ConfigError };

/** A modem, bearer or message asked for by id that is not there. */
export class NotFoundError extends ConfigError {
  override readonly name = 'NotFoundError';
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
