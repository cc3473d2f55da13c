/**
 * What the manager needs from a control protocol. A QMI and an MBIM driver implement it; the manager
 * never branches on the protocol beyond choosing the driver.
 */
import type { EventEmitter } from 'node:events';
import type { PipeFormat } from '../mux/pipe.js';
import type { RadioDriver } from './radio-driver.js';
import type { SmsDriver } from './sms-driver.js';
import type { ConnectedBearer, ControlProtocol, IpType, AuthType, ModemIdentity, Registration, SignalQuality, SimStatus } from './types.js';

export interface ProbeResult {
  identity: ModemIdentity;
  sim: {
    status: SimStatus;
    pinRetries?: number;
    pukRetries?: number;
    iccid?: string;
    imsi?: string;
    ownNumber?: string;
    /** The home operator's MCC and MNC: the IMSI's first digits, as many as EF_AD says the MNC has. */
    operatorId?: string;
    /** The service provider name (EF_SPN). */
    operatorName?: string;
    /** EF_GID1 and EF_GID2 as the card holds them, hex. */
    gid1?: string;
    gid2?: string;
  };
  registration: Registration;
  signal: SignalQuality;
}

/** The data path a driver set up: the framing on the pipe and the link ids its sessions may use. */
export interface DataSetup {
  format: PipeFormat;
  /** Link ids available for bearers, in the order to hand them out. */
  linkIds: number[];
  /** The downlink aggregation size the modem agreed to (bytes in one transfer toward the host), if any. */
  downlinkMaxSize?: number;
}

export interface DriverConnect {
  apn: string;
  ipType: IpType;
  auth: AuthType;
  user?: string;
  password?: string;
  linkId: number;
}

/** A connected session, with what the driver needs to stop it. */
export interface DriverSession extends ConnectedBearer {
  readonly token: unknown;
}

export interface DriverEvents {
  /** The network or the modem ended a session. */
  sessionLost: [token: unknown, reason: string];
  signal: [SignalQuality];
  registration: [Registration];
  /** The control channel is gone (modem reset, unplugged). */
  closed: [Error | undefined];
}

export interface ControlDriver extends EventEmitter<DriverEvents> {
  readonly protocol: ControlProtocol;
  /** Short messages, where the protocol has them. */
  readonly sms?: SmsDriver;
  probe(): Promise<ProbeResult>;
  unlockPin(pin: string): Promise<{ unlocked: boolean; retries?: number }>;
  /** Unblocks PIN1 with the PUK and sets `newPin`; `retries` are the PUK's. */
  unblockPin(puk: string, newPin: string): Promise<{ unlocked: boolean; retries?: number }>;
  setupData(multiplex: boolean): Promise<DataSetup>;
  connect(req: DriverConnect): Promise<DriverSession>;
  /**
   * Whether the modem still has the session's call up (false: it ended, though no indication said
   * so; undefined: no answer). A session found down is released as if its loss had been indicated.
   */
  sessionAlive(session: DriverSession): Promise<boolean | undefined>;
  /** Ends the session; `timeoutMs` bounds each answer waited for (short when the daemon shuts down). */
  disconnect(session: DriverSession, opts?: { timeoutMs?: number }): Promise<void>;
  /** Device service streams (MBIM DSS), where the protocol has them. */
  readonly dss?: DssDriver;
  /** Radio, network and SIM control (src/modem/radio-driver.ts). */
  readonly radio?: RadioDriver;
  close(): Promise<void>;
}

/** Opening and closing device service stream sessions (MBIM DSS Connect). */
export interface DssDriver {
  /** The device services that carry streams (DSS payload), as the modem lists them. */
  services(): Promise<{ uuid: string; maxInstances: number }[]>;
  connect(service: string, session: number): Promise<void>;
  disconnect(service: string, session: number, opts?: { timeoutMs?: number }): Promise<void>;
}
